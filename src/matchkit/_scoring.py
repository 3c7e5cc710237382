"""Rule status and target-profile similarity for a whole caseload at once.

The scoring model (``docs/scoring.md``) in one paragraph: every hard rule and every
preference of an approach's target profile is a piece of evidence with a weight and a match in
[0, 1] (a true rule matches 1, a false one 0; a graded preference matches by distance to the
preferred range). Evidence on unknown facts is left out. The score is the weighted mean match
shrunk towards a neutral prior by ``prior_weight`` pseudo-observations::

    score = (sum_known w * m + prior_weight * prior) / (sum_known w + prior_weight)

so an approach whose many specific criteria all fit scores higher than a broad one that only
a few criteria describe, and a fit judged on little known evidence stays near the prior.
``coverage`` is the share of the approach's total weight that was known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach, TargetEntry
from matchkit._columns import CaseloadColumns
from matchkit._fields import FIELDS, Kind, canonical_field

__all__ = [
    "ELIGIBLE",
    "INELIGIBLE",
    "VERIFY",
    "ApproachEvaluation",
    "ScoringModel",
    "evaluate_approach",
]

INELIGIBLE, VERIFY, ELIGIBLE = 0, 1, 2
STATUS_NAMES = ("ineligible", "verify", "eligible")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ScoringModel:
    """Parameters of the similarity score.

    Attributes
    ----------
    prior : float
        The score of an approach about which nothing is known (default 0.5: no opinion).
    prior_weight : float
        How many weight units of evidence the prior counts as (default 3.0). Higher values
        favour approaches with more matching criteria over broad ones more strongly.
    """

    prior: float = 0.5
    prior_weight: float = 3.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.prior <= 1.0:
            raise ValueError(f"prior={self.prior!r} is not allowed; expected a number in [0, 1]")
        if not self.prior_weight > 0:
            raise ValueError(f"prior_weight={self.prior_weight!r}: expected a number > 0")


@dataclass(frozen=True)
class ApproachEvaluation:
    """Everything computed for one approach over a caseload.

    Attributes
    ----------
    status : int8 array (n,)
        0 ineligible, 1 verify, 2 eligible.
    rule_state : int8 array (n, n_rules)
        Per hard rule: 1 true, 0 false, -1 unknown.
    target_match : float array (n, n_target)
        Match in [0, 1] of each preference, NaN where unknown.
    score, coverage : float arrays (n,)
    """

    status: npt.NDArray[np.int8]
    rule_state: npt.NDArray[np.int8]
    target_match: FloatArray
    score: FloatArray
    coverage: FloatArray


def graded_match(entry: TargetEntry, cols: CaseloadColumns) -> FloatArray:
    """Match in [0, 1] of a graded ``feature`` preference; NaN where the field is unknown."""
    assert entry.feature is not None
    assert entry.prefer is not None
    name = canonical_field(entry.feature)
    assert name is not None
    spec = FIELDS[name]
    values, known = cols.scalar(name)

    def level(v: object) -> float:
        if spec.kind is Kind.ENUM:
            return float(spec.values.index(str(v)))
        return float(v)  # type: ignore[arg-type]

    if "in" in entry.prefer:
        targets = np.array([level(v) for v in entry.prefer["in"]])
        dist = np.min(np.abs(values[:, None] - targets[None, :]), axis=1)
    else:
        lo = level(entry.prefer["min"]) if "min" in entry.prefer else -np.inf
        hi = level(entry.prefer["max"]) if "max" in entry.prefer else np.inf
        dist = np.maximum(lo - values, 0.0) + np.maximum(values - hi, 0.0)
    if entry.tolerance > 0:
        match = np.clip(1.0 - dist / entry.tolerance, 0.0, 1.0)
    else:
        match = (dist == 0).astype(np.float64)
    match[~known] = np.nan
    return np.asarray(match, dtype=np.float64)


def evaluate_approach(
    approach: Approach, cols: CaseloadColumns, model: ScoringModel
) -> ApproachEvaluation:
    """Evaluate the hard rules and the target profile of one approach on a caseload."""
    n = cols.n
    n_rules = len(approach.rules)
    rule_state = np.full((n, n_rules), -1, dtype=np.int8)
    num = np.zeros(n)
    den = np.zeros(n)
    any_false = np.zeros(n, dtype=bool)
    all_true = np.ones(n, dtype=bool)
    for j, (rule, compiled) in enumerate(zip(approach.rules, approach.compiled_rules, strict=True)):
        tri = compiled.evaluate(cols)
        rule_state[tri.true, j] = 1
        rule_state[tri.false, j] = 0
        any_false |= tri.false
        all_true &= tri.true
        known = tri.true | tri.false
        num += rule.weight * tri.true
        den += rule.weight * known
    target_match = np.full((n, len(approach.target)), np.nan)
    for k, (entry, compiled_t) in enumerate(
        zip(approach.target, approach.compiled_target, strict=True)
    ):
        if compiled_t is not None:
            tri = compiled_t.evaluate(cols)
            match = np.where(tri.true, 1.0, np.where(tri.false, 0.0, np.nan))
        else:
            match = graded_match(entry, cols)
        target_match[:, k] = match
        known = ~np.isnan(match)
        num += entry.weight * np.where(known, match, 0.0)
        den += entry.weight * known
    total = sum(r.weight for r in approach.rules) + sum(t.weight for t in approach.target)
    score = (num + model.prior_weight * model.prior) / (den + model.prior_weight)
    coverage = den / total if total > 0 else np.ones(n)
    status = np.full(n, VERIFY, dtype=np.int8)
    status[all_true] = ELIGIBLE
    status[any_false] = INELIGIBLE
    return ApproachEvaluation(status, rule_state, target_match, score, coverage)


def contributions(
    approach: Approach, evaluation: ApproachEvaluation, model: ScoringModel, row: int
) -> list[tuple[str, str, float]]:
    """Return (kind, id, contribution to the score) for one client and one approach.

    Contributions of the known rules and preferences, the prior's share, sum to the score.
    """
    weights_r = [r.weight for r in approach.rules]
    weights_t = [t.weight for t in approach.target]
    state = evaluation.rule_state[row]
    match = evaluation.target_match[row]
    den = sum(w for w, s in zip(weights_r, state, strict=True) if s >= 0)
    den += sum(w for w, m in zip(weights_t, match, strict=True) if not np.isnan(m))
    den += model.prior_weight
    out: list[tuple[str, str, float]] = []
    for r, w, s in zip(approach.rules, weights_r, state, strict=True):
        if s >= 0:
            out.append(("rule", r.id, w * float(s) / den))
    for t, w, m in zip(approach.target, weights_t, match, strict=True):
        if not np.isnan(m):
            out.append(("target", t.id, w * float(m) / den))
    out.append(("prior", "prior", model.prior_weight * model.prior / den))
    return out
