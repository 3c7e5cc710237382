"""Rule status and target-profile similarity for a whole caseload at once.

The scoring model (``docs/scoring.md``) in one paragraph: every hard rule and every
preference of an approach's target profile is a piece of evidence with a match in [0, 1] (a
true rule matches 1, a false one 0; a graded preference matches by distance to the preferred
range). Each item counts with its catalog weight times its *specificity*: how rare a match is
in a reference population (``-ln`` of the share that matches, clipped), so a criterion nearly
everyone meets says little about fit. Evidence on unknown facts is left out. The score is the
matched share of the evidence, shrunk towards ``prior`` by ``prior_weight`` units::

    score = (sum_known v * m + prior_weight * prior) / (sum_known v + prior_weight)

where ``v = weight * specificity``. A *bonus* preference (a subgroup or a lever) enters only
as far as it matches (``v * m`` in both sums), so it can raise a score but never lower it.
``coverage`` is the share of the total evidence that was known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach, TargetEntry
from matchkit._check import check_bool, check_number
from matchkit._columns import CaseloadColumns
from matchkit._fields import FIELDS, SENSITIVE_FIELDS, Kind, canonical_field
from matchkit._text import clip_repr
from matchkit._types import FloatArray
from matchkit.errors import ParameterError
from matchkit.recommend._plan import ApproachStates
from matchkit.recommend._shared import CriterionCounts
from matchkit.rules import CompiledRule

__all__ = [
    "ELIGIBLE",
    "INELIGIBLE",
    "VERIFY",
    "ApproachEvaluation",
    "CatalogEvaluation",
    "LearnedScores",
    "ScoringModel",
    "evaluate_approach",
    "evaluate_approaches",
    "evaluate_catalog",
    "learned_scores",
    "stack_columns",
    "target_matches",
]

INELIGIBLE, VERIFY, ELIGIBLE = 0, 1, 2
STATUS_NAMES = ("ineligible", "verify", "eligible")


@dataclass(frozen=True)
class ScoringModel:
    """Parameters of the similarity score.

    Attributes
    ----------
    prior : float
        The score an approach gets without any known evidence (default 0: a fit has to be
        shown by what is known, not assumed).
    prior_weight : float
        How many units of evidence the prior counts as (default 3.0). Higher values favour
        approaches with more, and more specific, matching criteria.
    specificity : bool
        Weigh each criterion by how rare a match is in the reference population (default
        True). Without it every criterion counts with its catalog weight alone.
    specificity_bounds : (float, float)
        Clip of the specificity factor ``-ln(share matching)`` (default 0.05 to 3.0).
    """

    prior: float = 0.0
    prior_weight: float = 3.0
    specificity: bool = True
    specificity_bounds: tuple[float, float] = (0.05, 3.0)

    def __post_init__(self) -> None:
        check_number("prior", self.prior, low=0.0, high=1.0)
        check_number("prior_weight", self.prior_weight, low=0.0, high=1e6, low_open=True)
        check_bool("specificity", self.specificity)
        bounds = self.specificity_bounds
        if not isinstance(bounds, tuple | list) or len(bounds) != 2:
            raise ParameterError(
                f"specificity_bounds={clip_repr(bounds)}: expected (low, high) with 0 < low <= high"
            )
        lo = check_number("specificity_bounds[0]", bounds[0], low=0.0, high=1e6, low_open=True)
        hi = check_number("specificity_bounds[1]", bounds[1], low=0.0, high=1e6, low_open=True)
        if not lo <= hi:
            raise ParameterError(
                f"specificity_bounds={clip_repr(bounds)}: expected (low, high) with 0 < low <= high"
            )


@dataclass(frozen=True)
class Evidence:
    """Effective weights of one approach's criteria: catalog weight times specificity.

    Attributes
    ----------
    rules, target : float arrays
        One effective weight per hard rule and per target entry.
    rule_specificity, target_specificity : float arrays
        The specificity factors (1.0 when specificity is off).
    rule_share, target_mean : float arrays, optional
        Share of the reference population meeting each hard rule, and the mean match of each
        preference: what can be expected of an unknown fact (0.5 without a reference).
    """

    rules: FloatArray
    target: FloatArray
    rule_specificity: FloatArray
    target_specificity: FloatArray
    rule_share: FloatArray | None = None
    target_mean: FloatArray | None = None

    def shares(self) -> tuple[FloatArray, FloatArray]:
        """Return ``rule_share`` and ``target_mean``, 0.5 where no reference measured them."""
        return self._shares

    @cached_property
    def _shares(self) -> tuple[FloatArray, FloatArray]:
        r = np.full(len(self.rules), 0.5) if self.rule_share is None else self.rule_share
        t = np.full(len(self.target), 0.5) if self.target_mean is None else self.target_mean
        return np.nan_to_num(r, nan=0.5), np.nan_to_num(t, nan=0.5)

    @property
    def total(self) -> float:
        """Sum of all effective weights."""
        return float(self.rules.sum() + self.target.sum())


KEEP_TARGET_MATCHES: Final = 1_000
"""Batches up to this many clients keep their target matches for the explanations."""


@dataclass(frozen=True)
class ApproachEvaluation:
    """Everything computed for one approach over a caseload.

    Attributes
    ----------
    status : int8 array (n,)
        0 ineligible, 1 verify, 2 eligible.
    rule_state : int8 array (n, n_rules)
        Per hard rule: 1 true, 0 false, -1 unknown.
    score, coverage : float arrays (n,)
    expected, low, high : float arrays (n,)
        The score to expect once the unknown facts are known (each unknown fact at its
        reference distribution), and the lowest and highest score they can give.
    p_pass : float array (n,)
        Chance that the unknown hard rules hold (1 eligible, 0 ineligible), treating them
        as independent and as common as in the reference population.

    Target matches are not kept (they would dominate memory at scale); they are recomputed
    with :func:`match_criteria` for the clients being explained.
    """

    status: npt.NDArray[np.int8]
    rule_state: npt.NDArray[np.int8]
    score: FloatArray
    coverage: FloatArray
    expected: FloatArray | None = None
    low: FloatArray | None = None
    high: FloatArray | None = None
    p_pass: FloatArray | None = None
    target_match: FloatArray | None = None


_MATRICES: Final = ("score", "coverage", "expected", "low", "high", "p_pass")
"""The float (clients, approaches) results of :class:`CatalogEvaluation`, besides status."""


@dataclass(frozen=True)
class CatalogEvaluation:
    """Every approach of a catalog evaluated on a caseload: (clients, approaches) matrices.

    The columns are those of :class:`ApproachEvaluation`, side by side in catalog order;
    ``rule_state`` and ``target_match`` stay one array per approach (their widths differ).
    """

    status: npt.NDArray[np.int8]
    score: FloatArray
    coverage: FloatArray
    expected: FloatArray
    low: FloatArray
    high: FloatArray
    p_pass: FloatArray
    rule_state: list[npt.NDArray[np.int8]]
    target_match: list[FloatArray | None]

    @classmethod
    def empty(cls, n: int, k: int) -> CatalogEvaluation:
        """Matrices for ``n`` clients and ``k`` approaches, to be filled."""
        score, coverage, expected, low, high, p_pass = (np.empty((n, k)) for _ in _MATRICES)
        status = np.empty((n, k), dtype=np.int8)
        return cls(status, score, coverage, expected, low, high, p_pass, [], [])

    @classmethod
    def stack(cls, evaluations: Sequence[ApproachEvaluation], n: int) -> CatalogEvaluation:
        """Put per-approach evaluations side by side."""
        out = cls.empty(n, len(evaluations))
        for j, ev in enumerate(evaluations):
            out.status[:, j] = ev.status
            for name in _MATRICES:
                column = getattr(ev, name)
                getattr(out, name)[:, j] = np.nan if column is None else column
            out.rule_state.append(ev.rule_state)
            out.target_match.append(ev.target_match)
        return out

    def approach(self, j: int) -> ApproachEvaluation:
        """Return the evaluation of approach ``j`` (views of the matrices' columns)."""
        return ApproachEvaluation(
            self.status[:, j],
            self.rule_state[j],
            self.score[:, j],
            self.coverage[:, j],
            self.expected[:, j],
            self.low[:, j],
            self.high[:, j],
            self.p_pass[:, j],
            self.target_match[j],
        )


_GRADED: dict[int, tuple[TargetEntry, tuple[str, FloatArray, float, float]]] = {}


def _graded(entry: TargetEntry) -> tuple[str, FloatArray, float, float]:
    """Return a graded preference's field, its preferred levels and range, once per entry."""
    hit = _GRADED.get(id(entry))
    if hit is not None and hit[0] is entry:
        return hit[1]
    assert entry.feature is not None
    assert entry.prefer is not None
    name = canonical_field(entry.feature)
    assert name is not None
    spec = FIELDS[name]

    def level(v: object) -> float:
        if spec.kind is Kind.ENUM:
            return float(spec.values.index(str(v)))
        return float(v)  # type: ignore[arg-type]

    targets = np.array([level(v) for v in entry.prefer.get("in", [])])
    low = level(entry.prefer["min"]) if "min" in entry.prefer else -np.inf
    high = level(entry.prefer["max"]) if "max" in entry.prefer else np.inf
    if len(_GRADED) >= 16_384:
        _GRADED.clear()
    _GRADED[id(entry)] = (entry, (name, targets, low, high))
    return name, targets, low, high


def graded_match(entry: TargetEntry, cols: CaseloadColumns) -> FloatArray:
    """Match in [0, 1] of a graded ``feature`` preference; NaN where the field is unknown.

    For a partly known ZRM aggregate (see ``CaseloadColumns.bounds``) the match is known only
    where it is the same for every value the aggregate may still take.
    """
    name, targets, low, high = _graded(entry)

    def match_of(values: FloatArray) -> FloatArray:
        if len(targets):
            dist = np.min(np.abs(values[:, None] - targets[None, :]), axis=1)
        else:
            dist = np.maximum(low - values, 0.0) + np.maximum(values - high, 0.0)
        if entry.tolerance > 0:
            return np.asarray(np.clip(1.0 - dist / entry.tolerance, 0.0, 1.0), dtype=np.float64)
        return np.asarray(dist == 0, dtype=np.float64)

    bounds = cols.bounds(name)
    if bounds is not None:
        lo, hi = bounds
        m_lo, m_hi = match_of(lo), match_of(hi)
        if len(targets):
            known = lo == hi
        else:
            # Outside the preferred range the match is monotone in the value, so equal ends
            # mean a fixed match; an interval reaching into the range is fixed only inside it.
            reaches = (hi >= low) & (lo <= high)
            known = np.where(reaches, (m_lo == 1.0) & (m_hi == 1.0), m_lo == m_hi)
        return np.where(known, m_lo, np.nan)
    values, known = cols.scalar(name)
    match = match_of(values)
    match[~known] = np.nan
    return match


def _criteria(
    approach: Approach, cols: CaseloadColumns
) -> tuple[list[npt.NDArray[np.int8]], list[FloatArray]]:
    states = []
    for compiled in approach.compiled_rules:
        tri = compiled.evaluate(cols)
        states.append(np.where(tri.true, 1, np.where(tri.false, 0, -1)).astype(np.int8))
    return states, target_matches(approach, cols)


def target_matches(
    approach: Approach, cols: CaseloadColumns, done: ApproachStates | None = None
) -> list[FloatArray]:
    """Preference matches, one array per preference.

    ``done`` holds the approach's rules already evaluated with the catalog's plan
    (``CatalogPlan``); the graded preferences are computed here either way.
    """
    rule_matches = iter(done.target_rule_match.T) if done is not None else None
    matches = []
    for entry, compiled_t in zip(approach.target, approach.compiled_target, strict=True):
        if compiled_t is None:
            matches.append(graded_match(entry, cols))
        elif rule_matches is not None:
            matches.append(next(rule_matches))
        else:
            tri = compiled_t.evaluate(cols)
            matches.append(np.where(tri.true, 1.0, np.where(tri.false, 0.0, np.nan)))
    return matches


def match_criteria(
    approach: Approach, cols: CaseloadColumns
) -> tuple[npt.NDArray[np.int8], FloatArray]:
    """Evaluate every criterion of one approach on a caseload.

    Returns
    -------
    rule_state : int8 array (n, n_rules)
        1 true, 0 false, -1 unknown.
    target_match : float array (n, n_target)
        Match in [0, 1], NaN where unknown.
    """
    states, matches = _criteria(approach, cols)
    n = cols.n
    rule_state = np.column_stack(states) if states else np.empty((n, 0), dtype=np.int8)
    target_match = np.column_stack(matches) if matches else np.empty((n, 0))
    return rule_state, target_match


def arrange_states(approach: Approach, cols: CaseloadColumns) -> npt.NDArray[np.int8]:
    """Evaluate the conditions to arrange of one approach on a caseload.

    Returns an int8 array (n, n_arrange): 1 nothing to arrange, 0 to arrange, -1 unknown.
    They never change status or score.
    """
    states = []
    for compiled in approach.compiled_arrange:
        tri = compiled.evaluate(cols)
        states.append(np.where(tri.true, 1, np.where(tri.false, 0, -1)).astype(np.int8))
    return np.column_stack(states) if states else np.empty((cols.n, 0), dtype=np.int8)


def _surprisal(share: FloatArray, bounds: tuple[float, float]) -> FloatArray:
    with np.errstate(divide="ignore"):
        s = -np.log(np.where(np.isnan(share), 1.0, share))
    return np.asarray(np.clip(s, *bounds), dtype=np.float64)


def _counts(rule: CompiledRule, cols: CaseloadColumns) -> tuple[int, int]:
    tri = rule.evaluate(cols)
    return int(tri.true.sum()), int((tri.true | tri.false).sum())


def evidence_weights(
    approach: Approach,
    model: ScoringModel,
    reference: CaseloadColumns | None,
    counts: CriterionCounts | None = None,
) -> Evidence:
    """Effective weight of each criterion: catalog weight times specificity on ``reference``.

    A criterion's specificity is ``-ln`` of the share of the reference clients (whose fact is
    known) that match it, clipped to ``model.specificity_bounds``; a criterion nobody in the
    reference could be judged on gets the upper bound. With ``counts`` (one per reference,
    shared by the approaches of a catalog), a rule's counts on the reference are taken once
    per distinct rule text; the shares are the same numbers.
    """
    # A justified rule on a sensitive field may decide eligibility, never the score: it
    # carries no evidence weight, so it adds nothing to the score or to the coverage.
    sensitive = np.array(
        [bool(c.fields & SENSITIVE_FIELDS) for c in approach.compiled_rules], dtype=bool
    )
    w_rules = np.array([r.weight for r in approach.rules], dtype=np.float64)
    w_rules[sensitive] = 0.0
    w_target = np.array([t.weight for t in approach.target], dtype=np.float64)
    if not model.specificity or reference is None:
        return Evidence(w_rules, w_target, np.ones_like(w_rules), np.ones_like(w_target))
    target_rules = [c for c in approach.compiled_target if c is not None]
    if counts is not None and len(target_rules) == len(approach.target):
        # Every criterion is a rule, matching 0 or 1: the sums below are whole numbers,
        # exact in any order, so counts taken once per rule text give the same shares.
        ref = reference
        c_r = [counts.get(c.text, partial(_counts, c, ref)) for c in approach.compiled_rules]
        c_t = [counts.get(c.text, partial(_counts, c, ref)) for c in target_rules]
        true_r = np.array([c[0] for c in c_r], dtype=np.int64)
        known_r = np.array([c[1] for c in c_r], dtype=np.int64)
        sum_t = np.array([c[0] for c in c_t], dtype=np.float64)
        known_t = np.array([c[1] for c in c_t], dtype=np.int64)
    else:
        state, match = match_criteria(approach, reference)
        known_r = (state >= 0).sum(axis=0)
        true_r = (state == 1).sum(axis=0)
        known_t = (~np.isnan(match)).sum(axis=0)
        sum_t = np.nansum(match, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_r = np.where(known_r > 0, true_r / known_r, np.nan)
        share_t = np.where(known_t > 0, sum_t / np.maximum(known_t, 1), np.nan)
    s_rules = _surprisal(share_r, model.specificity_bounds)
    s_target = _surprisal(share_t, model.specificity_bounds)
    return Evidence(
        w_rules * s_rules,
        w_target * s_target,
        s_rules,
        s_target,
        np.asarray(share_r, dtype=np.float64),
        np.asarray(share_t, dtype=np.float64),
    )


def evaluate_approach(
    approach: Approach,
    cols: CaseloadColumns,
    model: ScoringModel,
    evidence: Evidence,
    done: ApproachStates | None = None,
) -> ApproachEvaluation:
    """Evaluate the hard rules and the target profile of one approach on a caseload.

    ``done``: the approach's rules already evaluated on ``cols`` (``CatalogPlan``).
    """
    return evaluate_catalog([approach], cols, model, [evidence], [done]).approach(0)


_CELLS: Final = 1 << 18
"""At most about this many (client, approach, criterion) cells per group of approaches."""

_BLOCK_CELLS: Final = 1 << 16
"""Clients per block of the score formula: about this many (client, approach, item) cells."""

_ALL_SUMS = False
"""Take all seven sums even without a bonus preference (tests compare the two ways)."""

_ONE_GROUP: Final = 64
"""Up to this many approaches form one padded group; more are grouped by shape first."""


def evaluate_approaches(
    approaches: Sequence[Approach],
    cols: CaseloadColumns,
    model: ScoringModel,
    evidence: Sequence[Evidence],
    done: Sequence[ApproachStates | None],
) -> list[ApproachEvaluation]:
    """Evaluate many approaches on a caseload (see :func:`evaluate_catalog`), one by one."""
    found = evaluate_catalog(approaches, cols, model, evidence, done)
    return [found.approach(j) for j in range(len(approaches))]


def evaluate_catalog(
    approaches: Sequence[Approach],
    cols: CaseloadColumns,
    model: ScoringModel,
    evidence: Sequence[Evidence],
    done: Sequence[ApproachStates | None],
) -> CatalogEvaluation:
    """Evaluate many approaches on a caseload, a group of approaches at a time.

    For a few clients the whole catalog is one group: each step of the formula is then one
    numpy call for all approaches instead of one per approach. A group's criteria are padded
    to the same count with items that add nothing (weight 0, a true rule, a known match), so
    every sum adds the same terms in the same order as for the approach alone: the results
    do not depend on the grouping, bit for bit. Each group writes into the catalog's
    (clients, approaches) matrices.
    """
    out = CatalogEvaluation.empty(cols.n, len(approaches))
    if not approaches:
        return out
    if len(approaches) <= _ONE_GROUP:
        order = list(range(len(approaches)))
        groups = [order]
    else:
        # A large catalog: approaches of equal shape together, so nothing is padded. They
        # are scored in that order, into neighbouring columns, and put back in catalog order
        # once at the end (one gather per matrix, not a scatter per group).
        by_shape: dict[tuple[int, int], list[int]] = {}
        for j, a in enumerate(approaches):
            by_shape.setdefault((len(a.rules), len(a.target)), []).append(j)
        groups = list(by_shape.values())
        order = [j for members in groups for j in members]
    states: list[npt.NDArray[np.int8]] = []
    matches: list[FloatArray | None] = []
    column = 0
    for members in groups:
        width = max(len(approaches[j].rules) + len(approaches[j].target) for j in members)
        size = max(1, _CELLS // max(cols.n * max(width, 1), 1))
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            found = _evaluate_group(
                [approaches[j] for j in chunk],
                cols,
                model,
                [evidence[j] for j in chunk],
                [done[j] for j in chunk],
                out,
                column,
            )
            column += len(chunk)
            for state, match in found:
                states.append(state)
                matches.append(match)
    if order == list(range(len(approaches))):
        out.rule_state.extend(states)
        out.target_match.extend(matches)
        return out
    back = np.empty(len(order), dtype=np.intp)
    back[order] = np.arange(len(order))
    status = np.take(out.status, back, axis=1)
    floats = [np.take(getattr(out, name), back, axis=1) for name in _MATRICES]
    score, coverage, expected, low, high, p_pass = floats
    return CatalogEvaluation(
        status,
        score,
        coverage,
        expected,
        low,
        high,
        p_pass,
        [states[k] for k in back.tolist()],
        [matches[k] for k in back.tolist()],
    )


@dataclass(frozen=True)
class _Weights:
    """The padded per-criterion constants of a group of approaches: (approaches, items)."""

    v_r: FloatArray
    v_t: FloatArray
    share: FloatArray
    mean: FloatArray
    bonus: npt.NDArray[np.bool_]
    total: FloatArray
    all_weighed: bool
    """Whether every approach of the group has some evidence weight (``total > 0``)."""


_WEIGHTS: dict[tuple[int, ...], tuple[tuple[Evidence, ...], _Weights]] = {}


def _weights(approaches: Sequence[Approach], evidence: Sequence[Evidence]) -> _Weights:
    """Return the group's constants, built once per group of evidence objects (frozen)."""
    key = tuple(id(e) for e in evidence)
    hit = _WEIGHTS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], evidence, strict=True)):
        return hit[1]
    g = len(approaches)
    r_max = max(len(a.rules) for a in approaches)
    t_max = max(len(a.target) for a in approaches)
    v_r, share = np.zeros((g, r_max)), np.ones((g, r_max))
    v_t, mean = np.zeros((g, t_max)), np.zeros((g, t_max))
    bonus = np.zeros((g, t_max), dtype=bool)
    for k, (a, ev) in enumerate(zip(approaches, evidence, strict=True)):
        r, t = len(a.rules), len(a.target)
        rule_share, target_mean = ev.shares()
        v_r[k, :r], share[k, :r] = ev.rules, rule_share
        v_t[k, :t], mean[k, :t] = ev.target, target_mean
        bonus[k, :t] = [entry.bonus for entry in a.target]
    total = np.array([ev.total for ev in evidence], dtype=np.float64)
    weights = _Weights(v_r, v_t, share, mean, bonus, total, bool(np.all(total > 0)))
    if len(_WEIGHTS) >= 1_024:
        _WEIGHTS.clear()
    _WEIGHTS[key] = (tuple(evidence), weights)
    return weights


