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
* **No HiGHS presolve.** On these LPs presolve costs seconds and removes nothing; the
  interior point method is steady where the dual simplex stalls (places close to clients).

:class:`Side` rows (the min-share problem) break total unimodularity; the same machinery
still solves their LP relaxation and yields its duals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from matchkit.errors import AssignmentError
from matchkit.planning._pairs import Pairs

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
    problem = {
        "c": -gain,
        "A_ub": sp.vstack([rows.matrix[~fill], sp.csr_array(-side_coef)], format="csr"),
        "b_ub": np.concatenate([rows.rhs[~fill], -side_lower]),
        "A_eq": rows.matrix[fill] if fill.any() else None,
        "b_eq": rows.rhs[fill] if fill.any() else None,
        "bounds": np.column_stack([fill_single, np.where(rows.single, 1.0, np.inf)]),
    }
    # Should the interior point method give up (numerical trouble), the dual simplex with
    # presolve is slower on these LPs but a different road to the same optimum.
    for method, presolve in (("highs-ipm", False), ("highs-ds", True)):
        res = linprog(**problem, method=method, options={"presolve": presolve})
        if res.status in (0, 2):
            break
    if res.status == 2:
        return None
    if res.status != 0:
        raise AssignmentError(f"HiGHS could not solve the assignment LP: {res.message}")
    dual = np.empty(fill.size)
    dual[~fill] = -res.ineqlin.marginals[: np.count_nonzero(~fill)]
    if fill.any():
        dual[fill] = -res.eqlin.marginals
    side_dual = -res.ineqlin.marginals[np.count_nonzero(~fill) :]
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
    return LP(np.asarray(res.x, dtype=np.float64), client_dual, capacity_dual, side_dual, bound)


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
    while True:
        lp = solve_lp(pairs, select, pairs.score[select], side=side)
        if lp is None:
            return None
        reduced = reduced_cost(pairs, universe, lp, side)
        improving = (reduced > TOL) & ~np.isin(universe, select, assume_unique=True)
        if not improving.any():
            return select, lp
        better = np.flatnonzero(improving)
        select = np.union1d(select, best_per_client(pairs, universe[better], reduced[better]))


def solve_milp(pairs: Pairs, select: Index, gain: Vector, side: Side | None = None) -> Mask | None:
    """Maximise ``gain @ x`` over binary ``x`` on ``select``; ``None`` when infeasible."""
    if select.size == 0:
        return np.zeros(0, bool) if side is None or (side.lower <= 0).all() else None
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
