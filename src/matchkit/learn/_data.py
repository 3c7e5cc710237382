"""Checked inputs of effect estimation: treatment arms, outcome and feature sources.

A :class:`~matchkit.learn.History` or any DataFrame with a treatment column goes in; what
comes out has usual care as arm 0 and the approaches as arms 1..K. Every problem is named
with its column and count: errors for what cannot be estimated, warnings for what is left
out or doubtful, never a silent drop.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._fields import STORED_FIELDS
from matchkit._types import FloatArray
from matchkit.errors import DataQualityWarning, ParameterError
from matchkit.learn._features import DEFAULT_FEATURES, check_sensitive
from matchkit.learn._history import TREATMENT_COLUMN, History

__all__ = ["Prepared", "arms_of", "prepare"]

_UNKNOWN_SHARE = 0.5


@dataclass(frozen=True)
class Prepared:
    """Estimation inputs after checks (rows with a recorded outcome only)."""

    source: Caseload | pd.DataFrame
    arm: npt.NDArray[np.int64]
    approach_ids: tuple[str, ...]
    y: FloatArray
    binary: bool
    features: list[str]
    controls: list[str]
    rows: npt.NDArray[np.int64]
    n_input: int
    treatment: str
    outcome: str


def _treatment_labels(values: pd.Series, treatment: str) -> pd.Series:
    """Return approach ids as text with <NA> for usual care."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numeric = pd.to_numeric(values, errors="coerce").astype("Float64")
        nan = int(numeric.isna().sum())
        if nan:
            raise ParameterError(
                f"treatment column {treatment!r}: {nan} of {len(values)} rows are NaN; a numeric "
                "treatment must be 0 (usual care) or 1 (treated) on every row"
            )
        bad = ~numeric.isin([0.0, 1.0])
        if bool(bad.any()):
            example = numeric[bad].iloc[0]
            raise ParameterError(
                f"treatment column {treatment!r}: {int(bad.sum())} of {len(values)} rows are not "
                f"binary (e.g. {example!r}); expected 0 (usual care) or 1 (treated), or approach "
                "ids as text with empty for usual care"
            )
        treated = numeric.to_numpy(dtype=float) == 1.0
        return pd.Series(["treated" if t else None for t in treated], dtype="string")
    text = values.astype("string").str.strip()
    return text.mask(text == "", pd.NA)


def arms_of(labels: pd.Series, approach_ids: Sequence[str]) -> npt.NDArray[np.int64]:
    """Map approach ids to arm numbers (usual care 0, approaches 1..K; -1 if not listed)."""
    lookup = {a: i + 1 for i, a in enumerate(approach_ids)}
    text = labels.astype("string")
    out = np.array([lookup.get(str(v), -1) for v in text.fillna("")], dtype=np.int64)
    out[np.asarray(text.isna(), dtype=bool)] = 0
    return out


