"""Group min-share requirements on an assignment, solved as a MILP with HiGHS.

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
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import LinearConstraint

from matchkit._assign_problem import Pairs, Share
from matchkit._assign_solve import Index, max_count, prune, solve_milp
from matchkit.errors import AssignmentError


def meets_shares(pairs: Pairs, chosen: Index, shares: list[Share]) -> bool:
    """Return whether the assignment ``chosen`` meets every share."""
    clients = pairs.client[chosen]
    return all(
        np.count_nonzero(share.member[clients]) >= share.share * clients.size - 1e-9
        for share in shares
    )


def solve_shares(pairs: Pairs, shares: list[Share], floor: int) -> Index:
    """Maximise the total score with at least ``floor`` clients assigned and the shares met.

    Parameters
    ----------
    pairs : Pairs
        The request.
    shares : list of Share
        The requirements, at least one.
    floor : int
        How many clients the unconstrained optimum assigns.

    Returns
    -------
    ndarray of int64
        Indices of the chosen pairs, ascending.

    Raises
    ------
    AssignmentError
        When no assignment of at least ``floor`` clients meets every share.
    """
    # Clients of the same type (same memberships) are interchangeable for every
    # constraint, so pruning may rank them per (approach, type).
    kind = np.zeros(pairs.n_clients, dtype=np.int64)
    for bit, share in enumerate(shares):
        kind |= share.member.astype(np.int64) << bit
    kept = prune(pairs, np.arange(pairs.size, dtype=np.int64), kind=kind)
    member = [share.member[pairs.client[kept]] for share in shares]
    rows = np.vstack(
        [np.ones(kept.size)] + [m - share.share for m, share in zip(member, shares, strict=True)]
    )
    lower = np.array([floor] + [0.0] * len(shares), dtype=np.float64)
    chosen = solve_milp(pairs, kept, pairs.score[kept], [LinearConstraint(rows, lower, np.inf)])
    if chosen is None:
        raise _infeasible(pairs, shares, floor)
    return kept[chosen]


def _infeasible(pairs: Pairs, shares: list[Share], floor: int) -> AssignmentError:
    reach = {
        share.name: max_count(pairs, np.flatnonzero(share.member[pairs.client])) for share in shares
    }
    best = {name: min(reached, floor) / max(floor, 1) for name, reached in reach.items()}
    short = [share for share in shares if reach[share.name] < share.share * floor - 1e-9]
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
