import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from scipy.optimize import linprog

from matchkit.planning._assignment import assign_optimal
from tests.assign.strategies import random_pairs

from .strategies import SMALL, instances, plans_of


@pytest.mark.slow
@SMALL
@given(instances(max_capacity=2))
def test_capacity_price_is_the_gain_from_one_more_place(instance):
    plan = assign_optimal(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    best = plans_of(instance).best_total()
    for j in range(instance.capacity.size):
        more = instance.capacity + np.eye(instance.capacity.size, dtype=np.int64)[j]
        gain = plans_of(instance, capacity=more).best_total() - best
        assert plan.capacity_price[j] == pytest.approx(gain, abs=1e-7)


@pytest.mark.slow
@SMALL
@given(instances())
def test_approaches_with_places_left_have_price_zero(instance):
    plan = assign_optimal(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    slack = plan.filled < instance.capacity
    assert (plan.capacity_price[slack] == 0).all()
    assert (plan.capacity_price >= 0).all()


def test_a_full_approach_with_better_unassigned_candidates_has_a_positive_price():
    # Approach 0 has one place and three candidates; approach 1 has room and nobody wants it.
    score = np.array([[0.9, 0.0], [0.7, 0.0], [0.4, 0.0]])
    allowed = np.array([[True, False], [True, False], [True, False]])
    plan = assign_optimal(score, allowed, [1, 5])
    np.testing.assert_array_equal(plan.approach, [0, -1, -1])
    assert plan.capacity_price[0] == pytest.approx(0.7)  # the next candidate's score
    assert plan.capacity_price[1] == 0.0


def test_a_place_is_worth_what_a_chain_of_moves_gains():
    # One more place at approach 1 lets client 0 move there (0.5 instead of 0.9 at
    # approach 0), freeing approach 0 for client 1 (0.8): a gain of 0.4.
    score = np.array([[0.9, 0.5], [0.8, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    plan = assign_optimal(score, allowed, [1, 0])
    assert plan.capacity_price.tolist() == pytest.approx([0.8, 0.4])


def test_prices_never_exceed_the_marginals_highs_reports(rng):
    # The reported price is the least optimal dual; any dual HiGHS returns lies above it.
    n, m = 120, 5
    score, allowed = random_pairs(rng, n, m, density=0.5, decimals=2)
    capacity = rng.integers(1, 15, m)
    plan = assign_optimal(score, allowed, capacity)
    client, approach = np.nonzero(allowed)
    k = client.size
    rows = sp.csr_array(
        (np.ones(2 * k), (np.concatenate([client, n + approach]), np.tile(np.arange(k), 2))),
        shape=(n + m, k),
    )
    res = linprog(
        -score[client, approach],
        A_ub=rows,
        b_ub=np.concatenate([np.ones(n), capacity]),
        method="highs",
    )
    marginal = -res.ineqlin.marginals[n:]
    assert -res.fun == pytest.approx(plan.total, abs=1e-7)
    assert (plan.capacity_price <= marginal + 1e-7).all()
    assert (plan.capacity_price > 0).any()
