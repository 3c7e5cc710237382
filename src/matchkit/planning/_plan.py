"""Caseload planning: fill each approach's scarce places with the clients who fit best.

:func:`plan_assignment` turns recommendations and capacities into an optimal assignment
(each client to at most one approach, at most ``places`` clients per approach, maximum total
score), solved exactly with HiGHS (:mod:`matchkit.planning._assignment`), and reports what
the plan means: places filled, the price of each approach's capacity (which approach is the
bottleneck) and how each audit group fares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._check import check_bool, check_instance, check_mapping, check_number
from matchkit._text import clip_repr
from matchkit.errors import ParameterError
from matchkit.planning._assignment import Assignment, assign_greedy, assign_optimal
from matchkit.planning._groups import GroupMasks, group_masks, group_table
from matchkit.planning._pairs import MAX_CAPACITY
from matchkit.recommend._recommender import BatchResult
from matchkit.recommend._scoring import ELIGIBLE, VERIFY

__all__ = ["Plan", "group_names", "plan_assignment"]


@dataclass(frozen=True)
class Plan:
    """An assignment of clients to approaches, with what it means.

    Attributes
    ----------
    assignments : DataFrame
        ``client_id, approach_id, score`` for every client (approach_id ``None`` and score
        NaN when unassigned).
    summary : DataFrame
        Per approach: ``places``, ``candidates``, ``assigned``, ``mean_score`` and
        ``capacity_price`` (how much the total score would rise with one more place).
    groups : DataFrame
        Per audit group: clients, clients assigned, the group's share of the caseload and of
        the assigned clients.
    total_score : float
    method : str
        ``highs-lp``, ``highs-milp`` or ``greedy``.
    optimal_total : float or None
        For the greedy baseline: the optimum it is compared with.
    """

    assignments: pd.DataFrame
    summary: pd.DataFrame
    groups: pd.DataFrame
    total_score: float
    method: str
    optimal_total: float | None

    @property
    def gap(self) -> float | None:
        """How far the greedy baseline falls short of the optimum (None for the optimum)."""
        return None if self.optimal_total is None else self.optimal_total - self.total_score

    @property
    def bottleneck(self) -> str | None:
        """The approach whose capacity is worth the most.

        None when no capacity binds, or when prices are not defined (greedy plans, and
        integer plans whose group shares bind).
        """
        prices = self.summary["capacity_price"]
        if not len(prices) or prices.isna().all() or not prices.max() > 0:
            return None
        return str(prices.idxmax())


def group_names(result: BatchResult) -> list[str]:
    """Return the audit groups a minimum share can be set for, as ``dimension=group``."""
    masks = group_masks(result.caseload)
    return [f"{dim}={level}" for dim, levels in masks.items() for level in levels]


def _exclusion_mask(
    result: BatchResult, exclude: Mapping[str, Iterable[str]] | None
) -> npt.NDArray[np.bool_] | None:
    if not exclude:
        return None
    index = {cid: i for i, cid in enumerate(result.client_ids)}
    mask = np.zeros(result.status.shape, dtype=bool)
    problems = []
    for cid, approach_ids in exclude.items():
        if isinstance(approach_ids, str) or not isinstance(approach_ids, Iterable):
            raise TypeError(
                f"exclude[{clip_repr(cid)}]={clip_repr(approach_ids)}: expected a list of "
                "approach ids, not a single string"
            )
        if cid not in index:
            problems.append(f"exclude: client_id={cid!r} is not in the caseload")
            continue
        for approach_id in approach_ids:
            if approach_id not in result.approach_ids:
                problems.append(
                    f"exclude: approach_id={approach_id!r} (client {cid}) is not in the catalog"
                )
                continue
            mask[index[cid], result.approach_ids.index(approach_id)] = True
    if problems:
        raise ParameterError("; ".join(problems))
    return mask


def plan_assignment(
    result: BatchResult,
    *,
    capacity: Mapping[str, int] | None = None,
    include_verify: bool = False,
    min_share: Mapping[str, float] | None = None,
    exclude: Mapping[str, Iterable[str]] | None = None,
    method: Literal["optimal", "greedy"] = "optimal",
) -> Plan:
    """Assign clients to approaches within capacity, maximising the total score.

    Parameters
    ----------
    result : BatchResult
        Recommendations for the caseload.
    capacity : mapping of approach id to int, optional
        Places per approach; approaches not named keep the catalog's ``facts.capacity``.
    include_verify : bool
        Also assign ``verify`` pairs (to be confirmed at intake); by default only eligible.
    min_share : mapping of group to float, optional
        Minimum share of the assigned clients that must belong to a group, e.g.
        ``{"gender=female": 0.5}``; see :func:`group_names`.
    exclude : mapping of client_id to approach ids, optional
        Pairs that may not be assigned (the client declined, or was there before).
    method : {"optimal", "greedy"}
        The exact solver, or the fast greedy baseline (which reports its gap).

    Returns
    -------
    Plan

    Raises
    ------
    ParameterError
        For unknown approach ids, clients or groups, or negative capacities.
    AssignmentError
        When a minimum share cannot be met.
    """
    check_instance("result", result, BatchResult, "a BatchResult from Recommender.recommend_batch")
    capacity = check_mapping("capacity", capacity, "a mapping of approach id to places")
    min_share = check_mapping("min_share", min_share, "a mapping of group to share")
    exclude = check_mapping("exclude", exclude, "a mapping of client_id to approach ids")
    include_verify = check_bool("include_verify", include_verify)
    ids = result.approach_ids
    places = {a.id: a.places for a in result.catalog.approaches}
    for key, value in capacity.items():
        if key not in places:
            raise ParameterError(
                f"capacity: approach_id={key!r} is not in the catalog; expected one of "
                + ", ".join(ids)
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | np.integer)
            or not 0 <= value <= MAX_CAPACITY
        ):
            raise ParameterError(
                f"capacity: {key}={clip_repr(value)}: expected a whole number from 0 to 2**53"
            )
        places[key] = int(value)
    cap = np.array([places[i] for i in ids], dtype=np.int64)
    allowed = result.status == ELIGIBLE
    if include_verify:
        allowed |= result.status == VERIFY
    allowed &= result.offered  # an approach not offered here has no places here
    exclusion = _exclusion_mask(result, exclude)
    masks = group_masks(result.caseload)
    groups: dict[str, npt.NDArray[np.bool_]] = {}
    shares: dict[str, float] = {}
    for name, share in (min_share or {}).items():
        dim, _, level = name.partition("=")
        if dim not in masks or level not in masks[dim]:
            raise ParameterError(
                f"min_share: group {name!r} is not allowed; expected one of "
                + ", ".join(group_names(result))
            )
        groups[name] = masks[dim][level]
        shares[name] = check_number(f"min_share[{name!r}]", share, low=0.0, high=1.0)
    assignment: Assignment
    if method == "optimal":
        assignment = assign_optimal(
            result.score,
            allowed,
            cap,
            exclude=exclusion,
            groups=groups or None,
            min_share=shares or None,
        )
    elif method == "greedy":
        if shares:
            raise ParameterError("min_share needs method='optimal'; greedy ignores groups")
        assignment = assign_greedy(result.score, allowed, cap, exclude=exclusion)
    else:
        raise ParameterError(f"method={method!r} is not allowed; expected 'optimal' or 'greedy'")
    return _plan(result, assignment, cap, allowed, exclusion, masks)


def _plan(
    result: BatchResult,
    assignment: Assignment,
    cap: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
    exclusion: npt.NDArray[np.bool_] | None,
    masks: GroupMasks,
) -> Plan:
    ids = np.asarray(result.approach_ids, dtype=object)
    chosen = assignment.approach
    assigned = chosen >= 0
    approach_col = np.full(len(chosen), None, dtype=object)
    approach_col[assigned] = ids[chosen[assigned]]
    frame = pd.DataFrame(
        {
            "client_id": result.client_ids,
            "approach_id": approach_col,
            "score": assignment.score,
        }
    )
    usable = allowed if exclusion is None else allowed & ~exclusion
    rows = []
    for j, approach_id in enumerate(result.approach_ids):
        sel = chosen == j
        rows.append(
            {
                "approach_id": approach_id,
                "places": int(cap[j]),
                "candidates": int(usable[:, j].sum()),
                "assigned": int(sel.sum()),
                "mean_score": float(assignment.score[sel].mean()) if sel.any() else np.nan,
                "capacity_price": float(assignment.capacity_price[j]),
            }
        )
    summary = pd.DataFrame(rows).set_index("approach_id")
    n_assigned = int(assigned.sum())
    groups = group_table(
        masks,
        lambda mask: {
            "clients": int(mask.sum()),
            "assigned": int((mask & assigned).sum()),
            "share_of_caseload": mask.sum() / len(mask) if len(mask) else np.nan,
            "share_of_assigned": (mask & assigned).sum() / n_assigned if n_assigned else np.nan,
        },
    )
    return Plan(
        frame,
        summary,
        groups,
        float(assignment.total),
        assignment.method,
        assignment.optimal_total,
    )
