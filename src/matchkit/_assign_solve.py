"""The exact transportation problem behind caseload planning, solved with HiGHS.

Over the candidate pairs only, maximise ``sum s_ij x_ij`` subject to ``sum_j x_ij <= 1``
(a client gets at most one approach) and ``sum_i x_ij <= c_j`` (places). The constraint
matrix is the incidence matrix of a bipartite graph, so it is totally unimodular: with
integer capacities every vertex of the LP is integral, and an LP solve that ends at a
vertex (HiGHS's interior point method with crossover) is an exact integer solve.
Integrality is still checked; a MILP is the fallback.

What keeps 100,000 clients fast:

* **Column generation.** The LP starts from each client's best pair; pairs with a positive
  reduced cost under the LP's duals (each client's best such pair) are added until none is
  left, which certifies optimality over all pairs. Few clients ever need a second pair.
* **No row for a client with one pair.** Its ``x <= 1`` is a bound, so the first LP has
  only the m capacity rows.
* **No HiGHS presolve.** On these LPs presolve costs seconds and removes nothing; the
  interior point method is steady where the dual simplex stalls (places close to clients).
* **Prices from the primal.** The capacity prices are not HiGHS's marginals, which are one
  arbitrary point of a non-unique dual on these degenerate LPs, but the least optimal dual,
  computed exactly from the integral optimum by a longest-path pass over the approaches
  (see :func:`capacity_prices`).

The min-share MILP (``_assign_shares``) cannot use duals; it shrinks its input with
:func:`prune` instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from matchkit._assign_problem import Pairs
from matchkit.errors import AssignmentError

Index = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Vector = npt.NDArray[np.float64]

#: HiGHS's default primal and dual feasibility tolerance; scores closer than this tie.
TOL = 1e-7


@dataclass(frozen=True, eq=False)
class Optimum:
    """An optimal assignment of the plain problem, as indices into the pairs."""

    chosen: Index
    method: str


@dataclass(frozen=True, eq=False)
class _LP:
    x: Vector
    client_dual: Vector  # (n,)
    capacity_dual: Vector  # (m,)


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
) -> _LP:
    """Maximise ``gain @ x`` over the pairs ``select``, ending at a vertex.

    ``fill_client`` and ``fill_approach`` turn the matching constraints into equalities
    (the client is assigned, the approach is full).
    """
    n, m = pairs.n_clients, pairs.n_approaches
    client_dual, capacity_dual = np.zeros(n), np.zeros(m)
    if select.size == 0:
        return _LP(np.zeros(0), client_dual, capacity_dual)
    rows = _rows(pairs, select)
    fill_single = np.zeros(select.size, bool)
    fill = np.zeros(rows.rhs.size, bool)
    if fill_client is not None:
        fill_single = rows.single & fill_client[pairs.client[select]]
        fill[: rows.clients.size] = fill_client[rows.clients]
    if fill_approach is not None:
        fill[rows.clients.size :] = fill_approach
    bounds = np.column_stack([fill_single, np.where(rows.single, 1.0, np.inf)])
    res = linprog(
        -gain,
        A_ub=rows.matrix[~fill],
        b_ub=rows.rhs[~fill],
        A_eq=rows.matrix[fill] if fill.any() else None,
        b_eq=rows.rhs[fill] if fill.any() else None,
        bounds=bounds,
        method="highs-ipm",
        options={"presolve": False},
    )
    if res.status != 0:
        raise AssignmentError(f"HiGHS could not solve the assignment LP: {res.message}")
    dual = np.empty(fill.size)
    dual[~fill] = -res.ineqlin.marginals
    if fill.any():
        dual[fill] = -res.eqlin.marginals
    client_dual[rows.clients] = dual[: rows.clients.size]
    capacity_dual[:] = dual[rows.clients.size :]
    # A client without a row has its dual on the bound x <= 1: what its pair earns net of
    # the approach's price.
    single = np.flatnonzero(rows.single)
    net = gain[single] - capacity_dual[pairs.approach[select[single]]]
    client_dual[pairs.client[select[single]]] = np.where(
        fill_single[single], net, np.maximum(net, 0.0)
    )
    return _LP(np.asarray(res.x, dtype=np.float64), client_dual, capacity_dual)


def solve_milp(
    pairs: Pairs, select: Index, gain: Vector, extra: list[LinearConstraint] | None = None
) -> Mask | None:
    """Maximise ``gain @ x`` over binary ``x`` on ``select``; ``None`` when infeasible."""
    if select.size == 0:
        return np.zeros(0, bool)
    rows = _rows(pairs, select)
    res = milp(
        -gain,
        integrality=np.ones(select.size),
        bounds=Bounds(0, 1),
        constraints=[LinearConstraint(rows.matrix, -np.inf, rows.rhs), *(extra or [])],
        # The default relative gap (1e-4) would stop short of the optimum; HiGHS's absolute
        # gap (1e-6) still ends the search.
        options={"mip_rel_gap": 0.0},
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


def _count_bound(pairs: Pairs) -> int:
    """Return an upper bound on how many clients can be placed at all."""
    per_approach = np.bincount(pairs.approach, minlength=pairs.n_approaches)
    reachable = np.minimum(per_approach, pairs.capacity).sum()
    return int(min(np.unique(pairs.client).size, reachable))


def _best_per_client(pairs: Pairs, select: Index, value: Vector) -> Index:
    """Each client's pair in ``select`` with the highest ``value`` (ties: lower approach)."""
    client = pairs.client[select]
    order = np.lexsort((pairs.approach[select], -value, client))
    first = np.ones(order.size, bool)
    first[1:] = client[order[1:]] != client[order[:-1]]
    return np.sort(select[order[first]])


