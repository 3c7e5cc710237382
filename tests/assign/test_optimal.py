from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from scipy.optimize import Bounds, LinearConstraint, milp

from matchkit.planning import _lp as _assign_lp
from matchkit.planning import _solve as _assign_solve
from matchkit.planning._assignment import Assignment, assign_greedy, assign_optimal
from tests.assign.strategies import random_pairs

from .strategies import SMALL, Instance, instances, plans_of


def check_feasible(plan: Assignment, instance: Instance) -> None:
    m = instance.score.shape[1]
    placed = np.flatnonzero(plan.approach >= 0)
    assert ((plan.approach >= -1) & (plan.approach < m)).all()
    assert instance.candidate[placed, plan.approach[placed]].all()
    filled = np.bincount(plan.approach[placed], minlength=m)
    np.testing.assert_array_equal(plan.filled, filled)
    assert (filled <= instance.capacity).all()
    np.testing.assert_array_equal(plan.score[placed], instance.score[placed, plan.approach[placed]])
    assert np.isnan(np.delete(plan.score, placed)).all()
    assert plan.total == pytest.approx(instance.score[placed, plan.approach[placed]].sum())
    assert plan.n_assigned == placed.size


def dense_milp_total(score, allowed, capacity) -> float:
    """An independent oracle: the textbook binary program over every (client, approach)."""
    n, m = score.shape
    client_rows = np.kron(np.eye(n), np.ones(m))
    approach_rows = np.kron(np.ones(n), np.eye(m))
    res = milp(
        -score.ravel(),
        integrality=np.ones(n * m),
        bounds=Bounds(0, allowed.ravel().astype(float)),
        constraints=[
            LinearConstraint(client_rows, -np.inf, 1),
            LinearConstraint(approach_rows, -np.inf, capacity),
        ],
        options={"mip_rel_gap": 0},
    )
    assert res.status == 0
    return -res.fun


