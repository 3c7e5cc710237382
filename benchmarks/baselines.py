"""Naive implementations that the vectorised batch path is measured against.

Two baselines, both computing exactly what ``Recommender.recommend_batch`` computes (status
and score per client and approach), so that a speed-up compares like with like:

* :func:`per_client_loop` calls the public single-client API, ``rec.recommend(p)``, once per
  client. That is what a caller without the batch API would write; it also renders reasons.
* :func:`rowwise_recommend` is the straightforward pandas implementation: ``df.iterrows()``,
  and for every row and approach a small Python evaluator that walks each rule's syntax tree
  (``matchkit.rules``) in three-valued logic (``None`` for unknown), and the score formula of
  ``docs/scoring.md`` in plain Python floats. It reuses the Recommender's evidence weights and
  ScoringModel (fitting them is setup, not the per-client work being compared) but nothing of
  the vectorised evaluation: rules, derived fields and graded preferences are re-implemented
  per row from ``docs/rules.md`` and ``docs/scoring.md``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

import matchkit as mk
from matchkit._catalog import Approach, TargetEntry
from matchkit._fields import FIELDS, ZRM_COLUMNS, Kind, canonical_field
from matchkit.recommend._scoring import ELIGIBLE, INELIGIBLE, STATUS_NAMES, VERIFY, Evidence
from matchkit.rules import And, Compare, Contains, Known, Member, Node, Not, Or

__all__ = ["per_client_loop", "rowwise_recommend"]

Truth = bool | None
"""Kleene truth of one test for one client: True, False or None (unknown)."""

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_MBO2 = FIELDS["education"].values.index("mbo2")
_STATUS_CODE = {name: code for code, name in enumerate(STATUS_NAMES)}


# --- baseline (b): the single-client API in a loop ------------------------------------------


def per_client_loop(
    rec: mk.Recommender, profiles: Sequence[mk.ClientProfile]
) -> tuple[np.ndarray, np.ndarray]:
    """Call ``rec.recommend(p)`` for every client; return status codes and scores (n, m)."""
    column = {aid: j for j, aid in enumerate(rec.catalog.ids)}
    n, m = len(profiles), len(column)
    status = np.empty((n, m), dtype=np.int8)
    score = np.empty((n, m), dtype=np.float64)
    for i, profile in enumerate(profiles):
        for r in rec.recommend(profile, include_ineligible=True):
            j = column[r.approach_id]
            status[i, j] = _STATUS_CODE[r.status]
            score[i, j] = r.score
    return status, score


# --- baseline (c): row by row in pandas -----------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain(name: str, value: object) -> Any:
    """A value as the per-row evaluator compares it (enum level -> index, numbers as float)."""
    spec = FIELDS[name]
    if spec.kind is Kind.ENUM:
        return spec.values.index(str(value))
    if spec.kind is Kind.BOOL:
        return bool(value)
    if spec.kind in (Kind.INT, Kind.FLOAT):
        return float(value)  # type: ignore[arg-type]
    return value  # text, or a list


def _stored(row: pd.Series, name: str) -> Any:
    """One stored fact of one client as a plain value, None when unknown."""
    value = row[name]
    return None if _missing(value) else _plain(name, value)


def _and(values: Sequence[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _derived(row: pd.Series, name: str) -> Any:
    """The derived fields of ``docs/rules.md``, computed for one client."""
    if name == "long_term":
        months = _stored(row, "months_on_assistance")
        return None if months is None else months >= 24
    if name == "startkwalificatie":
        edu = _stored(row, "education")
        return None if edu is None else edu >= _MBO2
    if name == "single_parent":
        household, children = _stored(row, "household"), _stored(row, "children")
        single = None if household is None else FIELDS["household"].values[household] == "single"
        has_children = None if children is None else children > 0
        return _and([single, has_children])
    if name in _AGGREGATES:
        lo, hi = _aggregate_bounds(row, name)
        return lo if lo == hi else None
    raise KeyError(name)


_AGGREGATES = ("zrm_problem_domains", "zrm_min")


def _aggregate_bounds(row: pd.Series, name: str) -> tuple[float, float]:
    """The range a partly known ZRM aggregate lies in (docs/rules.md)."""
    scores = [_stored(row, c) for c in ZRM_COLUMNS]
    known = [v for v in scores if v is not None]
    n_unknown = len(scores) - len(known)
    if name == "zrm_problem_domains":
        lo = float(sum(v <= 3 for v in known))
        return lo, lo + n_unknown
    hi = float(min(known, default=5.0))
    return (1.0 if n_unknown else hi), hi


def _interval_compare(op: str, lo: float, hi: float, c: float) -> Truth:
    """A comparison that holds for every value in [lo, hi], for none, or for some."""
    values = list(range(int(lo), int(hi) + 1))
    outcomes = {bool(_OPS[op](v, c)) for v in values}
    return outcomes.pop() if len(outcomes) == 1 else None


def _value(row: pd.Series, name: str) -> Any:
    return _derived(row, name) if FIELDS[name].derived else _stored(row, name)


def _literal(name: str, literal: object) -> Any:
    """A rule literal in the form :func:`_value` returns (enum level -> index)."""
    return _plain(name, literal)


def evaluate_node(node: Node, row: pd.Series) -> Truth:
    """Evaluate a compiled rule's syntax tree for one client, in Kleene logic."""
    if isinstance(node, And):
        return _and([evaluate_node(item, row) for item in node.items])
    if isinstance(node, Or):
        values = [evaluate_node(item, row) for item in node.items]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False
    if isinstance(node, Not):
        value = evaluate_node(node.operand, row)
        return None if value is None else not value
    if isinstance(node, Known):
        return (_value(row, node.field) is not None) == node.want_known
    if isinstance(node, Contains):
        items = row[node.field]
        return None if _missing(items) else node.item in items
    if node.field in _AGGREGATES:
        lo, hi = _aggregate_bounds(row, node.field)
        if isinstance(node, Compare):
            return _interval_compare(node.op, lo, hi, _literal(node.field, node.literal))
        members = {_literal(node.field, v) for v in node.values}
        outcomes = {v in members for v in range(int(lo), int(hi) + 1)}
        hit = outcomes.pop() if len(outcomes) == 1 else None
        return hit if hit is None or not node.negated else not hit
    value = _value(row, node.field)
    if value is None:
        return None
    if isinstance(node, Compare):
        return bool(_OPS[node.op](value, _literal(node.field, node.literal)))
    if isinstance(node, Member):
        hit = value in {_literal(node.field, v) for v in node.values}
        return not hit if node.negated else hit
    raise TypeError(f"not a rule node: {node!r}")