def _reduced_cost(pairs: Pairs, select: Index, lp: _LP) -> Vector:
    """Return ``s_ij - u_i - y_j``: positive where a pair would improve the LP's optimum."""
    return (
        pairs.score[select]
        - lp.client_dual[pairs.client[select]]
        - lp.capacity_dual[pairs.approach[select]]
    )


def _max_score_lp(pairs: Pairs) -> tuple[Index, _LP] | None:
    """Solve by column generation; the optimum with its duals, or ``None`` if fractional."""
    every = np.arange(pairs.size, dtype=np.int64)
    select = _best_per_client(pairs, every, pairs.score)
    while True:
        lp = solve_lp(pairs, select, pairs.score[select])
        reduced = _reduced_cost(pairs, every, lp)
        improving = reduced > TOL
        improving[select] = False
        if not improving.any():
            break
        better = np.flatnonzero(improving)
        select = np.union1d(select, _best_per_client(pairs, better, reduced[better]))
    chosen = integral(lp.x)
    return None if chosen is None else (select[chosen], lp)


def _most_placed_lp(pairs: Pairs, chosen: Index, lp: _LP) -> Index:
    """Among the optimal assignments, return one that places the most clients.

    An assignment is optimal exactly when it satisfies complementary slackness with the
    optimal duals ``lp``: it uses only pairs with zero reduced cost, assigns every client
    with a positive dual and fills every approach with a positive dual. Those conditions
    keep the matrix totally unimodular, so maximising the count over them is an LP.
    """
    if chosen.size >= _count_bound(pairs):
        return chosen
    tight = np.flatnonzero(_reduced_cost(pairs, np.arange(pairs.size), lp) >= -TOL)
    most = solve_lp(
        pairs,
        tight,
        np.ones(tight.size),
        fill_client=lp.client_dual > TOL,
        fill_approach=lp.capacity_dual > TOL,
    )
    better = integral(most.x)
    if better is None or better.sum() <= chosen.size:
        return chosen
    candidate = tight[better]
    # Tolerances could in principle admit a pair that costs score; never trade score away.
    if pairs.score[candidate].sum() < pairs.score[chosen].sum() - TOL:
        return chosen
    return candidate


