"""Candidate pools: who in a caseload could enter each approach, and who is left out.

The report's hardest practical problem is recruitment (chapter 5, §4.2.8): approaches stall
for lack of suitable candidates. A pool shows, per approach, how many clients are eligible or
to be verified, which rules exclude most, which facts are most often missing, the expected
number of entrants after intake, and how the pool is made up by audit group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._check import check_instance, check_mapping, check_number
from matchkit._text import clip_repr
from matchkit.errors import ParameterError
from matchkit.planning._groups import group_masks, group_rows
from matchkit.planning._pairs import MAX_CAPACITY
from matchkit.recommend._recommender import BatchResult
from matchkit.recommend._scoring import ELIGIBLE, INELIGIBLE, VERIFY

__all__ = ["DEFAULT_SELECTION_RATIO", "DEFAULT_VERIFY_PASS_RATE", "Pools", "candidate_pools"]

DEFAULT_SELECTION_RATIO: Final = 0.5
"""Share of candidates who enter after the intake when the catalog gives no ratio.

An assumption: the report gives one ratio (Aandacht doet bewegen, 5 of 12, §3.7.2) and
stresses that many invited clients do not come or do not fit (§4.2.8). Override per approach.
"""

DEFAULT_VERIFY_PASS_RATE: Final = 0.5
"""Share of ``verify`` candidates expected to turn out eligible at intake (an assumption)."""


@dataclass(frozen=True)
class Pools:
    """Candidate pools of a caseload, one table per question.

    Attributes
    ----------
    summary : DataFrame
        Per approach: ``places``, ``eligible``, ``verify``, ``ineligible``,
        ``selection_ratio``, ``expected_entrants``, ``places_filled_share`` (expected
        entrants over places, capped at 1) and ``not_offered``: clients who would fit
        (eligible or verify) where the approach is not offered, the demand for adopting it.
        ``eligible`` and ``verify`` count offered pairs only.
    excluding_rules : DataFrame
        Per approach and hard rule: clients for whom the rule is false, and their share of
        the caseload, most excluding first.
    to_verify : DataFrame
        Per approach and field: ``verify`` clients for whom the field must be checked.
    groups : DataFrame
        Per approach and audit group: eligible and verify counts, the group's share of the
        pool (eligible + verify) and of the caseload.
    to_arrange : DataFrame
        Per approach and condition to arrange (transport, childcare, ...): clients in the
        pool who need it arranged (``clients``) and for whom it is unknown (``unknown``).
    """

    summary: pd.DataFrame
    excluding_rules: pd.DataFrame
    to_verify: pd.DataFrame
    groups: pd.DataFrame
    to_arrange: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["approach_id", "arrange_id", "clients", "unknown"]
        )
    )


def candidate_pools(
    result: BatchResult,
    *,
    selection_ratios: Mapping[str, float] | None = None,
    verify_pass_rate: float = DEFAULT_VERIFY_PASS_RATE,
    capacity: Mapping[str, int] | None = None,
) -> Pools:
    """Count the candidates of every approach in a recommended caseload.

    Parameters
    ----------
    result : BatchResult
        From :meth:`matchkit.Recommender.recommend_batch`.
    selection_ratios : mapping of approach id to float, optional
        Share of candidates who actually enter after intake; overrides the catalog's
        ``facts.selection_ratio`` and :data:`DEFAULT_SELECTION_RATIO`.
    verify_pass_rate : float
        Share of ``verify`` candidates expected to turn out eligible.
    capacity : mapping of approach id to int, optional
        Places per approach, as passed to :func:`matchkit.plan_assignment`; approaches not
        named keep the catalog's ``facts.capacity``.

    Returns
    -------
    Pools

    Notes
    -----
    ``expected_entrants = (eligible + verify_pass_rate * verify) * selection_ratio``.
    """
    check_instance("result", result, BatchResult, "a BatchResult from Recommender.recommend_batch")
    verify_pass_rate = check_number("verify_pass_rate", verify_pass_rate, low=0.0, high=1.0)
    overrides = dict(
        check_mapping("selection_ratios", selection_ratios, "a mapping of id to ratio")
    )
    unknown = sorted(set(overrides) - set(result.approach_ids), key=str)
    if unknown:
        raise ParameterError(
            f"selection_ratios names {clip_repr(unknown)}, not in the catalog; "
            f"expected ids from {', '.join(result.approach_ids)}"
        )
    for key, value in overrides.items():
        overrides[key] = check_number(
            f"selection_ratios[{key!r}]", value, low=0.0, high=1.0, low_open=True
        )
    places_by_id = _places(result, capacity)
    n = len(result)
    summary_rows = []
    rule_rows = []
    verify_rows = []
    arrange_rows = []
    for j, approach in enumerate(result.catalog.approaches):
        status = result.status[:, j]
        offered = result.offered[:, j]
        eligible = int(((status == ELIGIBLE) & offered).sum())
        verify = int(((status == VERIFY) & offered).sum())
        ratio = overrides.get(approach.id)
        if ratio is None and approach.facts.selection_ratio is not None:
            ratio = float(approach.facts.selection_ratio.value)
        if ratio is None:
            ratio = DEFAULT_SELECTION_RATIO
        expected = (eligible + verify_pass_rate * verify) * ratio
        places = places_by_id[approach.id]
        summary_rows.append(
            {
                "approach_id": approach.id,
                "places": places,
                "eligible": eligible,
                "verify": verify,
                "ineligible": int((status == INELIGIBLE).sum()),
                "selection_ratio": ratio,
                "expected_entrants": expected,
                "places_filled_share": min(expected / places, 1.0) if places else np.nan,
                "not_offered": int(result.not_offered[:, j].sum()),
            }
        )
        in_pool = (status != INELIGIBLE) & offered
        state = result.arrange_state[j][in_pool]
        for k, entry in enumerate(approach.arrange):
            arrange_rows.append(
                {
                    "approach_id": approach.id,
                    "arrange_id": entry.id,
                    "clients": int((state[:, k] == 0).sum()),
                    "unknown": int((state[:, k] == -1).sum()),
                }
            )
        false = (result.rule_state[j] == 0).sum(axis=0)
        for rule, count in zip(approach.rules, false, strict=True):
            rule_rows.append(
                {
                    "approach_id": approach.id,
                    "rule_id": rule.id,
                    "rule": rule.rule,
                    "clients_excluded": int(count),
                    "share_excluded": count / n if n else 0.0,
                }
            )
        names, bits = result.verify_fields(j)
        for name, count in zip(names, bits.sum(axis=0), strict=True):
            if count:
                verify_rows.append(
                    {"approach_id": approach.id, "field": name, "clients": int(count)}
                )
    excluding = pd.DataFrame(
        rule_rows, columns=["approach_id", "rule_id", "rule", "clients_excluded", "share_excluded"]
    ).sort_values(["approach_id", "clients_excluded"], ascending=[True, False], ignore_index=True)
    to_verify = pd.DataFrame(verify_rows, columns=["approach_id", "field", "clients"]).sort_values(
        ["approach_id", "clients"], ascending=[True, False], ignore_index=True
    )
    return Pools(
        pd.DataFrame(summary_rows).set_index("approach_id"),
        excluding,
        to_verify,
        _group_table(result),
        pd.DataFrame(arrange_rows, columns=["approach_id", "arrange_id", "clients", "unknown"]),
    )


def _places(result: BatchResult, capacity: Mapping[str, int] | None) -> dict[str, int]:
    places = {a.id: a.places for a in result.catalog.approaches}
    capacity = check_mapping("capacity", capacity, "a mapping of approach id to places")
    for key, value in capacity.items():
        if key not in places:
            raise ParameterError(
                f"capacity: approach_id={key!r} is not in the catalog; expected one of "
                + ", ".join(result.approach_ids)
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
    return places


def _group_table(result: BatchResult) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    masks = group_masks(result.caseload)
    n = len(result)
    for j, approach_id in enumerate(result.approach_ids):
        status = np.where(result.offered[:, j], result.status[:, j], INELIGIBLE)
        stats = _pool_stats(status.astype(np.int8), n)
        rows += ({"approach_id": approach_id, **row} for row in group_rows(masks, stats))
    return pd.DataFrame(rows)


def _pool_stats(
    status: npt.NDArray[np.int8], n: int
) -> Callable[[npt.NDArray[np.bool_]], dict[str, object]]:
    in_pool = status != INELIGIBLE
    pool_size = int(in_pool.sum())

    def stats(mask: npt.NDArray[np.bool_]) -> dict[str, object]:
        return {
            "eligible": int((mask & (status == ELIGIBLE)).sum()),
            "verify": int((mask & (status == VERIFY)).sum()),
            "share_of_pool": (mask & in_pool).sum() / pool_size if pool_size else np.nan,
            "share_of_caseload": mask.sum() / n if n else np.nan,
        }

    return stats
