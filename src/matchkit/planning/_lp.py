"""HiGHS machinery for the assignment LP: sparse rows, column generation, MILP.

Over the candidate pairs only, maximise ``sum s_ij x_ij`` subject to ``sum_j x_ij <= 1``
(a client gets at most one approach) and ``sum_i x_ij <= c_j`` (places). The constraint
matrix is the incidence matrix of a bipartite graph, so it is totally unimodular: with
integer capacities every vertex of the LP is integral, and an LP solve that ends at a
vertex (HiGHS's interior point method with crossover) is an exact integer solve.

What keeps 100,000 clients fast:

* **Column generation.** The LP starts from each client's best pair; pairs with a positive
  reduced cost under the LP's duals (each client's best such pair) are added until none is
  left, which certifies optimality over all pairs. Few clients ever need a second pair.
* **No row for a client with one pair.** Its ``x <= 1`` is a bound, so the first LP has
  only the m capacity rows.
* **The interior point method with presolve** (and crossover, so a vertex): steady where
  the dual simplex stalls (places close to clients); with scipy 1.17's HiGHS, presolve
  made the LPs of a 100,000 x 25 request about 3x faster than without.
* **HiGHS's own binding.** scipy's ``linprog`` copies each column's bound marginals in a
  Python loop after the solve (about 0.4 s per LP of 100,000 columns); the binding that
  scipy ships (``scipy.optimize._highspy._core``, private) takes the same LP and returns
  the same vertex without it. When an older scipy lacks it, ``linprog`` is used instead;
  ``tests/assign/test_optimal.py`` checks that both give the same plan.

:class:`Side` rows (the min-share problem) break total unimodularity; the same machinery
still solves their LP relaxation and yields its duals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matchkit.errors import AssignmentError
from matchkit.planning._pairs import Pairs

# scipy.optimize's names, bound by _load_optimize on first use.
Bounds: Any = None
LinearConstraint: Any = None
linprog: Any = None
milp: Any = None
_core: Any = None  # HiGHS's own binding; stays None on a scipy without it
_optimize_loaded = False


def _load_optimize() -> None:
    """Import scipy.optimize on first use, not with ``import matchkit``.

    It was a quarter of the command line's start-up (0.18 s of 0.73 s, ``python -X
    importtime``, 5 December 2026) and only planning needs it.
    """
    global Bounds, LinearConstraint, linprog, milp, _core, _optimize_loaded
    if _optimize_loaded:
        return
    from scipy import optimize

    Bounds, LinearConstraint = optimize.Bounds, optimize.LinearConstraint
    linprog, milp = optimize.linprog, optimize.milp
    try:  # HiGHS's own binding as scipy ships it: no per-column Python loop around the solve
        from scipy.optimize._highspy import _core as core
    except ImportError:  # pragma: no cover - older scipy: linprog gives the same vertex
        core = None
    _core = core
    _optimize_loaded = True


Index = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Vector = npt.NDArray[np.float64]

#: HiGHS's default primal and dual feasibility tolerance; scores closer than this tie.
TOL = 1e-7


@dataclass(frozen=True, eq=False)
class Side:
    """A few extra constraints ``coef @ x >= lower`` over all pairs.

    Attributes
    ----------
    coef : ndarray of float64, shape (r, pairs.size)
        One dense row per constraint (every pair has a coefficient).
    lower : ndarray of float64, shape (r,)
        Lower bounds.
    """

    coef: npt.NDArray[np.float64]
    lower: Vector


@dataclass(frozen=True, eq=False)
class LP:
    """An optimal vertex of an LP over some pairs, with duals in maximisation form.

    Attributes
    ----------
    x : ndarray of float64
        Value of each selected pair.
    client_dual, capacity_dual, side_dual : ndarray of float64
        Duals of the client rows (n,), capacity rows (m,) and side rows (r,).
    bound : float
        The dual objective: an upper bound on every solution over pairs whose reduced
        cost (:func:`reduced_cost`) is at most 0.
    """

    x: Vector
    client_dual: Vector
    capacity_dual: Vector
    side_dual: Vector
    bound: float


@dataclass(frozen=True, eq=False)
class _Rows:
    """The constraint rows of the pairs ``select``: clients with several pairs, approaches."""

    matrix: sp.csr_array
    rhs: Vector
    clients: Index  # the clients that have a row, ascending
    single: Mask  # per selected pair: its client has no other selected pair (no row)


def _rows(pairs: Pairs, select: Index) -> _Rows:
    client, approach = pairs.client[select], pairs.approach[select]
    single = np.bincount(client, minlength=pairs.n_clients)[client] == 1
    clients, client_row = np.unique(client[~single], return_inverse=True)
    column = np.arange(select.size)
    matrix = sp.csr_array(
        (
            np.ones(select.size + np.count_nonzero(~single)),
            (
                np.concatenate([client_row.astype(np.int64), clients.size + approach]),
                np.concatenate([column[~single], column]),
            ),
        ),
        shape=(clients.size + pairs.n_approaches, select.size),
    )
    rhs = np.concatenate([np.ones(clients.size), pairs.capacity.astype(np.float64)])
    return _Rows(matrix, rhs, clients.astype(np.int64), single)


def prune(
    pairs: Pairs, select: Index, *, kind: Index | None = None, score: Vector | None = None
) -> Index:
    """Drop the pairs of ``select`` that rank below the total number of places.

    With ``T`` places in all, a pair whose client ranks ``T``-th or lower in its approach's
    column (score descending, client index ascending) is never needed: if it were used, one
    of the ``T`` better-ranked clients would be unassigned and could take the place without
    lowering the total or changing the count.

    Parameters
    ----------
    pairs : Pairs
        The request.
    select : ndarray of int64
        Pairs to consider, ascending.
    kind : ndarray of int64, shape (n_clients,), optional
        A client type; ranks are then taken per (approach, type), which keeps the argument
        valid under constraints that count clients per type.
    score : ndarray of float64, shape (pairs.size,), optional
        The scores to rank by, if not ``pairs.score``.

    Returns
    -------
    ndarray of int64
        The kept subset of ``select``, ascending.
    """
    places = int(pairs.capacity.sum())
    key = pairs.approach[select]
    if kind is not None:
        key = key * (int(kind.max(initial=0)) + 1) + kind[pairs.client[select]]
    if select.size == 0 or np.bincount(key).max() <= places:
        return select
    value = (pairs.score if score is None else score)[select]
    order = np.lexsort((pairs.client[select], -value, key))
    sorted_key = key[order]
    rank = np.arange(select.size) - np.searchsorted(sorted_key, sorted_key, side="left")
    return np.sort(select[order[rank < places]])


def _run(
    cost: Vector,
    matrix: sp.csc_array,
    row_lower: Vector,
    row_upper: Vector,
    col_lower: Vector,
    col_upper: Vector,
) -> tuple[Vector, Vector] | None:
    """Minimise ``cost @ x`` over ``row_lower <= matrix @ x <= row_upper`` and column bounds.

    Returns the optimal vertex and the row duals, or ``None`` when infeasible. The interior
    point method with crossover (so a vertex) comes first; should it give up, the dual
    simplex is a different road to the same optimum. Runs HiGHS directly when scipy exposes
    its binding (:data:`_core`), else through ``linprog``; both give an optimal vertex.
    """
    _load_optimize()
    for solver in ("ipm", "simplex"):
        if _core is not None:
            found = _run_core(solver, cost, matrix, row_lower, row_upper, col_lower, col_upper)
        else:
            found = _run_linprog(solver, cost, matrix, row_lower, row_upper, col_lower, col_upper)
        status, x, row_dual, message = found
        if status == "infeasible":
            return None
        if status == "optimal":
            return x, row_dual
    raise AssignmentError(f"HiGHS could not solve the assignment LP: {message}")


def _run_core(
    solver: str,
    cost: Vector,
    matrix: sp.csc_array,
    row_lower: Vector,
    row_upper: Vector,
    col_lower: Vector,
    col_upper: Vector,
) -> tuple[str, Vector, Vector, str]:
    assert _core is not None
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lower, col_upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data.astype(np.float64)
    highs = _core._Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("solver", solver)
    highs.setOptionValue("presolve", "on" if solver == "ipm" else "off")
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    message = highs.modelStatusToString(status)
    if status == _core.HighsModelStatus.kInfeasible:
        return "infeasible", np.zeros(0), np.zeros(0), message
    if status != _core.HighsModelStatus.kOptimal:
        return "failed", np.zeros(0), np.zeros(0), message
    solution = highs.getSolution()
    return (
        "optimal",
        np.asarray(solution.col_value, dtype=np.float64),
        np.asarray(solution.row_dual, dtype=np.float64),
        message,
    )


def _run_linprog(
    solver: str,
    cost: Vector,
    matrix: sp.csc_array,
    row_lower: Vector,
    row_upper: Vector,
    col_lower: Vector,
    col_upper: Vector,
) -> tuple[str, Vector, Vector, str]:
    rows = sp.csr_array(matrix)
    eq = row_lower == row_upper
    up = ~eq & np.isfinite(row_upper)  # rows with a finite lower bound only are >= rows
    low = ~eq & ~up
    res = linprog(
        cost,
        A_ub=sp.vstack([rows[up], -rows[low]], format="csr"),
        b_ub=np.concatenate([row_upper[up], -row_lower[low]]),
        A_eq=rows[eq] if eq.any() else None,
        b_eq=row_upper[eq] if eq.any() else None,
        bounds=np.column_stack([col_lower, col_upper]),
        method="highs-ipm" if solver == "ipm" else "highs-ds",
        options={"presolve": solver == "ipm"},
    )
    if res.status == 2:
        return "infeasible", np.zeros(0), np.zeros(0), str(res.message)
    if res.status != 0:
        return "failed", np.zeros(0), np.zeros(0), str(res.message)
    row_dual = np.zeros(row_lower.size)
    row_dual[up] = res.ineqlin.marginals[: np.count_nonzero(up)]
    row_dual[low] = -res.ineqlin.marginals[np.count_nonzero(up) :]
    if eq.any():
        row_dual[eq] = res.eqlin.marginals
    return "optimal", np.asarray(res.x, dtype=np.float64), row_dual, str(res.message)


def solve_lp(
    pairs: Pairs,
    select: Index,
    gain: Vector,
    *,
    fill_client: Mask | None = None,
    fill_approach: Mask | None = None,
    side: Side | None = None,
) -> LP | None:
    """Maximise ``gain @ x`` over the pairs ``select``, ending at a vertex.

    ``fill_client`` and ``fill_approach`` turn the matching constraints into equalities
    (the client is assigned, the approach is full). Returns ``None`` when infeasible.
    """
    n, m = pairs.n_clients, pairs.n_approaches
    if select.size == 0:
        if side is not None and (side.lower > 0).any():
            return None
        r = 0 if side is None else side.lower.size
        return LP(np.zeros(0), np.zeros(n), np.zeros(m), np.zeros(r), 0.0)
    rows = _rows(pairs, select)
    fill_single = np.zeros(select.size, bool)
    fill = np.zeros(rows.rhs.size, bool)
    if fill_client is not None:
        fill_single = rows.single & fill_client[pairs.client[select]]
        fill[: rows.clients.size] = fill_client[rows.clients]
    if fill_approach is not None:
        fill[rows.clients.size :] = fill_approach
    side_coef = np.zeros((0, select.size)) if side is None else side.coef[:, select]
    side_lower = np.zeros(0) if side is None else side.lower
    solved = _run(
        -gain,
        sp.vstack([rows.matrix, sp.csr_array(side_coef)], format="csc"),
        np.concatenate([np.where(fill, rows.rhs, -np.inf), side_lower]),
        np.concatenate([rows.rhs, np.full(side_lower.size, np.inf)]),
        fill_single.astype(np.float64),
        np.where(rows.single, 1.0, np.inf),
    )
    if solved is None:
        return None
    x, row_dual = solved
    # HiGHS's row duals are derivatives of the minimised -gain: negate them for the matching
    # rows (an upper bound binds), keep them for the side rows (a lower bound binds).
    dual = -row_dual[: fill.size]
    side_dual = row_dual[fill.size :]
    client_dual = np.zeros(n)
    client_dual[rows.clients] = dual[: rows.clients.size]
    capacity_dual = dual[rows.clients.size :]
    # A client without a row has its dual on the bound x <= 1: what its pair earns net of
    # the prices of the rows it is in.
    single = np.flatnonzero(rows.single)
    net = gain[single] - capacity_dual[pairs.approach[select[single]]]
    net += side_dual @ side_coef[:, single]
    client_dual[pairs.client[select[single]]] = np.where(
        fill_single[single], net, np.maximum(net, 0.0)
    )
    bound = client_dual.sum() + pairs.capacity @ capacity_dual - side_dual @ side_lower
    return LP(x, client_dual, capacity_dual, side_dual, bound)


def reduced_cost(pairs: Pairs, select: Index, lp: LP, side: Side | None = None) -> Vector:
    """Return each pair's reduced cost: positive where it would improve the LP's optimum."""
    reduced = (
        pairs.score[select]
        - lp.client_dual[pairs.client[select]]
        - lp.capacity_dual[pairs.approach[select]]
    )
    if side is not None:
        reduced += lp.side_dual @ side.coef[:, select]
    return reduced


def best_per_client(pairs: Pairs, select: Index, value: Vector) -> Index:
    """Each client's pair in ``select`` with the highest ``value`` (ties: lower approach)."""
    client = pairs.client[select]
    order = np.lexsort((pairs.approach[select], -value, client))
    first = np.ones(order.size, bool)
    first[1:] = client[order[1:]] != client[order[:-1]]
    return np.sort(select[order[first]])