def prepare(
    history: History | pd.DataFrame,
    outcome: str,
    treatment: str,
    features: Sequence[str] | None,
    controls: Sequence[str] | None,
    justifications: Mapping[str, str] | None,
    binary: bool | None,
    min_rows: int,
) -> Prepared:
    """Check and convert the inputs of :func:`~matchkit.learn.fit_effects`."""
    if isinstance(history, History):
        source: Caseload | pd.DataFrame = history.caseload
        if outcome not in history.outcomes.columns:
            raise ParameterError(
                f"outcome={outcome!r} is not an outcome column of the history; it has "
                f"{list(history.outcomes.columns)}"
            )
        raw_y = history.outcomes[outcome].reset_index(drop=True)
        labels = history.approach.reset_index(drop=True).astype("string")
        treatment = TREATMENT_COLUMN if treatment is None else treatment
        feats = list(DEFAULT_FEATURES) if features is None else list(features)
        if controls is None:
            ctrl = [f for f in STORED_FIELDS if f not in feats and f not in _ids()]
        else:
            ctrl = [c for c in controls if c not in feats]
    elif isinstance(history, pd.DataFrame):
        frame = history.reset_index(drop=True)
        for name, what in ((treatment, "treatment"), (outcome, "outcome")):
            if name not in frame.columns:
                raise ParameterError(
                    f"{what}={name!r} is not a column of the DataFrame; columns: "
                    f"{list(frame.columns)}"
                )
        raw_y = frame[outcome]
        labels = _treatment_labels(frame[treatment], treatment)
        numeric = [
            str(c)
            for c in frame.columns
            if c not in (treatment, outcome)
            and (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
        ]
        feats = numeric if features is None else list(features)
        ctrl = (
            [c for c in numeric if c not in feats]
            if controls is None
            else [c for c in controls if c not in feats]
        )
        for name in (*feats, *ctrl):
            if name in (treatment, outcome):
                raise ParameterError(
                    f"column {name!r} is the treatment or the outcome; it cannot be a feature"
                )
        source = frame
    else:
        raise ParameterError(
            f"history must be a History or a DataFrame, got {type(history).__name__}"
        )
    check_sensitive(feats, justifications)

    if not (pd.api.types.is_numeric_dtype(raw_y) or pd.api.types.is_bool_dtype(raw_y)):
        raise ParameterError(
            f"outcome column {outcome!r} has dtype {raw_y.dtype}; expected numbers (0/1 for a "
            "binary outcome)"
        )
    y_all = pd.to_numeric(raw_y, errors="coerce").astype("Float64").to_numpy(float, na_value=np.nan)
    nan = np.isnan(y_all)
    n_input = len(y_all)
    if nan.any():
        warnings.warn(
            f"outcome column {outcome!r}: {int(nan.sum())} of {n_input} rows are NaN (not "
            "recorded); they are left out of the estimate",
            DataQualityWarning,
            stacklevel=3,
        )
    is_binary = bool(np.isin(y_all[~nan], (0.0, 1.0)).all())
    if binary and not is_binary:
        bad = ~nan & ~np.isin(y_all, (0.0, 1.0))
        raise ParameterError(
            f"outcome column {outcome!r}: {int(bad.sum())} of {n_input} rows are not binary "
            f"(e.g. {y_all[bad][0]!r}); binary=True expects 0 or 1"
        )
    if binary is False:
        is_binary = False

    rows = np.flatnonzero(~nan).astype(np.int64)
    labels = labels.iloc[rows].reset_index(drop=True)
    if isinstance(source, Caseload):
        source = source.take(rows) if len(rows) < n_input else source
    else:
        source = source.iloc[rows].reset_index(drop=True)
    y = np.asarray(y_all[rows], dtype=np.float64)

    usual = int(labels.isna().sum())
    if usual == 0:
        raise ParameterError(
            f"treatment column {treatment!r}: no usual-care rows (empty or 0) among {len(labels)}"
            "; effects are estimated against usual care, so some are needed"
        )
    counts = labels.dropna().value_counts()
    if counts.empty:
        raise ParameterError(
            f"treatment column {treatment!r}: every one of {len(labels)} rows is usual care; "
            "there is nothing to estimate"
        )
    too_few = sorted(str(a) for a, c in counts.items() if c < min_rows)
    if too_few:
        warnings.warn(
            f"treatment column {treatment!r}: "
            + ", ".join(f"{a!r} has {counts[a]} participant(s)" for a in too_few)
            + f"; fewer than {min_rows} cannot be estimated, so these rows are left out",
            DataQualityWarning,
            stacklevel=3,
        )
    approach_ids = tuple(sorted(str(a) for a, c in counts.items() if c >= min_rows))
    if not approach_ids:
        raise ParameterError(
            f"treatment column {treatment!r}: no approach has {min_rows} or more participants"
        )
    arm = arms_of(labels, approach_ids)
    keep = arm >= 0
    if not keep.all():
        rows, arm, y = rows[keep], arm[keep], y[keep]
        source = (
            source.take(np.flatnonzero(keep))
            if isinstance(source, Caseload)
            else (source.iloc[np.flatnonzero(keep)].reset_index(drop=True))
        )
    return Prepared(
        source, arm, approach_ids, y, is_binary, feats, ctrl, rows, n_input, treatment, outcome
    )


def warn_unknown(names: Sequence[str], raw: FloatArray, what: str) -> None:
    """Warn about raw columns that are unknown for most rows."""
    if not len(raw):
        return
    share = np.isnan(raw).mean(axis=0)
    bad = [(n, s) for n, s in zip(names, share, strict=True) if s > _UNKNOWN_SHARE]
    if bad:
        n = len(raw)
        warnings.warn(
            f"{what} unknown for most rows: "
            + ", ".join(f"{name!r} ({round(s * n)} of {n})" for name, s in bad)
            + "; effects cannot vary reliably by them",
            DataQualityWarning,
            stacklevel=3,
        )


def _ids() -> frozenset[str]:
    return frozenset({"client_id", "municipality", "neighbourhood"})
