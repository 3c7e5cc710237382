import numpy as np
import pytest
from hypothesis import given

from matchkit.planning._assignment import assign_greedy, assign_optimal

from .strategies import SMALL, instances


def reference_greedy(score, candidate, capacity):
    """The baseline written out plainly: best pair first, ties by client then approach."""
    pairs = sorted(zip(*np.nonzero(candidate), strict=True), key=lambda p: (-score[p], p[0], p[1]))
    approach = np.full(score.shape[0], -1)
    left = list(capacity)
    for i, j in pairs:
        if approach[i] < 0 and left[j] > 0:
            approach[i] = j
            left[j] -= 1
    return approach


@pytest.mark.slow
@SMALL
@given(instances())
def test_greedy_never_beats_the_optimum_and_reports_its_gap(instance):
    greedy = assign_greedy(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    optimal = assign_optimal(
        instance.score, instance.allowed, instance.capacity, **instance.kwargs()
    )
    assert greedy.method == "greedy"
    assert greedy.optimal_total == optimal.total
    assert greedy.gap == optimal.total - greedy.total
    assert greedy.gap >= -1e-9


@pytest.mark.slow
@SMALL
@given(instances())
def test_greedy_takes_pairs_by_score_then_client_then_approach(instance):
    greedy = assign_greedy(
        instance.score,
        instance.allowed,
        instance.capacity,
        compare_optimal=False,
        **instance.kwargs(),
    )
    expected = reference_greedy(instance.score, instance.candidate, instance.capacity)
    np.testing.assert_array_equal(greedy.approach, expected)


def test_greedy_falls_short_where_taking_the_best_pair_first_blocks_a_better_plan():
    score = np.array([[0.9, 0.5], [0.8, 0.1], [0.3, 0.6]])
    greedy = assign_greedy(score, np.ones((3, 2), bool), [1, 2])
    np.testing.assert_array_equal(greedy.approach, [0, 1, 1])
    assert greedy.total == pytest.approx(1.6)
    assert greedy.optimal_total == pytest.approx(1.9)
    assert greedy.gap == pytest.approx(0.3)


def test_greedy_without_comparison_reports_no_optimum():
    greedy = assign_greedy(
        np.full((2, 2), 0.5), np.ones((2, 2), bool), [1, 1], compare_optimal=False
    )
    assert greedy.optimal_total is None
    assert greedy.gap is None


def test_greedy_has_no_capacity_prices():
    greedy = assign_greedy(np.full((2, 2), 0.5), np.ones((2, 2), bool), [1, 1])
    assert np.isnan(greedy.capacity_price).all()


def test_optimal_plans_report_no_gap():
    optimal = assign_optimal(np.full((2, 2), 0.5), np.ones((2, 2), bool), [1, 1])
    assert optimal.optimal_total is None
    assert optimal.gap is None