def _evaluate_group(
    approaches: Sequence[Approach],
    cols: CaseloadColumns,
    model: ScoringModel,
    evidence: Sequence[Evidence],
    done: Sequence[ApproachStates | None],
    out: CatalogEvaluation,
    first: int,
) -> list[tuple[npt.NDArray[np.int8], FloatArray | None]]:
    """Score a group of approaches into ``out``'s columns from ``first`` on.

    Returns each approach's rule states and (for a small batch) its target matches.
    """
    n, g = cols.n, len(approaches)
    w = _weights(approaches, evidence)
    r_max, t_max = w.v_r.shape[1], w.v_t.shape[1]
    if all(
        d is not None
        and d.rule_state.shape[1] == r_max
        and d.target_rule_match.shape[1] == t_max == len(a.target)
        for a, d in zip(approaches, done, strict=True)
    ):
        # Approaches of one shape whose preferences are all rules (a large catalog's groups):
        # their states side by side in one call each, nothing to pad.
        ready = [d for d in done if d is not None]
        rule_state = np.stack([d.rule_state for d in ready], axis=1)
        target_match = np.stack([d.target_rule_match for d in ready], axis=1)
        states = [d.rule_state for d in ready]
    else:
        rule_state, target_match, states = _pad_criteria(approaches, cols, done, r_max, t_max)
    # The group's columns of the catalog's matrices, written in place.
    matrices = [out.status, *(getattr(out, name) for name in _MATRICES)]
    targets = [m[:, first : first + g] for m in matrices]
    # Every step below is row by row (each client's sums add the same items in the same
    # order), so a block of clients at a time gives the same bits as the whole batch, while
    # the temporaries stay small enough to live in the processor's cache.
    width = max(1, rule_state.shape[2] + target_match.shape[2])
    rows = max(1, _BLOCK_CELLS // (g * width))
    for begin in range(0, n, rows):
        block = slice(begin, min(begin + rows, n))
        _formula(rule_state[block], target_match[block], w, model, [t[block] for t in targets])
    # A small batch (one client) keeps its target matches for the explanations; a large one
    # recomputes them for the rows being explained (they would dominate memory at scale).
    keep = n <= KEEP_TARGET_MATCHES
    return [
        (states[k], target_match[:, k, : len(a.target)] if keep else None)
        for k, a in enumerate(approaches)
    ]


def _pad_criteria(
    approaches: Sequence[Approach],
    cols: CaseloadColumns,
    done: Sequence[ApproachStates | None],
    r_max: int,
    t_max: int,
) -> tuple[npt.NDArray[np.int8], FloatArray, list[npt.NDArray[np.int8]]]:
    """Return a group's rule states and target matches (n, g, items), padded to the widest."""
    n, g = cols.n, len(approaches)
    # Padding: a true rule of weight 0, a known full match of weight 0. Only the padded cells
    # are set besides the criteria (a large caseload is scored one approach at a time, with
    # nothing to pad: filling the whole (n, 1, items) arrays first cost 0.14 s under
    # line_profiler at 1M clients, 2026-12-05).
    criteria: list[tuple[npt.NDArray[np.int8], list[FloatArray]]] = []
    for a, d in zip(approaches, done, strict=True):
        if d is None:
            rules, matches = _criteria(a, cols)
            criteria.append((stack_columns(rules, n, np.int8), matches))
        else:
            criteria.append((d.rule_state, target_matches(a, cols, d)))
    states = [state for state, _ in criteria]
    if g == 1 and states[0].shape[1] == r_max:
        rule_state = states[0][:, None, :]  # a view: the approach's own states, unpadded
    else:
        rule_state = np.empty((n, g, r_max), dtype=np.int8)
        for k, state in enumerate(states):
            rule_state[:, k, : state.shape[1]] = state
            rule_state[:, k, state.shape[1] :] = 1
    target_match = np.empty((n, g, t_max))
    for k, (_, matches) in enumerate(criteria):
        for i, match in enumerate(matches):
            target_match[:, k, i] = match
        target_match[:, k, len(matches) :] = 1.0
    return rule_state, target_match, states


def _formula(
    rule_state: npt.NDArray[np.int8],
    target_match: FloatArray,
    w: _Weights,
    model: ScoringModel,
    out: Sequence[npt.NDArray[Any]],
) -> None:
    """Compute the score formula on a block of clients (n, g, items) into ``out`` (n, g)."""
    n, g = rule_state.shape[:2]
    o_status, o_score, o_coverage, o_expected, o_low, o_high, o_p_pass = out
    v_r, v_t = w.v_r, w.v_t
    bonus = w.bonus
    true = rule_state == 1
    unknown = rule_state == -1
    rule_known = rule_state >= 0
    known = ~np.isnan(target_match)
    unknown_t = ~known
    matched = v_t * np.where(known, target_match, 0.0)
    # What the unknown facts may add: expected (reference distribution), at most, at least.
    # A bonus counts only as far as it matches: it can raise the score, never lower it.
    v_r_known = v_r * rule_known
    v_r_unknown = v_r * unknown
    v_t_unknown = v_t * unknown_t
    v_t_known = v_t * known
    if _ALL_SUMS or bonus.any():
        sums = _ordered_sums(
            [
                (v_r * true, matched),  # num
                (v_r_known, np.where(bonus, matched, v_t_known)),  # den
                (v_r_known, v_t_known),  # known weight
                ((v_r * w.share) * unknown, (v_t * w.mean) * unknown_t),  # expected num
                (v_r_unknown, (v_t * np.where(bonus, w.mean, 1.0)) * unknown_t),  # exp. den
                (v_r_unknown, v_t_unknown),  # all unknown
                (v_r_unknown, np.where(bonus, 0.0, v_t_unknown)),  # unknown, bonus left out
            ],
            n,
        )
        num, den, known_weight, exp_num, exp_den, unknown_all, unknown_den = sums
    else:
        # Without a bonus preference the denominators are the known and the unknown weight
        # (the same items, so the same sums): four sums instead of seven.
        sums = _ordered_sums(
            [
                (v_r * true, matched),  # num
                (v_r_known, v_t_known),  # known weight = den
                ((v_r * w.share) * unknown, (v_t * w.mean) * unknown_t),  # expected num
                (v_r_unknown, v_t_unknown),  # all unknown = exp. den = unknown den
            ],
            n,
        )
        num, known_weight, exp_num, unknown_all = sums
        den, exp_den, unknown_den = known_weight, unknown_all, unknown_all
    # The (clients, approaches) results are written into ``out`` in place, through a few
    # scratch arrays: every temporary of the formula is a fresh array otherwise, and at 1M
    # clients x 7 approaches the allocations and their page faults cost as much as the
    # arithmetic (2026-12-05, 1M clients x 7 approaches under line_profiler: the lines below
    # 1.45 s -> 1.07 s; most of what is left is the first write of each result matrix). Each
    # value is the same expression evaluated in the same order as before, bit for bit.
    n_r = rule_state.shape[2]
    # Chance the unknown rules hold: the running product over the rules, left to right (as
    # np.multiply.accumulate would take it); a known rule's factor 1.0 changes nothing, so
    # it is skipped (x * 1.0 == x exactly).
    o_p_pass[...] = 1.0
    all_true = np.ones((n, g), dtype=np.bool_)
    any_false = np.zeros((n, g), dtype=np.bool_)
    for i in range(n_r):
        state = rule_state[:, :, i]
        np.multiply(o_p_pass, w.share[:, i], out=o_p_pass, where=unknown[:, :, i])
        np.logical_and(all_true, true[:, :, i], out=all_true)
        np.logical_or(any_false, state == 0, out=any_false)
    prior = model.prior_weight * model.prior
    a, b, num_prior = np.empty((n, g)), np.empty((n, g)), np.empty((n, g))
    np.add(num, prior, out=num_prior)
    np.add(den, model.prior_weight, out=b)
    np.divide(num_prior, b, out=o_score)
    np.add(num, exp_num, out=a)
    np.add(a, prior, out=a)
    np.add(den, exp_den, out=b)
    np.add(b, model.prior_weight, out=b)
    np.divide(a, b, out=o_expected)
    np.add(den, unknown_den, out=b)
    np.add(b, model.prior_weight, out=b)
    np.divide(num_prior, b, out=o_low)
    np.add(num, unknown_all, out=a)
    np.add(a, prior, out=a)
    np.add(den, unknown_all, out=b)
    np.add(b, model.prior_weight, out=b)
    np.divide(a, b, out=o_high)
    if w.all_weighed:
        np.divide(known_weight, w.total, out=o_coverage)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            o_coverage[...] = np.where(w.total > 0, known_weight / w.total, 1.0)
    # Every rule true: eligible; any false: ineligible (then no chance to pass); else verify.
    o_status.fill(VERIFY)
    np.copyto(o_status, ELIGIBLE, where=all_true)
    np.copyto(o_status, INELIGIBLE, where=any_false)
    np.copyto(o_p_pass, 0.0, where=any_false)


_SUM_BLOCK: Final = 32_768
"""Clients per block when summing items (bounds the (sums, clients, items) array)."""


_SMALL_SUM: Final = 4_096
"""Up to this many (client, approach) rows the items are summed by one accumulate call."""


def stack_columns(columns: Sequence[npt.NDArray[Any]], n: int, dtype: Any) -> npt.NDArray[Any]:
    """Columns side by side, an (n, k) array (as np.column_stack, with fewer calls)."""
    out = np.empty((n, len(columns)), dtype=dtype)
    for k, col in enumerate(columns):
        out[:, k] = col
    return out


def _ordered_sums(parts: Sequence[tuple[FloatArray, FloatArray]], n: int) -> FloatArray:
    """Sum (rule items, preference items) pairs across items, left to right: (pairs, n, g).

    Each part is (n, g, items). One add.accumulate over a (pairs, clients, g, items) array
    per block of clients. It is sequential by definition, not a matrix product whose BLAS
    summation order may differ between batch sizes, so one client gets exactly (bit for
    bit) its batch result. An item left out of a sum is passed as 0.0, which leaves a
    running sum of non-negative terms unchanged, bit for bit.
    """
    g, n_r = parts[0][0].shape[1:]
    n_items = n_r + parts[0][1].shape[2]
    if not n_items:
        return np.zeros((len(parts), n, g))
    out = np.empty((len(parts), n, g))  # every cell is written below
    if n * g > _SMALL_SUM:
        # Many rows: the items added one column at a time, in order, without a copy; the
        # same arithmetic as the accumulate below (a running sum, left to right).
        for k, (rules, target) in enumerate(parts):
            columns = [rules[:, :, i] for i in range(n_r)]
            columns += [target[:, :, i] for i in range(n_items - n_r)]
            total = out[k]
            np.copyto(total, columns[0])
            for column in columns[1:]:
                np.add(total, column, out=total)
        return out
    for start in range(0, n, _SUM_BLOCK):
        stop = min(start + _SUM_BLOCK, n)
        items = np.empty((len(parts), stop - start, g, n_items))
        for k, (rules, target) in enumerate(parts):
            items[k, :, :, :n_r] = rules[start:stop]
            items[k, :, :, n_r:] = target[start:stop]
        out[:, start:stop] = np.add.accumulate(items, axis=3)[:, :, :, -1]
    return out


def contributions(
    approach: Approach,
    rule_state: npt.NDArray[np.int8],
    target_match: FloatArray,
    model: ScoringModel,
    evidence: Evidence,
) -> list[tuple[str, str, float]]:
    """Return (kind, id, contribution to the score) for one client and one approach.

    The contributions of the known rules and preferences and the prior's share sum to the
    score.
    """
    # Plain Python floats, item by item in the order of the formula (as fast as it gets
    # for one client; the same double arithmetic as on numpy scalars).
    v_rules, v_target = evidence.rules.tolist(), evidence.target.tolist()
    states, matches = rule_state.tolist(), target_match.tolist()
    den = 0.0
    for v, s in zip(v_rules, states, strict=True):
        den += v * (s >= 0)
    for t, v, m in zip(approach.target, v_target, matches, strict=True):
        if m == m:  # known
            den += v * (m if t.bonus else 1.0)
    den += model.prior_weight
    out: list[tuple[str, str, float]] = []
    for r, v, s in zip(approach.rules, v_rules, states, strict=True):
        if s >= 0:
            out.append(("rule", r.id, v * float(s) / den))
    for t, v, m in zip(approach.target, v_target, matches, strict=True):
        if m == m:
            out.append(("target", t.id, v * m / den))
    out.append(("prior", "prior", model.prior_weight * model.prior / den))
    return out


@dataclass(frozen=True)
class LearnedScores:
    """The catalog score blended with effects learned from a history (``effects=``).

    For approach ``j`` with ``n_j`` past participants the evidence weight is
    ``w_j = n_j / (n_j + min_participants)``, and 0 when the approach is thin (fewer than
    ``min_participants``) or absent from the history. The blended gain, in outcome units, is::

        gain = w_j * effect + (1 - w_j) * kappa * catalog_score

    where ``kappa`` puts the catalog score on the outcome's scale: the largest absolute
    average effect among the approaches with enough evidence (1.0 when there are none). The
    score the planner maximises is ``clip(gain / scale, 0, 1)`` with ``scale`` 1 for a 0/1
    outcome (so a capacity price is an outcome rate per extra place) and the largest gain
    otherwise (a price times ``scale`` is then in outcome units).

    Attributes
    ----------
    gain, effect, effect_se : float arrays (n, m)
        Blended gain; learned effect and its standard error (NaN where not learned).
    weight : float array (m,)
        Evidence weight per approach.
    participants : int array (m,)
        Past participants per approach (0 when absent from the history).
    thin : bool array (m,)
    kappa, scale : float
    outcome : str
    binary : bool
    """

    gain: FloatArray
    effect: FloatArray
    effect_se: FloatArray
    weight: FloatArray
    participants: npt.NDArray[np.int64]
    thin: npt.NDArray[np.bool_]
    kappa: float
    scale: float
    outcome: str
    binary: bool

    @property
    def score(self) -> FloatArray:
        """The planner's score in [0, 1]: the gain over ``scale``, negative gains at 0."""
        return np.asarray(np.clip(self.gain / self.scale, 0.0, 1.0), dtype=np.float64)


def learned_scores(
    effects: Any, approach_ids: Sequence[str], source: Any, catalog_score: FloatArray
) -> LearnedScores:
    """Blend an effect model's per-client gains with the catalog score (see LearnedScores)."""
    n, m = catalog_score.shape
    est, se = effects.effect_matrix(source)
    effect = np.full((n, m), np.nan)
    effect_se = np.full((n, m), np.nan)
    weight = np.zeros(m)
    participants = np.zeros(m, dtype=np.int64)
    thin = np.zeros(m, dtype=bool)
    prior = float(effects.min_participants)
    strong = []
    for j, a in enumerate(approach_ids):
        if a not in effects.approach_ids_:
            continue
        k = effects.approach_ids_.index(a)
        effect[:, j], effect_se[:, j] = est[:, k], se[:, k]
        participants[j] = effects.n_participants_[a]
        thin[j] = a in effects.thin_
        if not thin[j]:
            weight[j] = participants[j] / (participants[j] + prior)
            strong.append(abs(effects.ate_[a].estimate))
    kappa = max(strong) if strong and max(strong) > 0 else 1.0
    learned = np.where(np.isnan(effect), 0.0, effect)
    gain = weight[None, :] * learned + (1.0 - weight[None, :]) * kappa * catalog_score
    if effects.binary_:
        scale = 1.0
    else:
        top = float(np.max(gain)) if gain.size else 0.0
        scale = top if top > 0 else 1.0
    return LearnedScores(
        gain,
        effect,
        effect_se,
        weight,
        participants,
        thin,
        kappa,
        scale,
        effects.outcome,
        bool(effects.binary_),
    )