def column_generation(
    pairs: Pairs, universe: Index, start: Index, side: Side | None = None
) -> tuple[Index, LP] | None:
    """Solve the LP over ``universe`` by adding columns to ``start`` while they improve it.

    Returns the final selection and its optimal LP, whose duals are then optimal over the
    whole universe; ``None`` when the LP over ``start`` and the columns added so far is
    infeasible (the universe may still be feasible).
    """
    select = start
    selected = np.zeros(pairs.size, bool)
    selected[select] = True
    while True:
        lp = solve_lp(pairs, select, pairs.score[select], side=side)
        if lp is None:
            return None
        reduced = reduced_cost(pairs, universe, lp, side)
        improving = (reduced > TOL) & ~selected[universe]
        if not improving.any():
            return select, lp
        better = np.flatnonzero(improving)
        selected[best_per_client(pairs, universe[better], reduced[better])] = True
        select = np.flatnonzero(selected)


def solve_milp(pairs: Pairs, select: Index, gain: Vector, side: Side | None = None) -> Mask | None:
    """Maximise ``gain @ x`` over binary ``x`` on ``select``; ``None`` when infeasible."""
    if select.size == 0:
        return np.zeros(0, bool) if side is None or (side.lower <= 0).all() else None
    _load_optimize()
    rows = _rows(pairs, select)
    constraints = [LinearConstraint(rows.matrix, -np.inf, rows.rhs)]
    if side is not None:
        constraints.append(LinearConstraint(side.coef[:, select], side.lower, np.inf))
    res = milp(
        -gain,
        integrality=np.ones(select.size),
        bounds=Bounds(0, 1),
        constraints=constraints,
        # The default relative gap (1e-4) would stop short of the optimum; HiGHS's absolute
        # gap (1e-6) still ends the search.
        options={"mip_rel_gap": 0.0, "presolve": False},
    )
    if res.status == 2:
        return None
    if res.status != 0:
        raise AssignmentError(f"HiGHS could not solve the assignment MILP: {res.message}")
    chosen = integral(np.asarray(res.x, dtype=np.float64))
    if chosen is None:  # pragma: no cover - HiGHS returns integral MILP solutions
        raise AssignmentError("HiGHS returned a fractional solution to the assignment MILP")
    return chosen


def integral(x: Vector) -> Mask | None:
    """Return ``x`` as a 0/1 mask, or ``None`` when some entry is not within 1e-6 of 0 or 1."""
    rounded = np.round(x)
    if x.size and (np.abs(x - rounded).max() > 1e-6 or rounded.min() < 0 or rounded.max() > 1):
        return None
    return rounded > 0.5
