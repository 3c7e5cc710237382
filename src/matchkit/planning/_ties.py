"""The tie rule: among equally good plans, clients earlier in the caseload choose first.

Many plans often share the best total score. :func:`client_order` picks one by a rule a
case manager can be told: go down the caseload in its order; each client gets the best
option that some equally good plan gives them while keeping what the clients before them
got, where a place at an approach earlier in the catalog beats one later, and any place
beats none. The plan is then the lexicographically least vector of options (approach
index, "unplaced" last) among the equally good plans.

"Equally good" keeps every count that went before it: the total score, the number of
clients placed and, under min-share constraints, the number placed from each combination
of groups. The plans that keep those counts differ from one another by cycles: a client
moves from approach ``k`` to ``l``, another moves from ``l`` onwards, ..., and one ends in
``k`` again, where an empty place, or being unplaced, also moves (an unplaced client only
among clients of the same groups). With ``m`` approaches these cycles live on a graph of
``m`` nodes plus one "unplaced" node per group combination, so:

1. Node potentials ``pi`` (longest paths, Bellman-Ford over the nodes) make every move's
   score change at most ``pi[l] - pi[k]``; at an optimum no cycle gains, and a cycle keeps
   the total exactly when each of its moves is *tight* (equality, within ``TOL``). A
   client's tight nodes do not change as it moves, so each client has a fixed set of
   nodes it may occupy.
2. Clients are fixed in caseload order. A client at node ``o`` can get a preferred node
   ``p`` exactly when, among clients not yet fixed and empty places, a chain of tight
   moves leads from ``p`` back to ``o`` (a breadth-first search over the small node graph,
   counting who can move where).

The result is exact: any equally good plan that agrees with the fixed clients is
reachable by such cycles, so each client gets the best option any of them gives it.
"""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from matchkit.planning._lp import TOL, Index
from matchkit.planning._pairs import Pairs


