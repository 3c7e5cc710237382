"""The plain assignment problem: exact optimum, capacity prices, greedy baseline.

:func:`max_score` solves the transportation LP (``_lp``) and, among the optimal
plans, picks the one the tie rule selects (``_ties``): the most clients placed, then the
caseload order. :func:`capacity_prices` are not HiGHS's
marginals, which are one arbitrary point of a non-unique dual on these degenerate LPs, but
the least optimal dual, computed exactly from the integral optimum by a longest-path pass
over the approaches: the gain from one more place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matchkit.planning._lp import (
    LP,
    TOL,
    Index,
    Side,
    Vector,
    best_per_client,
    column_generation,
    integral,
    prune,
    solve_milp,
)
from matchkit.planning._pairs import Pairs
from matchkit.planning._ties import client_order


@dataclass(frozen=True, eq=False)
class Optimum:
    """An optimal assignment of the plain problem, as indices into the pairs."""

    chosen: Index
    method: str


def _plain_lp(pairs: Pairs) -> tuple[Index, LP] | None:
    """Solve the plain LP; the integral optimum with its duals, or ``None`` if fractional."""
    every = np.arange(pairs.size, dtype=np.int64)
    found = column_generation(pairs, every, best_per_client(pairs, every, pairs.score))
    assert found is not None  # nobody assigned is always feasible
    select, lp = found
    chosen = integral(lp.x)
    return None if chosen is None else (select[chosen], lp)


def _most_placed_milp(pairs: Pairs) -> Index:
    """Solve by MILP instead: best total first, then the most clients at that total."""
    kept = prune(pairs, np.arange(pairs.size, dtype=np.int64))
    best = solve_milp(pairs, kept, pairs.score[kept])
    assert best is not None  # nobody assigned is always feasible
    total = float(pairs.score[kept][best].sum())
    at_total = Side(pairs.score[np.newaxis, :], np.array([total - TOL]))
    most = solve_milp(pairs, kept, np.ones(kept.size), at_total)
    return kept[best if most is None else most]


def max_score(pairs: Pairs) -> Optimum:
    """Solve the plain problem exactly.

    Returns the assignment with the highest total score and, among those, one placing
    the most clients (clients with an allowed zero-score pair fill places left empty);
    among those, the one the caseload order selects (:func:`client_order`).
    """
    found = _plain_lp(pairs)
    if found is None:
        return Optimum(client_order(pairs, np.sort(_most_placed_milp(pairs))), "highs-milp")
    chosen, _ = found
    # client_order also places the most clients among the optimal plans (augmenting
    # chains at no loss).
    return Optimum(client_order(pairs, np.sort(chosen)), "highs-lp")


def most_placed(pairs: Pairs, select: Index) -> Index:
    """Return an assignment over the pairs ``select`` that places the most clients.

    Scores play no part: this is a maximum flow (source, clients, approaches, sink), solved
    exactly in integers by Dinic's algorithm.
    """
    # Imported here: csgraph pulls in scipy.linalg (0.09 s of `import matchkit`).
    from scipy.sparse.csgraph import maximum_flow

    n, m = pairs.n_clients, pairs.n_approaches
    source, sink = n + m, n + m + 1
    client, approach = pairs.client[select], pairs.approach[select]
    graph = sp.csr_array(
        (
            # A capacity above the number of clients binds like one equal to it; clipping keeps
            # the flow's edge capacities within int32 whatever the places asked for.
            np.concatenate([np.ones(n + select.size), np.minimum(pairs.capacity, n)]).astype(
                np.int32
            ),
            (
                np.concatenate([np.full(n, source), client, n + np.arange(m)]),
                np.concatenate([np.arange(n), n + approach, np.full(m, sink)]),
            ),
        ),
        shape=(n + m + 2, n + m + 2),
    )
    flow = maximum_flow(graph, source, sink, method="dinic").flow.tocoo()
    used = (flow.data > 0) & (flow.row < n) & (flow.col >= n) & (flow.col < n + m)
    key = client * m + approach  # ascending, as pairs are ordered by client, then approach
    found = flow.row[used].astype(np.int64) * m + (flow.col[used] - n)
    return np.sort(select[np.searchsorted(key, found)])


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
