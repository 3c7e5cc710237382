"""Caseload planning: assign clients to approaches that have few places each.

:func:`assign_optimal` finds the assignment with the highest total score exactly (HiGHS,
over the allowed pairs only), optionally under group min-share requirements, and prices
each approach's places. :func:`assign_greedy` is the baseline it is measured against.
The solver machinery lives in ``_solve`` (the transportation LP) and
``_shares`` (the min-share MILP); validation in ``_pairs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.planning._lp import Index
from matchkit.planning._pairs import Pairs, build_pairs, build_shares
from matchkit.planning._shares import meets_shares, solve_shares
from matchkit.planning._solve import capacity_prices, greedy, max_score

__all__ = ["Assignment", "assign_greedy", "assign_optimal", "gap"]


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Assignment:
    """Who goes where, the total score, and what each approach's places are worth.

    Attributes
    ----------
    approach : ndarray of int64, shape (n_clients,)
        Index of the assigned approach per client, -1 when unassigned.
    score : ndarray of float64, shape (n_clients,)
        Score of each client's assigned pair, NaN when unassigned.
    total : float
        Sum of the assigned scores.
    filled : ndarray of int64, shape (n_approaches,)
        Places used per approach.
    capacity_price : ndarray of float64, shape (n_approaches,)
        Shadow price of each approach's capacity: how much the optimal total would rise
        with one more place there. 0 where places are left; the largest prices mark the
        bottlenecks. NaN where not defined: for ``"greedy"`` and for a ``"highs-milp"``
        plan whose group shares bind (an integer program has no duals).
    method : str
        ``"highs-lp"``, ``"highs-milp"`` or ``"greedy"``.
    optimal_total : float or None
        For a greedy plan compared with the optimum, the optimum's total; else ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from matchkit.planning._assignment import assign_optimal
    >>> score = np.array([[0.9, 0.5], [0.8, 0.1], [0.3, 0.6]])
    >>> plan = assign_optimal(score, np.ones((3, 2), dtype=bool), [1, 2])
    >>> plan.approach.tolist(), round(plan.total, 2)
    ([1, 0, 1], 1.9)
    >>> plan.capacity_price.round(2).tolist()  # one more place at approach 0 adds 0.4
    [0.4, 0.0]
    """

    approach: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    total: float
    filled: npt.NDArray[np.int64]
    capacity_price: npt.NDArray[np.float64]
    method: str
    optimal_total: float | None = None

    @property
    def n_assigned(self) -> int:
        """Number of clients assigned to an approach."""
        return int(np.count_nonzero(self.approach >= 0))

    @property
    def gap(self) -> float | None:
        """``optimal_total - total`` for a greedy plan compared with the optimum, else ``None``."""
        return gap(self.total, self.optimal_total)


def gap(total: float, optimal_total: float | None) -> float | None:
    """How far a plan's total falls short of the optimum; ``None`` when not compared."""
    return None if optimal_total is None else optimal_total - total


def _total(pairs: Pairs, chosen: Index) -> float:
    # fsum rounds once, so the same multiset of scores always gives the same total.
    return math.fsum(pairs.score[chosen].tolist())


def _assignment(
    pairs: Pairs,
    chosen: Index,
    method: str,
    price: npt.NDArray[np.float64],
    optimal_total: float | None = None,
) -> Assignment:
    approach = np.full(pairs.n_clients, -1, dtype=np.int64)
    approach[pairs.client[chosen]] = pairs.approach[chosen]
    score = np.full(pairs.n_clients, np.nan)
    score[pairs.client[chosen]] = pairs.score[chosen]
    filled = np.bincount(pairs.approach[chosen], minlength=pairs.n_approaches).astype(np.int64)
    return Assignment(
        approach=_frozen(approach),
        score=_frozen(score),
        total=_total(pairs, chosen),
        filled=_frozen(filled),
        capacity_price=_frozen(price),
        method=method,
        optimal_total=optimal_total,
    )