@pytest.mark.slow
@SMALL
@given(instances())
def test_optimal_total_equals_the_brute_force_optimum(instance):
    plan = assign_optimal(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    plans = plans_of(instance)
    assert plan.total == pytest.approx(plans.best_total(), abs=1e-9)


@pytest.mark.slow
@SMALL
@given(instances())
def test_optimal_places_as_many_clients_as_any_equally_good_plan(instance):
    plan = assign_optimal(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    plans = plans_of(instance)
    assert plan.n_assigned == plans.count[plans.optimal()].max()


@pytest.mark.slow
@SMALL
@given(instances())
@pytest.mark.parametrize("solve", [assign_optimal, assign_greedy])
def test_plans_respect_capacity_allowed_pairs_and_exclusions(solve, instance):
    plan = solve(instance.score, instance.allowed, instance.capacity, **instance.kwargs())
    check_feasible(plan, instance)


@pytest.mark.parametrize("places", [3, 40, 120], ids=["scarce", "moderate", "ample"])
def test_optimal_total_matches_a_dense_milp_on_medium_instances(rng, places):
    n, m = 150, 6
    score, allowed = random_pairs(rng, n, m, density=0.5, decimals=2)
    capacity = np.full(m, places)
    plan = assign_optimal(score, allowed, capacity)
    check_feasible(plan, Instance(score, allowed, capacity))
    assert plan.method == "highs-lp"
    assert plan.total == pytest.approx(dense_milp_total(score, allowed, capacity), abs=1e-6)


def test_milp_fallback_gives_an_equally_good_plan_when_the_lp_is_not_integral(rng, monkeypatch):
    n, m = 60, 4
    score, allowed = random_pairs(
        rng, n, m, density=0.6, decimals=1
    )  # many ties, so the count tie-break matters
    capacity = np.array([5, 10, 0, 20])
    expected = assign_optimal(score, allowed, capacity)
    monkeypatch.setattr(_assign_solve, "_plain_lp", lambda pairs: None)
    fallback = assign_optimal(score, allowed, capacity)
    assert fallback.method == "highs-milp"
    assert fallback.total == pytest.approx(expected.total, abs=1e-9)
    assert fallback.n_assigned == expected.n_assigned
    check_feasible(fallback, Instance(score, allowed, capacity))


def test_an_interior_point_failure_is_retried_with_the_dual_simplex(rng, monkeypatch):
    n, m = 80, 4
    score, allowed = random_pairs(rng, n, m, density=0.5, decimals=2)
    capacity = np.array([3, 9, 1, 12])
    expected = assign_optimal(score, allowed, capacity)
    real = _assign_lp._run_core
    solvers = []

    def failing_ipm(solver, *args):
        solvers.append(solver)
        if solver == "ipm":
            return "failed", np.zeros(0), np.zeros(0), "numerical difficulties"
        return real(solver, *args)

    monkeypatch.setattr(_assign_lp, "_run_core", failing_ipm)
    retried = assign_optimal(score, allowed, capacity)
    assert "simplex" in solvers
    assert retried.method == "highs-lp"
    assert retried.total == pytest.approx(expected.total, abs=1e-9)
    np.testing.assert_array_equal(retried.approach, expected.approach)
    np.testing.assert_allclose(retried.capacity_price, expected.capacity_price, atol=1e-9)


def test_without_scipys_highs_binding_linprog_gives_the_same_plan(rng, monkeypatch):
    # The LPs run on HiGHS's binding when scipy has it, else through linprog (IPM, then
    # the dual simplex); either way the plan, its total and its prices are the same.
    n, m = 300, 5
    score, allowed = random_pairs(rng, n, m, density=0.5, decimals=1)
    capacity = np.array([10, 25, 3, 40, 0])
    groups = {"g": rng.random(n) < 0.3}
    direct = assign_optimal(score, allowed, capacity)
    shared = assign_optimal(score, allowed, capacity, groups=groups, min_share={"g": 0.4})
    monkeypatch.setattr(_assign_lp, "_core", None)
    real = _assign_lp.linprog
    methods = []

    def spy(*args, method, **kwargs):
        methods.append(method)
        if method == "highs-ipm" and len(methods) == 1:
            return SimpleNamespace(status=4, message="numerical difficulties")
        return real(*args, method=method, **kwargs)

    monkeypatch.setattr(_assign_lp, "linprog", spy)
    via_linprog = assign_optimal(score, allowed, capacity)
    assert methods[:2] == ["highs-ipm", "highs-ds"]
    np.testing.assert_array_equal(via_linprog.approach, direct.approach)
    np.testing.assert_array_equal(via_linprog.capacity_price, direct.capacity_price)
    assert via_linprog.total == direct.total
    shared_linprog = assign_optimal(score, allowed, capacity, groups=groups, min_share={"g": 0.4})
    np.testing.assert_array_equal(shared_linprog.approach, shared.approach)
    assert shared_linprog.total == shared.total


def test_zero_score_pairs_fill_places_that_would_stay_empty():
    score = np.array([[0.0], [0.0]])
    plan = assign_optimal(score, np.ones((2, 1), bool), [1])
    assert plan.n_assigned == 1
    assert plan.total == 0.0


def test_the_same_input_gives_the_same_plan(rng):
    n, m = 400, 5
    score, allowed = random_pairs(rng, n, m, density=0.4, decimals=1)
    capacity = rng.integers(0, 30, m)
    first = assign_optimal(score, allowed, capacity)
    second = assign_optimal(score.copy(), allowed.copy(), capacity.copy())
    np.testing.assert_array_equal(first.approach, second.approach)
    np.testing.assert_array_equal(first.capacity_price, second.capacity_price)
    assert first.total == second.total


@pytest.mark.parametrize(
    ("n", "m", "capacity"),
    [(0, 3, [1, 1, 1]), (4, 0, []), (3, 2, [0, 0])],
    ids=["no clients", "no approaches", "no places"],
)
def test_degenerate_requests_assign_nobody(n, m, capacity):
    plan = assign_optimal(np.full((n, m), 0.5), np.ones((n, m), bool), capacity)
    assert plan.n_assigned == 0
    assert plan.total == 0.0
    assert plan.approach.shape == (n,)
    assert plan.filled.shape == plan.capacity_price.shape == (m,)


def test_no_allowed_pairs_assign_nobody():
    plan = assign_optimal(np.full((3, 2), 0.5), np.zeros((3, 2), bool), [2, 2])
    np.testing.assert_array_equal(plan.approach, [-1, -1, -1])
    np.testing.assert_array_equal(plan.capacity_price, [0.0, 0.0])


def test_result_arrays_cannot_be_changed():
    plan = assign_optimal(np.full((2, 2), 0.5), np.ones((2, 2), bool), [1, 1])
    with pytest.raises(ValueError, match="read-only"):
        plan.approach[0] = 1
