"""Reading, validating and writing histories (JSONL, CSV, Parquet, DataFrame).

A history file is a caseload file with more columns: the approach each client took part in
(``approach_id``; empty for usual care), one or more outcome columns and optionally a
``start_date``. The profile part goes through exactly the caseload's reading and validation
(:mod:`matchkit._caseload`, :mod:`matchkit._validate`); the history columns are checked here,
and all problems of all records are reported together, naming record, field, value and what
is allowed. Good records are kept (``RecordErrors.valid`` is the :class:`History` of them).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import (
    Caseload,
    csv_frame,
    frame_records,
    read_raw_flat,
    read_raw_jsonl,
)
from matchkit._catalog import Catalog
from matchkit._fields import STORED_FIELDS, ZRM_LEGACY_11
from matchkit._profile import CLIENT_ID_PATTERN
from matchkit._validate import validate_raw
from matchkit.errors import DataQualityWarning, ParameterError, RecordError, RecordErrors
from matchkit.learn._history import TREATMENT_COLUMN, History

__all__ = ["START_DATE_COLUMN", "read_history", "validate_history", "write_history"]

START_DATE_COLUMN = "start_date"
"""Name of the optional column with the date each client's approach (or usual care) began."""

_FORMATS = (".jsonl", ".csv", ".parquet")
_JSON_CONTRACT_KEYS = (frozenset(STORED_FIELDS) - {c for c in STORED_FIELDS if c[:4] == "zrm_"}) | {
    "zrm",
    "zrm11",
}

HistoryData = History | pd.DataFrame | str | Path


def _is_contract_flat(name: str) -> bool:
    return name in STORED_FIELDS or (name.startswith("zrm11_") and name[6:] in ZRM_LEGACY_11)


def _is_contract_json(name: str) -> bool:
    # Flat zrm_<domain> keys stay with the profile, where they get the caseload's own error.
    return name in _JSON_CONTRACT_KEYS or name.startswith("zrm")