def assign_optimal(
    score: npt.ArrayLike,
    allowed: npt.ArrayLike,
    capacity: npt.ArrayLike,
    *,
    exclude: npt.ArrayLike | None = None,
    groups: Mapping[str, npt.ArrayLike] | None = None,
    min_share: Mapping[str, float] | None = None,
) -> Assignment:
    """Assign each client to at most one approach, maximising the total score exactly.

    Only pairs that are allowed and not excluded are used, and approach ``j`` receives at
    most ``capacity[j]`` clients. Among equally good plans the one placing the most clients
    is returned (so a client with an allowed zero-score pair fills a place that would stay
    empty). The LP is built over the allowed pairs only and solved with HiGHS; its matrix is
    totally unimodular, so the LP optimum is an integer optimum (checked; a MILP is the
    fallback). Remaining ties go by the caseload order: going down the clients in order,
    each gets the best option (an approach earlier in the column order first, any place
    before none) that an equally good plan gives them while the clients before them keep
    theirs (:func:`matchkit.planning._ties.client_order`).

    With ``min_share``, "among the assigned clients, at least ``min_share[g]`` belong to
    ``groups[g]``" is enforced without shrinking the plan: at least as many clients are
    assigned as in the unconstrained optimum (otherwise assigning nobody, or leaving places
    empty, would meet any share), and the total score is maximised under that (a MILP).
    Among plans of equal total score the one nearest the asked shares is returned (least
    total overshoot, so an equal-score plan meets a share within one client when it can);
    see :func:`matchkit.planning._shares.closest_to_shares`. The caseload order then decides
    among the plans that also place as many clients of each group combination.

    Parameters
    ----------
    score : array_like of float, shape (n_clients, n_approaches)
        Expected benefit of each pair; must lie in [0, 1] wherever ``allowed``.
    allowed : array_like of bool, shape (n_clients, n_approaches)
        Pairs that may be assigned (eligible, or eligible plus to-verify).
    capacity : array_like of int, shape (n_approaches,)
        Places per approach, non-negative.
    exclude : array_like of bool, shape (n_clients, n_approaches), optional
        Pairs that may not be assigned even though allowed.
    groups : mapping of str to array_like of bool, shape (n_clients,), optional
        Named client groups, such as ``{"women": is_woman}``.
    min_share : mapping of str to float, optional
        Minimum share in [0, 1] of each named group among the assigned clients.

    Returns
    -------
    Assignment
        ``method`` is ``"highs-lp"``, or ``"highs-milp"`` when group shares bind (then
        ``capacity_price`` is NaN) or in the rare fallback.

    Raises
    ------
    AssignmentError
        When an input is malformed (shape, dtype, a score outside [0, 1] or NaN on an
        allowed pair, a negative or fractional capacity, a share outside [0, 1], a share
        for an unknown group), or when the shares cannot be met; that message names the
        group, the share asked and the best achievable share.

    Notes
    -----
    Capacity prices are the least optimal LP duals of the capacity constraints, which is
    exactly the gain in the optimal total from one more place (by total unimodularity).
    Scores that differ by less than HiGHS's tolerance (1e-7) count as ties.
    """
    pairs = build_pairs(score, allowed, capacity, exclude)
    shares = build_shares(groups, min_share, pairs.n_clients)
    optimum = max_score(pairs)
    if not shares:
        return _assignment(
            pairs, optimum.chosen, optimum.method, capacity_prices(pairs, optimum.chosen)
        )
    if meets_shares(pairs, optimum.chosen, shares):
        # The shares do not bind, but among the equally good plans take the one nearest
        # the asked shares (the tie rule of closest_to_shares), not one far above them.
        chosen = solve_shares(pairs, shares, optimum.chosen)
        return _assignment(pairs, chosen, optimum.method, capacity_prices(pairs, chosen))
    chosen = solve_shares(pairs, shares, optimum.chosen)
    return _assignment(pairs, chosen, "highs-milp", np.full(pairs.n_approaches, np.nan))


def assign_greedy(
    score: npt.ArrayLike,
    allowed: npt.ArrayLike,
    capacity: npt.ArrayLike,
    *,
    exclude: npt.ArrayLike | None = None,
    compare_optimal: bool = True,
) -> Assignment:
    """Assign greedily: best pair first, while the client is free and the approach has room.

    Pairs are taken by score descending, ties by client index, then approach index. This
    is the baseline that :func:`assign_optimal` improves on; it ignores group shares.

    Parameters
    ----------
    score, allowed, capacity, exclude
        As for :func:`assign_optimal`.
    compare_optimal : bool, default True
        Also solve the problem exactly and report the optimum's total, so that
        :attr:`Assignment.gap` tells what greedy leaves on the table.

    Returns
    -------
    Assignment
        With ``method="greedy"``, NaN ``capacity_price`` and ``optimal_total`` set when
        ``compare_optimal``.

    Raises
    ------
    AssignmentError
        When an input is malformed, as for :func:`assign_optimal`.
    """
    pairs = build_pairs(score, allowed, capacity, exclude)
    optimal_total = _total(pairs, max_score(pairs).chosen) if compare_optimal else None
    return _assignment(
        pairs, greedy(pairs), "greedy", np.full(pairs.n_approaches, np.nan), optimal_total
    )
