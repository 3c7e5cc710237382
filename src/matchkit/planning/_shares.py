"""Group min-share requirements on an assignment, solved exactly with HiGHS.

"At least a share ``s`` of the assigned clients belong to group ``g``" is met trivially by
assigning nobody, and more cheaply by leaving places empty than by serving group members.
So the planner first solves the unconstrained problem, keeps at least as many clients
assigned as that optimum (``floor``), and maximises the total score under the shares.

That floor is also the easiest count for a share: the sets of clients that can be
placed together form a (transversal) matroid, so among ``c`` placed clients at most
``min(c, r_g)`` can be in ``g``, where ``r_g`` is how many members can be placed at once.
The best achievable share ``min(1, r_g / c)`` falls as ``c`` grows, so when a share cannot
be met with ``floor`` clients it cannot be met with more; that best share is what an
error reports.

The shares break total unimodularity, so the integer program is solved as a MILP, but
only over the pairs that can matter. The LP relaxation is solved by column generation;
with its optimal duals, any assignment using a pair of reduced cost ``-d`` scores at most
``bound - d``. The MILP runs over the pairs with reduced cost at least ``-gap``; when its
optimum reaches ``bound - gap`` no excluded pair can beat it, and otherwise ``gap`` is
widened to ``bound - optimum`` and the MILP run once more, which is then certified.
"""

from __future__ import annotations

import math

import numpy as np

from matchkit.errors import AssignmentError
from matchkit.planning import _lp
from matchkit.planning._lp import (
    Index,
    Mask,
    Side,
    best_per_client,
    column_generation,
    prune,
    reduced_cost,
    solve_milp,
)
from matchkit.planning._pairs import Pairs, Share
from matchkit.planning._solve import most_placed
from matchkit.planning._ties import client_order

#: The first reduced-cost window of the MILP; typical integrality gaps are far smaller.
FIRST_GAP = 0.05


def meets_shares(pairs: Pairs, chosen: Index, shares: list[Share]) -> bool:
    """Return whether the assignment ``chosen`` meets every share."""
    clients = pairs.client[chosen]
    return all(
        np.count_nonzero(share.member[clients]) >= share.share * clients.size - 1e-9
        for share in shares
    )


def solve_shares(pairs: Pairs, shares: list[Share], plain: Index) -> Index:
    """Maximise the total score with at least ``plain.size`` clients assigned and the shares met.

    Parameters
    ----------
    pairs : Pairs
        The request.
    shares : list of Share
        The requirements, at least one.
    plain : ndarray of int64
        The unconstrained optimum (pair indices); its size is the floor on the count.

    Returns
    -------
    ndarray of int64
        Indices of the chosen pairs, ascending.

    Raises
    ------
    AssignmentError
        When no assignment of at least ``plain.size`` clients meets every share.
    """
    floor = plain.size
    # An assignment placing the most members of each group; with the plain optimum it
    # contains a solution meeting that group's share whenever one exists (augmenting paths
    # run over the union of two matchings), which keeps the restricted problems feasible.
    witness = {s.name: most_placed(pairs, np.flatnonzero(s.member[pairs.client])) for s in shares}
    reach = {name: chosen.size for name, chosen in witness.items()}
    short = [s for s in shares if reach[s.name] < s.share * floor - 1e-9]
    if short:
        raise _cannot_meet(shares, reach, floor, short)

    # Clients of the same type (same memberships) are interchangeable for every
    # constraint, so pruning may rank them per (approach, type).
    kind = np.zeros(pairs.n_clients, dtype=np.int64)
    for bit, share in enumerate(shares):
        kind |= share.member.astype(np.int64) << bit
    universe = prune(pairs, np.arange(pairs.size, dtype=np.int64), kind=kind)
    side = Side(
        np.vstack([np.ones(pairs.size)] + [s.member[pairs.client] - s.share for s in shares]),
        np.array([floor] + [0.0] * len(shares), dtype=np.float64),
    )
    keep = np.unique(np.concatenate([plain, *witness.values()]))
    start = np.union1d(best_per_client(pairs, universe, pairs.score[universe]), keep)
    found = column_generation(pairs, universe, start, side) or column_generation(
        pairs, universe, universe, side
    )
    if found is None:
        raise _cannot_meet(shares, reach, floor, [])
    _, lp = found
    reduced = reduced_cost(pairs, universe, lp, side)
    gap = FIRST_GAP
    while True:
        within = np.union1d(universe[reduced >= -gap], keep)
        chosen = solve_milp(pairs, within, pairs.score[within], side)
        if chosen is None:
            if math.isinf(gap):
                raise _cannot_meet(shares, reach, floor, [])
            gap = math.inf
            continue
        total = math.fsum(pairs.score[within[chosen]].tolist())
        if total >= lp.bound - gap - 1e-6:
            closest = closest_to_shares(pairs, within, chosen, side, shares, total)
            # Last, the caseload order, among the plans that place as many clients of
            # each group combination (so the shares, count and overshoot stay).
            return client_order(pairs, closest, kind)
        gap = lp.bound - total + 1e-6


#: Score a tie-broken plan may give up: equal within the solver's tolerance.
TIE_TOLERANCE = 1e-7


def closest_to_shares(
    pairs: Pairs, within: Index, chosen: Mask, side: Side, shares: list[Share], total: float
) -> Index:
    """Among plans of (equal) best total score, pick the one nearest the asked shares.

    The tie rule: keep the total score (within :data:`TIE_TOLERANCE` per assigned client)
    and the count, and minimise the total overshoot ``sum_g (members_g - share_g * count)``.
    So with equal scores a share asked for is met as closely as the places allow, within
    one client, instead of anywhere above it (a run asked for 0.6 and got 0.995).
    """
    gain = pairs.score[within]
    overshoot = np.zeros(within.size)
    for share in shares:
        overshoot += share.member[pairs.client[within]] - share.share
    if not np.any(overshoot[chosen] > 0):
        return within[chosen]
    count = int(chosen.sum())
    tol = TIE_TOLERANCE * max(count, 1)
    tie = Side(
        np.vstack([side.coef, pairs.score[None, :], np.ones((1, pairs.size))]),
        np.concatenate([side.lower, [total - tol, count]]),
    )
    better = _lp.solve_milp(pairs, within, -overshoot, tie)
    if better is None or math.fsum(gain[better].tolist()) < total - tol:
        return within[chosen]
    return within[better]


def _cannot_meet(
    shares: list[Share], reach: dict[str, int], floor: int, short: list[Share]
) -> AssignmentError:
    best = {name: min(reached, floor) / max(floor, 1) for name, reached in reach.items()}
    context = f"at least {floor} clients must be assigned (as many as the unconstrained optimum)"
    if short:
        problems = "; ".join(
            f"group {s.name!r} asks for min_share {s.share:g}, but at most "
            f"{reach[s.name]} of its members can be placed at once, so the best achievable "
            f"share is {reach[s.name]}/{floor} = {best[s.name]:.4g}"
            for s in short
        )
        return AssignmentError(
            f"min_share cannot be met: {context}; {problems}. Lower the share or allow more "
            "pairs for the group."
        )
    asked = {s.name: s.share for s in shares}
    achievable = {name: round(value, 4) for name, value in best.items()}
    return AssignmentError(
        f"min_share {asked} cannot be met together: {context}; each group alone can reach "
        f"its share (best achievable shares {achievable}), but not all at once. Lower a share "
        "or allow more pairs."
    )