def _missing(values: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    return np.fromiter(
        (
            v is None
            or v is pd.NA
            or v is pd.NaT
            or (isinstance(v, float) and v != v)
            or (isinstance(v, str) and not v.strip())
            for v in values
        ),
        dtype=bool,
        count=len(values),
    )


_TEXT_BOOL = {"true": 1.0, "false": 0.0}


def _number(value: Any, text: bool) -> float:
    """Return a cell as a number (NaN if not one); CSV text is parsed, JSON text is not."""
    if isinstance(value, bool | np.bool_ | int | float | np.number):
        return float(value)
    if text and isinstance(value, str):
        cell = value.strip()
        if cell.lower() in _TEXT_BOOL:
            return _TEXT_BOOL[cell.lower()]
        try:
            return float(cell)
        except ValueError:
            return float("nan")
    return float("nan")


class _Checker:
    """History-column checks for one batch of raw records; collects (row, error) pairs."""

    def __init__(self, labels: Sequence[str], ids: pd.Series, text: bool) -> None:
        self.labels = list(labels)
        self.ids = ids.to_numpy(dtype=object)
        self.text = text
        self.errors: list[tuple[int, RecordError]] = []

    def where(self, i: int) -> str:
        cid = self.ids[i]
        if isinstance(cid, str) and CLIENT_ID_PATTERN.match(cid):
            return f"{self.labels[i]} (client_id {cid})"
        return self.labels[i]

    def report(self, rows: npt.NDArray[np.bool_], field: str, values: Any, allowed: str) -> None:
        for i in map(int, np.flatnonzero(rows)):
            value = values[i]
            if isinstance(value, np.generic):
                value = value.item()
            self.errors.append((i, RecordError(self.where(i), field, value, allowed)))

    def approach(self, raw: pd.Series, catalog: Catalog | None, column: str) -> pd.Series:
        values = raw.to_numpy(dtype=object)
        missing = _missing(values)
        is_str = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
        bad = ~missing & ~is_str
        if catalog is not None:
            ids = tuple(catalog.ids)
            unknown = ~missing & is_str & ~np.isin(values.astype(str), ids)
            allowed = f"an approach id of the catalog ({', '.join(ids)}), or empty for usual care"
            self.report(bad | unknown, column, values, allowed)
            bad |= unknown
        else:
            self.report(bad, column, values, "an approach id (text), or empty for usual care")
        out = values.copy()
        out[missing | bad] = None
        return pd.Series(out, dtype="string", name=TREATMENT_COLUMN)

    def outcome(self, raw: pd.Series, name: str, binary: bool) -> pd.Series:
        values = raw.to_numpy(dtype=object)
        n = len(values)
        missing = _missing(values)
        if raw.dtype != object and not pd.api.types.is_string_dtype(raw.dtype):
            nums = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = np.zeros(n, dtype=bool)
        else:
            nums = np.fromiter((_number(v, self.text) for v in values), np.float64, count=n)
            bad = ~missing & np.isnan(nums)
        bad |= ~missing & np.isinf(nums)
        self.report(bad, name, values, "a number" + (" (0 or 1)" if binary else ""))
        if binary:
            not_binary = ~missing & ~bad & ~np.isin(nums, (0.0, 1.0))
            self.report(not_binary, name, values, "0 or 1 (a binary outcome)")
            bad |= not_binary
        nan = missing | (np.isnan(nums) & ~bad)
        if nan.any():
            count = int(nan.sum())
            self.report(
                nan, name, [None] * n, f"a recorded outcome ({count} record(s) lack {name})"
            )
        return pd.Series(np.where(bad | nan, np.nan, nums), dtype="float64", name=name)

    def start_date(self, raw: pd.Series) -> pd.Series:
        values = raw.to_numpy(dtype=object)
        missing = _missing(values)
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            return pd.Series(pd.to_datetime(raw).to_numpy(), name=START_DATE_COLUMN)
        cells = values.copy()
        cells[missing] = None
        text = pd.Series(cells)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        bad = ~missing & np.asarray(parsed.isna())
        self.report(bad, START_DATE_COLUMN, values, "a date (YYYY-MM-DD), or empty")
        return pd.Series(parsed.to_numpy(), name=START_DATE_COLUMN)


def _read(
    data: pd.DataFrame | str | Path, treatment: str, outcomes: Sequence[str] | None
) -> tuple[pd.DataFrame, list[str], list[tuple[int, RecordError]], Any, pd.DataFrame, bool, str]:
    """Return raw profile, labels, read errors, unreadable rows, side columns, text, source."""

    def aside_flat(name: str) -> bool:
        return not _is_contract_flat(name)

    if isinstance(data, pd.DataFrame):
        frame = data.reset_index(drop=True)
        side_cols = [c for c in frame.columns if aside_flat(str(c))]
        raw = frame.drop(columns=side_cols)
        side = frame[side_cols]
        return raw, [f"row {i}" for i in range(len(raw))], [], None, side, False, "DataFrame"
    path = Path(data)
    if path.suffix not in _FORMATS:
        raise RecordErrors(
            [RecordError(str(path), "(file)", path.suffix, "a .jsonl, .csv or .parquet file")]
        )
    if not path.exists():
        raise FileNotFoundError(f"no such history file: {path}")
    aside: Callable[[str], bool] = (
        (lambda k: not _is_contract_json(k)) if path.suffix == ".jsonl" else aside_flat
    )
    reader = read_raw_jsonl if path.suffix == ".jsonl" else read_raw_flat
    raw, labels, extra, bad, side = reader(path, aside)
    return raw, labels, extra, bad, side, path.suffix == ".csv", str(path)


def _outcome_names(
    side: pd.DataFrame, treatment: str, outcomes: Sequence[str] | None, source: str
) -> list[str]:
    present = [str(c) for c in side.columns]
    problems: list[RecordError] = []
    if treatment not in present:
        problems.append(
            RecordError("header", treatment, None, "a column of approach ids (empty = usual care)")
        )
    if outcomes is None:
        names = [c for c in present if c not in (treatment, START_DATE_COLUMN)]
        if not names:
            problems.append(
                RecordError(
                    "header", "(outcome)", None, "at least one outcome column besides the profile"
                )
            )
    else:
        names = list(outcomes)
        others = [c for c in present if c not in (treatment, START_DATE_COLUMN)]
        for name in names:
            if name not in present:
                problems.append(
                    RecordError(
                        "header",
                        name,
                        "(missing)",
                        f"an outcome column {name} (columns outside the profile: "
                        + (", ".join(others) or "none")
                        + ")",
                    )
                )
        ignored = [c for c in others if c not in names]
        if ignored and not problems:
            warnings.warn(
                f"{source}: column(s) {', '.join(ignored)} are not among the outcomes "
                f"({', '.join(names)}) and are not read",
                DataQualityWarning,
                stacklevel=4,
            )
    if problems:
        raise RecordErrors(problems, source=source)
    return names


def _check_names(outcomes: Sequence[str] | None, binary: Sequence[str] | None) -> None:
    for param, names in (("outcomes", outcomes), ("binary", binary)):
        if names is None:
            continue
        if isinstance(names, str) or not all(isinstance(x, str) and x for x in names):
            raise ParameterError(
                f"{param}={names!r} is not allowed; expected a list of column names"
            )
    if outcomes is not None and binary is not None:
        stray = [b for b in binary if b not in outcomes]
        if stray:
            raise ParameterError(
                f"binary={list(binary)!r} is not allowed; {stray} are not among the outcomes"
            )


def validate_history(
    data: HistoryData,
    *,
    outcomes: Sequence[str] | None = None,
    binary: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    treatment: str = TREATMENT_COLUMN,
) -> tuple[History, list[RecordError]]:
    """Validate a history; return the valid records and every problem found.

    Parameters
    ----------
    data : History, DataFrame or path
        A path ends in ``.jsonl``, ``.csv`` or ``.parquet``. The profile columns follow the
        client-profile contract (validated exactly as a caseload is).
    outcomes : list of str, optional
        The outcome columns. Default: every column outside the contract other than the
        treatment column and ``start_date``.
    binary : list of str, optional
        Outcomes that must be 0 or 1 (``true``/``false`` are read as 1/0).
    catalog : Catalog, optional
        When given, every approach id must be one of its ids.
    treatment : str, default ``"approach_id"``
        The column of approach ids; empty means usual care.

    Returns
    -------
    history : History
        The valid records.
    errors : list of RecordError
        Every problem of every bad record. A missing outcome value is a problem (its
        message gives the count per outcome); so are non-numbers, values other than 0/1 in
        a binary outcome, unknown approach ids and malformed start dates.

    Raises
    ------
    RecordErrors
        When the file cannot be a history at all: no treatment column, a named outcome
        column missing, no outcome column, or an unexpected column (``header`` errors).
    """
    _check_names(outcomes, binary)
    if isinstance(data, History):
        return data, []
    raw, labels, extra, unreadable, side, text, source = _read(data, treatment, outcomes)
    names = _outcome_names(side, treatment, outcomes, source)
    n = len(raw)
    ids = raw["client_id"] if "client_id" in raw.columns else pd.Series([None] * n, dtype=object)
    check = _Checker(labels, ids, text)
    approach = check.approach(side[treatment], catalog, treatment)
    expect_binary = set(binary or ())
    outcome_frame = pd.DataFrame(
        {name: check.outcome(side[name], name, name in expect_binary) for name in names},
        index=pd.RangeIndex(n),
    )
    start = check.start_date(side[START_DATE_COLUMN]) if START_DATE_COLUMN in side else None
    if unreadable is not None:
        check.errors = [(i, e) for i, e in check.errors if not unreadable[i]]
    frame, errors = validate_raw(raw, labels, [*extra, *check.errors], unreadable, text=text)
    rows = _surviving_rows(ids, frame)
    history = History(
        caseload=Caseload(frame, _validated=True),
        approach=approach.iloc[rows].reset_index(drop=True),
        outcomes=outcome_frame.iloc[rows].reset_index(drop=True),
        start_date=None if start is None else start.iloc[rows].reset_index(drop=True),
    )
    return history, errors


def _surviving_rows(ids: pd.Series, valid: pd.DataFrame) -> npt.NDArray[np.intp]:
    """Positions in the raw records of the valid rows (valid client ids are unique)."""
    if len(valid) == 0:
        return np.zeros(0, dtype=np.intp)
    keys = pd.Series([v if isinstance(v, str) else None for v in ids], dtype=object)
    first = pd.Series(np.arange(len(keys))).groupby(keys, dropna=True).min()
    rows: npt.NDArray[np.intp] = first.loc[valid["client_id"].astype(str)].to_numpy(np.intp)
    return rows


def read_history(
    data: HistoryData,
    *,
    outcomes: Sequence[str] | None = None,
    binary: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    treatment: str = TREATMENT_COLUMN,
) -> History:
    """Read and validate a history (see :func:`validate_history` for the parameters).

    Raises
    ------
    RecordErrors
        When any record is bad; every problem is listed and ``err.valid`` is the
        :class:`History` of the valid records.

    Examples
    --------
    >>> import matchkit as mk
    >>> h = mk.generate_history(200, seed=1)
    >>> frame = h.frame.drop(columns=["ladder_change"])
    >>> len(mk.read_history(frame, outcomes=["exit_12m"], binary=["exit_12m"]))
    200
    """
    history, errors = validate_history(
        data, outcomes=outcomes, binary=binary, catalog=catalog, treatment=treatment
    )
    if errors:
        source = str(data) if isinstance(data, str | Path) else "DataFrame"
        raise RecordErrors(errors, valid=history, source=source)
    return history


def write_history(
    history: History,
    path: str | Path,
    *,
    format: Literal["jsonl", "csv", "parquet"] | None = None,
) -> Path:
    """Write a history as JSONL (nested ``zrm``), CSV or Parquet; :func:`read_history` reads it.

    The approach column is ``approach_id`` (empty/``null`` for usual care); binary outcomes
    are written as 0 and 1; a start date as ``YYYY-MM-DD``. The planted truth of a synthetic
    history is not written.
    """
    path = Path(path)
    fmt = format or path.suffix.lstrip(".")
    if fmt not in ("jsonl", "csv", "parquet"):
        raise ParameterError(f"format={fmt!r} is not allowed; expected one of jsonl, csv, parquet")
    binary = set(history.binary_outcomes)
    outcomes = history.outcomes.reset_index(drop=True)
    approach = history.approach.reset_index(drop=True).astype(object)
    dates = (
        None
        if history.start_date is None
        else pd.to_datetime(history.start_date).dt.strftime("%Y-%m-%d").reset_index(drop=True)
    )
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            columns = {c: outcomes[c].to_numpy() for c in outcomes.columns}
            for i, rec in enumerate(frame_records(history.caseload.frame)):
                a = approach.iloc[i]
                rec[TREATMENT_COLUMN] = None if a is None or a is pd.NA else str(a)
                for c, vals in columns.items():
                    v = float(vals[i])
                    rec[c] = None if v != v else (int(v) if c in binary else v)
                if dates is not None:
                    d = dates.iloc[i]
                    rec[START_DATE_COLUMN] = d if isinstance(d, str) else None
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return path
    out = history.caseload.frame if fmt == "parquet" else csv_frame(history.caseload.frame)
    extra: dict[str, Any] = {TREATMENT_COLUMN: history.approach.reset_index(drop=True)}
    for c in outcomes.columns:
        extra[c] = outcomes[c].astype("Int64") if c in binary else outcomes[c]
    if history.start_date is not None:
        extra[START_DATE_COLUMN] = (
            pd.to_datetime(history.start_date).reset_index(drop=True) if fmt == "parquet" else dates
        )
    full = pd.concat([out.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    if fmt == "csv":
        full.to_csv(path, index=False)
    else:
        full.to_parquet(path, index=False)
    return path
