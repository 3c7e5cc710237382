"""Features: a caseload's profile fields (or a researcher's own columns) as numbers.

Two encodings of the same columns:

* the *raw* matrix, for the nuisance models (propensity, outcome): one column per scalar
  field with ordered enums as their rank, booleans as 0/1, numbers and ZRM domains as they
  are; unordered enums one-hot and list fields multi-hot; NaN where a fact is unknown
  (scikit-learn's histogram gradient boosting handles NaN natively);
* the *basis*, for linear stages and nearest neighbours: every raw column standardised with
  unknown values set to the mean, plus a missing indicator for each column that had
  unknown values in the data it was fitted on;
* the *effect basis*, for the final stage of the effect estimate: the basis plus step
  indicators ``x >= t`` of every numeric column (each level of a small whole-number field
  such as a ZRM score or the ladder step, the quintiles of a wider one such as age),
  standardised, unknown at their mean. A linear model on it can draw a threshold (an effect
  that starts at ladder step 3) or a count (ZRM domains scored 1-3) that a straight line in
  the raw values cannot, and the ridge penalty shrinks the steps toward a smooth trend.

Field kinds come from the profile registry (``matchkit._fields``) and values from
:class:`~matchkit._columns.CaseloadColumns`, so nothing is described twice. Sensitive fields
(gender, migration background) may be features only with a written justification.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._fields import DERIVED_FIELDS, FIELDS, SENSITIVE_FIELDS, STORED_FIELDS, Kind
from matchkit._types import FloatArray
from matchkit.errors import ParameterError

__all__ = [
    "DEFAULT_CONTROLS",
    "DEFAULT_FEATURES",
    "FeatureEncoder",
    "check_sensitive",
]

_NOT_FEATURES = frozenset({"client_id", "municipality", "neighbourhood"})
DEFAULT_FEATURES: tuple[str, ...] = tuple(
    f for f in STORED_FIELDS if f not in _NOT_FEATURES and f not in SENSITIVE_FIELDS
)
"""What an effect may vary by, on a history: every stored profile field but ids, places and
the sensitive ones."""
DEFAULT_CONTROLS: tuple[str, ...] = tuple(sorted(SENSITIVE_FIELDS))
"""Extra confounders adjusted for on a history: the sensitive fields (adjustment only)."""
_MAX_LEVELS = 30
_MAX_STEP_LEVELS = 16  # whole-number columns with at most this many values: a step per level
_STEP_QUANTILES = (0.2, 0.4, 0.6, 0.8)  # wider numeric columns: steps at the quintiles
_MIN_STEP_SHARE = 0.01  # a step needs this share of the known rows on each side of it


def check_sensitive(features: Sequence[str], justifications: Mapping[str, str] | None) -> None:
    """Refuse sensitive fields as features unless each has a written justification."""
    justifications = justifications or {}
    bad = [f for f in features if f in SENSITIVE_FIELDS and not justifications.get(f, "").strip()]
    if bad:
        raise ParameterError(
            f"features={bad!r}: sensitive fields may not drive an effect unless a written "
            "justification is passed, e.g. justifications={"
            f"{bad[0]!r}: '...'}}; use them in controls= to adjust for them instead"
        )


@dataclass(frozen=True)
class _Column:
    """One source field and how it becomes raw columns."""

    name: str
    kind: str  # "scalar", "onehot", "multihot", "count"
    levels: tuple[str, ...] = ()

    def labels(self) -> list[str]:
        if self.kind in ("onehot", "multihot"):
            return [f"{self.name}={level}" for level in self.levels]
        if self.kind == "count":
            return [f"n_{self.name}"]
        return [self.name]


class FeatureEncoder:
    """Encode named fields of a Caseload or DataFrame as a raw matrix and a linear basis.

    Parameters
    ----------
    names : sequence of str
        The fields (on a Caseload) or columns (on a DataFrame) to encode.
    steps : bool, default True
        Whether to learn the step terms of :meth:`effect_basis` (thresholds of numeric
        columns); an encoder that only feeds the nuisance models does without.
    """

    def __init__(self, names: Sequence[str], *, steps: bool = True) -> None:
        self.names = list(names)
        self.steps = steps

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, source: Caseload | pd.DataFrame) -> FeatureEncoder:
        """Learn the columns (and, on a DataFrame, the levels of text columns)."""
        self.fit_raw(source)
        return self

    def fit_raw(self, source: Caseload | pd.DataFrame) -> FloatArray:
        """Fit on ``source`` and return its raw matrix (:meth:`raw`), encoded once."""
        self.source_ = "caseload" if isinstance(source, Caseload) else "frame"
        cols: list[_Column] = []
        for name in self.names:
            cols.append(_column_for(source, name))
        self.columns_ = cols
        raw = self.raw(source)
        self.raw_names_ = [label for c in cols for label in c.labels()]
        missing = np.isnan(raw)
        self.has_missing_: npt.NDArray[np.bool_] = np.asarray(missing.any(axis=0), dtype=bool)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(missing.all(axis=0), 0.0, raw), axis=0) if len(raw) else 0
            sd = np.nanstd(np.where(missing.all(axis=0), 0.0, raw), axis=0) if len(raw) else 1
        self.mean_ = np.nan_to_num(np.asarray(mean, dtype=np.float64), nan=0.0)
        self.scale_ = np.where(np.asarray(sd) > 1e-12, sd, 1.0).astype(np.float64)
        self.basis_names_ = self.raw_names_ + [
            f"{n} unknown" for n, m in zip(self.raw_names_, self.has_missing_, strict=True) if m
        ]
        self._fit_steps(raw)
        return raw

    def _fit_steps(self, raw: FloatArray) -> None:
        """Choose the step thresholds of each numeric raw column and their scaling."""
        numeric = [k for c in self.columns_ for k in _numeric_flags(c)]
        if not self.steps:  # an encoder for the nuisance models only: no effect basis
            numeric = [False] * len(numeric)
        cols: list[int] = []
        cuts: list[float] = []
        for j, is_numeric in enumerate(numeric):
            if is_numeric:
                for t in _step_cuts(raw[:, j]):
                    cols.append(j)
                    cuts.append(t)
        self.step_columns_ = np.asarray(cols, dtype=np.int64)
        self.step_cuts_ = np.asarray(cuts, dtype=np.float64)
        steps = self._raw_steps(raw)
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(steps, axis=0) if len(raw) else np.zeros(len(cuts))
            sd = np.nanstd(steps, axis=0) if len(raw) else np.ones(len(cuts))
        self.step_mean_ = np.nan_to_num(np.asarray(mean, dtype=np.float64), nan=0.0)
        self.step_scale_ = np.where(np.nan_to_num(sd) > 1e-12, sd, 1.0).astype(np.float64)
        self._step_names()

    def _step_names(self) -> None:
        self.effect_basis_names_ = self.basis_names_ + [
            f"{self.raw_names_[j]} >= {t:g}"
            for j, t in zip(self.step_columns_, self.step_cuts_, strict=True)
        ]

    def _raw_steps(self, raw: FloatArray) -> FloatArray:
        x = raw[:, self.step_columns_]
        with np.errstate(invalid="ignore"):
            out = (x >= self.step_cuts_[None, :]).astype(np.float64)
        out[np.isnan(x)] = np.nan
        return out

    # -- transforming ----------------------------------------------------------------------
    def raw(self, source: Caseload | pd.DataFrame) -> FloatArray:
        """Return the raw matrix (n, n_raw): ranks, 0/1, numbers, one-hots; NaN if unknown."""
        parts = [_encode(source, c) for c in self.columns_]
        n = len(source)
        return np.column_stack(parts) if parts else np.empty((n, 0))

    def basis(self, raw: FloatArray) -> FloatArray:
        """Return the linear basis of a raw matrix: standardised, imputed, missing indicators."""
        missing = np.isnan(raw)
        z = (np.where(missing, self.mean_, raw) - self.mean_) / self.scale_
        ind = missing[:, self.has_missing_].astype(np.float64)
        return np.hstack([z, ind])

    def effect_basis(self, raw: FloatArray) -> FloatArray:
        """Return the effect basis: the basis, then standardised steps (unknown at 0)."""
        steps = (self._raw_steps(raw) - self.step_mean_) / self.step_scale_
        return np.hstack([self.basis(raw), np.nan_to_num(steps, nan=0.0)])

    def check_source(self, source: Caseload | pd.DataFrame) -> None:
        """Raise when ``source`` is not the kind of data the encoder was fitted on."""
        kind = "caseload" if isinstance(source, Caseload) else "frame"
        if kind != self.source_:
            want = "a Caseload" if self.source_ == "caseload" else "a DataFrame"
            raise ParameterError(
                f"the model was fitted on {want} and needs {want}, got {type(source).__name__}"
            )
        if kind == "frame":
            assert isinstance(source, pd.DataFrame)
            absent = [c.name for c in self.columns_ if c.name not in source.columns]
            if absent:
                raise ParameterError(f"columns {absent!r} are missing; the model needs them")

    # -- serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description."""
        return {
            "source": self.source_,
            "columns": [
                {"name": c.name, "kind": c.kind, "levels": list(c.levels)} for c in self.columns_
            ],
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "has_missing": self.has_missing_.tolist(),
            "steps": {
                "columns": self.step_columns_.tolist(),
                "cuts": self.step_cuts_.tolist(),
                "mean": self.step_mean_.tolist(),
                "scale": self.step_scale_.tolist(),
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureEncoder:
        """Rebuild an encoder from :meth:`to_dict` output (plain data only)."""
        cols = [
            _Column(str(c["name"]), str(c["kind"]), tuple(c["levels"])) for c in data["columns"]
        ]
        enc = cls([c.name for c in cols])
        enc.source_ = str(data["source"])
        enc.columns_ = cols
        enc.raw_names_ = [label for c in cols for label in c.labels()]
        enc.mean_ = np.asarray(data["mean"], dtype=np.float64)
        enc.scale_ = np.asarray(data["scale"], dtype=np.float64)
        enc.has_missing_ = np.asarray(data["has_missing"], dtype=bool)
        enc.basis_names_ = enc.raw_names_ + [
            f"{n} unknown" for n, m in zip(enc.raw_names_, enc.has_missing_, strict=True) if m
        ]
        # A model saved before step terms existed (format 1) has none: its effect basis is
        # its basis.
        steps = data.get("steps", {"columns": [], "cuts": [], "mean": [], "scale": []})
        enc.step_columns_ = np.asarray(steps["columns"], dtype=np.int64)
        enc.step_cuts_ = np.asarray(steps["cuts"], dtype=np.float64)
        enc.step_mean_ = np.asarray(steps["mean"], dtype=np.float64)
        enc.step_scale_ = np.asarray(steps["scale"], dtype=np.float64)
        enc._step_names()
        return enc


def _numeric_flags(c: _Column) -> list[bool]:
    """Which of a column's raw columns are numbers (not 0/1 level indicators)."""
    return [c.kind in ("scalar", "count")] * len(c.labels())


def _step_cuts(x: FloatArray) -> list[float]:
    """Thresholds ``t`` for step indicators ``x >= t`` of one numeric column.

    A whole-number column with few values gets a step at every value but the lowest; a wider
    one at its quintiles. A step needs at least ``_MIN_STEP_SHARE`` of the known rows on each
    side; 0/1 columns get none (the column is its own step).
    """
    known = x[~np.isnan(x)]
    if len(known) == 0:
        return []
    values = np.unique(known)
    if len(values) <= 2:
        return []
    if len(values) <= _MAX_STEP_LEVELS and np.all(values == np.round(values)):
        candidates = values[1:]
    else:
        candidates = np.unique(np.quantile(known, _STEP_QUANTILES))
    floor = _MIN_STEP_SHARE * len(known)
    out = []
    for t in candidates:
        above = int(np.sum(known >= t))
        if above >= floor and len(known) - above >= floor:
            out.append(float(t))
    return out


def _column_for(source: Caseload | pd.DataFrame, name: str) -> _Column:
    if isinstance(source, Caseload):
        spec = FIELDS.get(name)
        if spec is None:
            raise ParameterError(
                f"feature {name!r} is not a profile field; expected one of "
                f"{', '.join(STORED_FIELDS + DERIVED_FIELDS)}"
            )
        if name == "client_id":
            raise ParameterError("feature 'client_id' is an identifier, not a feature")
        if spec.kind is Kind.ENUM and not spec.ordered:
            return _Column(name, "onehot", spec.values)
        if spec.kind is Kind.LIST:
            if spec.values:
                return _Column(name, "multihot", spec.values)
            return _Column(name, "count")
        if spec.kind is Kind.STR:
            return _Column(name, "onehot", _levels(source.frame[name]))
        return _Column(name, "scalar")
    if name not in source.columns:
        raise ParameterError(f"feature {name!r} is not a column; columns: {list(source.columns)}")
    col = source[name]
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return _Column(name, "scalar")
    return _Column(name, "onehot", _levels(col))


def _levels(col: pd.Series) -> tuple[str, ...]:
    counts = col.dropna().astype(str).value_counts()
    return tuple(sorted(counts.index[:_MAX_LEVELS].tolist()))


def _encode(source: Caseload | pd.DataFrame, c: _Column) -> FloatArray:
    n = len(source)
    if isinstance(source, Caseload):
        cols = source.columns
        if c.kind == "scalar":
            values = cols.scalar(c.name)[0]
            if c.name == "youngest_child_age":
                # No child at home is not an unknown age: it counts as 18, older than any
                # child at home, so the field is unknown only where it really is.
                children, known = cols.scalar("children")
                values = np.where(known & (children == 0), 18.0, values)
            return values.reshape(n, 1)
        if c.kind == "multihot":
            known = cols.known(c.name)
            out = np.column_stack([cols.contains(c.name, v)[0] for v in c.levels]).astype(float)
            out[~known] = np.nan
            return out
        if c.kind == "count":
            known = cols.known(c.name)
            lengths = np.fromiter(
                (len(v) if v is not None else 0 for v in source.frame[c.name]), float, count=n
            )
            return np.where(known, lengths, np.nan).reshape(n, 1)
        col = source.frame[c.name]
    else:
        col = source[c.name]
        if c.kind == "scalar":
            numbers = pd.to_numeric(col, errors="coerce").astype("Float64")
            out = numbers.to_numpy(dtype="float64", na_value=np.nan)
            return np.asarray(out, dtype=np.float64).reshape(n, 1)
    # one-hot of text / unordered enum levels; NaN where unknown
    text = col.astype(object).where(col.notna(), None)
    known = np.asarray(col.notna(), dtype=bool)
    values = np.asarray(text.astype(str), dtype=object)
    out = np.column_stack([values == level for level in c.levels]).astype(float)
    if not c.levels:
        out = np.empty((n, 0))
    out[~known] = np.nan
    return out