def graded_match(entry: TargetEntry, row: pd.Series) -> float | None:
    """Match in [0, 1] of a graded ``feature`` preference for one client; None if unknown."""
    assert entry.feature is not None and entry.prefer is not None
    name = canonical_field(entry.feature)
    assert name is not None
    if name in _AGGREGATES:
        lo, hi = _aggregate_bounds(row, name)
        matches = {_graded(entry, name, float(v)) for v in range(int(lo), int(hi) + 1)}
        return matches.pop() if len(matches) == 1 else None
    value = _value(row, name)
    if value is None:
        return None
    return _graded(entry, name, float(value))


def _graded(entry: TargetEntry, name: str, value: float) -> float:
    assert entry.prefer is not None
    if "in" in entry.prefer:
        dist = min(abs(value - float(_literal(name, t))) for t in entry.prefer["in"])
    else:
        lo = float(_literal(name, entry.prefer["min"])) if "min" in entry.prefer else -math.inf
        hi = float(_literal(name, entry.prefer["max"])) if "max" in entry.prefer else math.inf
        dist = max(lo - value, 0.0) + max(value - hi, 0.0)
    if entry.tolerance > 0:
        return min(max(1.0 - dist / entry.tolerance, 0.0), 1.0)
    return 1.0 if dist == 0 else 0.0


def _one(
    approach: Approach, evidence: Evidence, model: mk.ScoringModel, row: pd.Series
) -> tuple[int, float, list[int]]:
    """Status, score and rule states (1, 0, -1) of one approach for one client."""
    states = [evaluate_node(c.node, row) for c in approach.compiled_rules]
    num = den = 0.0
    for v, state in zip(evidence.rules.tolist(), states, strict=True):
        if state is not None:
            num += v * (1.0 if state else 0.0)
            den += v
    for v, entry, compiled in zip(
        evidence.target.tolist(), approach.target, approach.compiled_target, strict=True
    ):
        if compiled is not None:
            truth = evaluate_node(compiled.node, row)
            match = None if truth is None else (1.0 if truth else 0.0)
        else:
            match = graded_match(entry, row)
        if match is not None:
            num += v * match
            den += v * (match if entry.bonus else 1.0)  # a bonus never lowers the score
    score = (num + model.prior_weight * model.prior) / (den + model.prior_weight)
    if any(s is False for s in states):
        status = INELIGIBLE
    elif all(s is True for s in states):
        status = ELIGIBLE
    else:
        status = VERIFY
    codes = [-1 if s is None else int(s) for s in states]
    return status, score, codes


def rowwise_recommend(
    frame: pd.DataFrame, rec: mk.Recommender
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Evaluate every client against every approach, one ``iterrows`` row at a time.

    Returns
    -------
    status : int8 array (n, m)
    score : float64 array (n, m)
    rule_state : list of int8 arrays (n, n_rules), one per approach
    """
    approaches = rec.catalog.approaches
    status: list[list[int]] = []
    score: list[list[float]] = []
    states: list[list[list[int]]] = [[] for _ in approaches]
    for _, row in frame.iterrows():
        row_status, row_score = [], []
        for j, (approach, evidence) in enumerate(zip(approaches, rec.evidence, strict=True)):
            s, sc, codes = _one(approach, evidence, rec.model, row)
            row_status.append(s)
            row_score.append(sc)
            states[j].append(codes)
        status.append(row_status)
        score.append(row_score)
    m = len(approaches)
    rule_state = [
        np.array(st, dtype=np.int8).reshape(len(frame), len(a.rules))
        for st, a in zip(states, approaches, strict=True)
    ]
    return (
        np.array(status, dtype=np.int8).reshape(len(frame), m),
        np.array(score, dtype=np.float64).reshape(len(frame), m),
        rule_state,
    )