def _most_placed_milp(pairs: Pairs) -> Index:
    """Solve by MILP instead: best total first, then the most clients at that total."""
    kept = prune(pairs, np.arange(pairs.size, dtype=np.int64))
    best = solve_milp(pairs, kept, pairs.score[kept])
    assert best is not None  # nobody assigned is always feasible
    total = float(pairs.score[kept][best].sum())
    at_total = LinearConstraint(pairs.score[kept][np.newaxis, :], total - TOL, np.inf)
    most = solve_milp(pairs, kept, np.ones(kept.size), [at_total])
    return kept[best if most is None else most]


def max_score(pairs: Pairs) -> Optimum:
    """Solve the plain problem exactly.

    Returns the assignment with the highest total score and, among those, one placing
    the most clients (clients with an allowed zero-score pair fill places left empty).
    """
    found = _max_score_lp(pairs)
    if found is None:
        return Optimum(np.sort(_most_placed_milp(pairs)), "highs-milp")
    chosen, lp = found
    return Optimum(np.sort(_most_placed_lp(pairs, chosen, lp)), "highs-lp")


def max_count(pairs: Pairs, select: Index) -> int:
    """Return how many clients the pairs ``select`` can place at once, ignoring scores."""
    kept = prune(pairs, select, score=np.zeros(pairs.size))
    chosen = integral(solve_lp(pairs, kept, np.ones(kept.size)).x)
    if chosen is None:
        chosen = solve_milp(pairs, kept, np.ones(kept.size))
        assert chosen is not None  # nobody assigned is always feasible
    return int(chosen.sum())


def capacity_prices(pairs: Pairs, chosen: Index) -> Vector:
    """Return, per approach, how much the optimal total rises with one more place.

    ``chosen`` must be an optimal assignment of the plain problem. Among the optimal LP
    duals the capacity prices form a lattice; its least element is the right derivative
    of the optimal total in each capacity, which by total unimodularity is exactly the gain
    from one more place. With ``u_i = s_{i,a(i)} - y_{a(i)}`` for assigned clients and
    ``u_i = 0`` otherwise, dual feasibility ``u_i + y_j >= s_ij`` reads

        y_j >= s_ij                              (i unassigned)
        y_j >= y_k + s_ij - s_ik                 (i assigned to k)

    and ``y_j = 0`` where approach ``j`` has a free place. The least solution is a longest
    path over the m approaches: the best chain "give the new place at j to a client moved
    from k, whose place goes to ..., ending with an unassigned client".
    """
    m = pairs.n_approaches
    assigned = np.full(pairs.n_clients, -1, dtype=np.int64)
    assigned[pairs.client[chosen]] = pairs.approach[chosen]
    own = np.zeros(pairs.n_clients)
    own[pairs.client[chosen]] = pairs.score[chosen]
    full = np.bincount(pairs.approach[chosen], minlength=m) >= pairs.capacity

    source = assigned[pairs.client]
    free = source < 0
    base = np.zeros(m)
    np.maximum.at(base, pairs.approach[free], pairs.score[free])
    move = ~free & (source != pairs.approach)
    step = np.full((m, m), -np.inf)
    np.maximum.at(
        step,
        (source[move], pairs.approach[move]),
        pairs.score[move] - own[pairs.client[move]],
    )
    base[~full] = 0.0
    price = base
    for _ in range(m):  # no positive cycle at an optimum, so m rounds reach the fixed point
        longer = np.maximum(base, (price[:, np.newaxis] + step).max(axis=0, initial=-np.inf))
        longer[~full] = 0.0
        if np.array_equal(longer, price):
            break
        price = longer
    return price


def greedy(pairs: Pairs) -> Index:
    """Assign pairs by score descending (ties: client, then approach) while places last."""
    order = np.lexsort((pairs.approach, pairs.client, -pairs.score))
    left = pairs.capacity.tolist()
    free = [True] * pairs.n_clients
    places = sum(left)
    chosen = []
    clients, approaches = pairs.client[order].tolist(), pairs.approach[order].tolist()
    for k, i, j in zip(order.tolist(), clients, approaches, strict=True):
        if places == 0:
            break
        if free[i] and left[j] > 0:
            free[i] = False
            left[j] -= 1
            places -= 1
            chosen.append(k)
    return np.sort(np.asarray(chosen, dtype=np.int64))