def _potentials(weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """Longest paths from a virtual root joined to every node by 0; None on a gaining cycle."""
    size = weight.shape[0]
    pi = np.zeros(size)
    for _ in range(size + 1):
        longer = np.maximum(pi, (pi[:, np.newaxis] + weight).max(axis=0, initial=0.0))
        # A solver's optimum may leave a cycle gaining less than its tolerance; such moves
        # count as ties (TOL), as everywhere in planning, rather than stopping the rule.
        if np.all(longer <= pi + TOL):
            return pi
        pi = longer
    return None


def client_order(pairs: Pairs, chosen: Index, kind: Index | None = None) -> Index:
    """Return the plan the tie rule selects among the plans as good as ``chosen``.

    Without ``kind`` the plan first places as many clients as an equally good plan can:
    while a chain of tight moves leads from an unplaced client to an empty place at no
    loss, it is taken (an augmenting path; when none is left, no equally good plan places
    more). With ``kind`` the counts of ``chosen`` are kept as they are.

    Parameters
    ----------
    pairs : Pairs
        The request.
    chosen : ndarray of int64
        An optimal plan (pair indices): of best total score among all plans, or, with
        ``kind``, among the plans with its count of clients placed from each kind.
    kind : ndarray of int64, shape (n_clients,), optional
        Client types whose placed counts must be kept (group combinations under
        min-share); by default one type, so only the number placed is kept.

    Returns
    -------
    ndarray of int64
        Pair indices of the selected plan, ascending. ``chosen`` itself when no plan
        agrees better with the caseload order, or when ``chosen`` is not optimal among
        those plans (a gaining cycle, which the solvers never leave).
    """
    n, m = pairs.n_clients, pairs.n_approaches
    fill = kind is None
    kind = np.zeros(n, dtype=np.int64) if kind is None else kind
    size = m + int(kind.max(initial=0)) + 1
    node = m + kind  # per client: an approach, or the "unplaced" node of its type
    node[pairs.client[chosen]] = pairs.approach[chosen]
    own = np.zeros(n)
    own[pairs.client[chosen]] = pairs.score[chosen]
    seats = pairs.capacity - np.bincount(pairs.approach[chosen], minlength=m)

    # The best score change of a move k -> l (empty places move at no change).
    weight = np.full((size, size), -np.inf)
    np.maximum.at(weight, (node[pairs.client], pairs.approach), pairs.score - own[pairs.client])
    placed = np.flatnonzero(node < m)
    np.maximum.at(weight, (node[placed], m + kind[placed]), -own[placed])
    weight[np.ix_(seats > 0, np.arange(m))] = np.maximum(
        weight[np.ix_(seats > 0, np.arange(m))], 0.0
    )
    if fill:  # an empty place filled from the unplaced: a cycle that closes through U
        has_seat = np.flatnonzero(seats > 0)
        weight[has_seat, m] = np.maximum(weight[has_seat, m], 0.0)
    pi = _potentials(weight)
    if pi is None:
        return chosen

    # Each client's tight nodes (its slack at the current node is the least).
    slack_now = pi[node] - np.where(node < m, own, 0.0)
    pair_tight = pi[pairs.approach] - pairs.score <= slack_now[pairs.client] + TOL
    pair_tight &= pairs.approach != node[pairs.client]
    unplace_tight = np.zeros(n, bool)
    unplace_tight[placed] = pi[m + kind[placed]] <= slack_now[placed] + TOL
    flexible = np.bincount(pairs.client[pair_tight], minlength=n) + unplace_tight > 0
    if not flexible.any():
        return chosen
    seat_nodes = np.flatnonzero(seats > 0)
    seat_tight = np.zeros((size, size), bool)
    if seat_nodes.size:
        low = pi[seat_nodes].min()
        level = np.flatnonzero(pi[:m] <= low + TOL)
        seat_tight[np.ix_(level, level)] = True
        np.fill_diagonal(seat_tight, False)

    tight: dict[int, list[int]] = {}
    for i, j in zip(
        pairs.client[pair_tight].tolist(), pairs.approach[pair_tight].tolist(), strict=True
    ):
        tight.setdefault(i, []).append(j)
    for i in np.flatnonzero(unplace_tight).tolist():
        tight.setdefault(i, []).append(m + int(kind[i]))
    at = node.tolist()
    nodes_of = {i: sorted([at[i], *others]) for i, others in tight.items()}
    fillable = [k for k in range(m) if fill and seats[k] > 0 and pi[k] >= pi[m] - TOL]
    return _fix_in_order(pairs, nodes_of, at, seats, seat_tight, size, fillable)


def _toward(count: list[list[int]], o: int) -> dict[int, int]:
    """Search backwards from ``o`` over moves that have movers: each node's next step to ``o``."""
    ahead = {o: o}
    queue = deque([o])
    nodes = range(len(count))
    while queue:
        v = queue.popleft()
        for u in nodes:
            if count[u][v] > 0 and u not in ahead:
                ahead[u] = v
                queue.append(u)
    return ahead


def _ahead(count: list[list[int]], start: int) -> dict[int, int]:
    """Search forwards from ``start`` over moves that have movers: each node's predecessor."""
    behind = {start: start}
    queue = deque([start])
    nodes = range(len(count))
    while queue:
        v = queue.popleft()
        for u in nodes:
            if count[v][u] > 0 and u not in behind:
                behind[u] = v
                queue.append(u)
    return behind


def _fix_in_order(
    pairs: Pairs,
    nodes_of: dict[int, list[int]],
    at: list[int],
    seats: npt.NDArray[np.int64],
    seat_tight: npt.NDArray[np.bool_],
    size: int,
    fillable: list[int],
) -> Index:
    """Fix the flexible clients in caseload order, each at its best reachable node.

    First, while a chain of moves leads from the unplaced node (``size - 1`` when
    ``fillable`` is not empty) to an empty place at a ``fillable`` node, it is taken.
    """
    m = pairs.n_approaches
    seat_count = [0] * size
    seat_count[:m] = seats.tolist()
    seat_to = [np.flatnonzero(row).tolist() for row in seat_tight]
    # count[k][l]: how many movers (clients not yet fixed, empty places) can go k -> l;
    # movers[k][l]: those clients, as a stack checked lazily (fixed or moved on = stale).
    count = [[0] * size for _ in range(size)]
    for k in range(m):
        for q in seat_to[k]:
            count[k][q] += seat_count[k]
    movers: list[list[list[int]]] = [[[] for _ in range(size)] for _ in range(size)]
    for i, options in nodes_of.items():
        for q in options:
            if q != at[i]:
                count[at[i]][q] += 1
                movers[at[i]][q].append(i)
    fixed: set[int] = set()

    def take(k: int, q: int) -> int:
        stack = movers[k][q]
        while stack[-1] in fixed or at[stack[-1]] != k:
            stack.pop()
        return stack[-1]

    def shift(chain: list[int]) -> None:
        """Move one mover along each step of ``chain``."""
        for k, nxt in pairwise(chain):
            if seat_tight[k, nxt] and seat_count[k] > 0:
                seat_count[k] -= 1
                seat_count[nxt] += 1
                for q in seat_to[k]:
                    count[k][q] -= 1
                for q in seat_to[nxt]:
                    count[nxt][q] += 1
                continue
            x = take(k, nxt)
            for q in nodes_of[x]:
                if q != k:
                    count[k][q] -= 1
                if q != nxt:
                    count[nxt][q] += 1
                    movers[nxt][q].append(x)
            at[x] = nxt

    unplaced = size - 1
    while fillable:
        reach = _ahead(count, unplaced)
        end = next((k for k in fillable if k in reach and seat_count[k] > 0), -1)
        if end < 0:
            break
        chain = [end]
        while chain[-1] != unplaced:
            chain.append(reach[chain[-1]])
        shift(chain[::-1])
        seat_count[end] -= 1
        for q in seat_to[end]:
            count[end][q] -= 1

    # Searches are cached per target node until a move is made or a count reaches 0 (only
    # then can the graph of moves with movers change).
    version = 0
    cache: dict[int, tuple[int, dict[int, int]]] = {}
    for i in sorted(nodes_of):
        o = at[i]
        fixed.add(i)
        for q in nodes_of[i]:
            if q != o:
                count[o][q] -= 1
                if count[o][q] == 0:
                    version += 1
        better = [p for p in nodes_of[i] if p < o]
        if not better:
            continue
        cached = cache.get(o)
        if cached is None or cached[0] != version:
            cached = cache[o] = (version, _toward(count, o))
        ahead = cached[1]
        p = next((p for p in better if p in ahead), -1)
        if p < 0:
            continue
        chain = [p]
        while chain[-1] != o:
            chain.append(ahead[chain[-1]])
        at[i] = p
        shift(chain)
        version += 1

    final = np.asarray(at, dtype=np.int64)
    keep = np.flatnonzero(final < m)
    key = pairs.client * m + pairs.approach  # ascending: pairs are ordered by client
    return np.sort(np.searchsorted(key, keep * m + final[keep])).astype(np.int64)
