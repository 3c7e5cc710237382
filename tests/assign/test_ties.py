"""The documented tie rule: among equally good plans, the caseload order decides.

Among the plans of best total score that place the most clients, the plan returned is the
lexicographically least vector of options in caseload order, where a client's options rank
approach 0, approach 1, ..., and "unplaced" last (docs/planning.md, "Tie rule").
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from matchkit.planning._assignment import assign_optimal
from tests.assign.strategies import random_pairs

from .strategies import SMALL, instances, plans_of


def first_in_caseload_order(approach: np.ndarray, m: int) -> np.ndarray:
    """The lexicographically least row of ``approach`` with "unplaced" (-1) ranked last."""
    key = np.where(approach < 0, m, approach)
    return approach[min(range(len(key)), key=lambda row: tuple(key[row]))]


@pytest.mark.slow
@SMALL
@given(instances(max_clients=6, max_approaches=3))
def test_the_plan_is_the_one_the_caseload_order_selects(instance):
    plan = assign_optimal(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    plans = plans_of(instance)
    best = plans.optimal()
    best &= plans.count == plans.count[best].max()
    expected = first_in_caseload_order(plans.approach[best], instance.score.shape[1])
    np.testing.assert_array_equal(plan.approach, expected)


def test_the_earlier_client_gets_the_tied_place():
    # Two clients, one place, equal scores: the first in the caseload gets it.
    score = np.array([[0.5], [0.5]])
    plan = assign_optimal(score, np.ones((2, 1), bool), [1])
    np.testing.assert_array_equal(plan.approach, [0, -1])
    swapped = assign_optimal(score[::-1], np.ones((2, 1), bool), [1])
    np.testing.assert_array_equal(swapped.approach, [0, -1])


def test_a_tie_between_approaches_goes_to_the_earlier_approach_through_a_chain():
    # Client 0 ties between approaches 0 and 1; approach 0 is full with client 1, who can
    # move to approach 2 at no loss. The rule moves client 1 on to give client 0 approach 0.
    score = np.array([[0.4, 0.4, 0.0], [0.6, 0.0, 0.6]])
    allowed = np.array([[True, True, False], [True, False, True]])
    plan = assign_optimal(score, allowed, [1, 1, 1])
    np.testing.assert_array_equal(plan.approach, [0, 2])


@pytest.mark.slow
def test_the_rule_is_kept_on_a_larger_instance_with_many_ties(rng):
    # No brute force here: check the rule's local form, that no single client earlier in
    # the caseload could swap places with a later one at no loss in total score.
    n, m = 300, 4
    score, allowed = random_pairs(rng, n, m, density=0.6, decimals=1)
    capacity = np.array([20, 15, 30, 10])
    plan = assign_optimal(score, allowed, capacity)
    first = assign_optimal(score, allowed, capacity)
    np.testing.assert_array_equal(plan.approach, first.approach)
    key = np.where(plan.approach < 0, m, plan.approach)
    for i in range(n):
        for k in range(i + 1, n):
            a, b = plan.approach[i], plan.approach[k]
            if key[k] >= key[i] or (b >= 0 and not allowed[i, b]) or (a >= 0 and not allowed[k, a]):
                continue
            before = (score[i, a] if a >= 0 else 0) + (score[k, b] if b >= 0 else 0)
            after = (score[i, b] if b >= 0 else 0) + (score[k, a] if a >= 0 else 0)
            assert after < before - 1e-9, (i, k)


@st.composite
def tied_instances_with_groups(draw):
    instance = draw(instances(min_clients=2, max_clients=6, max_approaches=2))
    n = instance.score.shape[0]
    member = draw(arrays(np.bool_, (n,)))
    share = draw(st.sampled_from([0.0, 0.25, 0.5, 0.6]))
    return instance, member, share


@pytest.mark.slow
@settings(SMALL, max_examples=200)
@given(tied_instances_with_groups())
def test_with_min_share_the_caseload_order_decides_last(case):
    # The order: total score, the least overshoot of the share, then the caseload order
    # among the plans that place as many members and non-members as the plan returned.
    instance, member, share = case
    plans = plans_of(instance)
    floor = plans.count[plans.optimal()].max()
    placed = plans.approach >= 0
    members = (placed & member).sum(axis=1)
    feasible = (plans.count >= floor) & (members >= share * plans.count - 1e-9)
    if not feasible.any():
        return
    plan = assign_optimal(
        instance.score,
        instance.allowed,
        instance.capacity,
        groups={"g": member},
        min_share={"g": share},
        **instance.kwargs(),
    )
    best = feasible & (plans.total >= plans.total[feasible].max() - 1e-9)
    overshoot = members - share * plans.count
    best &= overshoot <= overshoot[best].min() + 1e-9
    got = plan.approach >= 0
    same_mix = (members == (got & member).sum()) & (plans.count == got.sum())
    assert (best & same_mix).any()
    expected = first_in_caseload_order(plans.approach[best & same_mix], instance.score.shape[1])
    np.testing.assert_array_equal(plan.approach, expected)
