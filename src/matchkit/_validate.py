"""Vectorised validation of flat client records against the profile contract.

Input is a "raw" frame: one row per record, columns named as the contract's flat form
(``zrm_<domain>``), values as they came (Python objects from JSON, text from CSV, typed
columns from Parquet or a DataFrame). Output is the typed columnar frame of the valid rows
and a list of :class:`~matchkit.errors.RecordError` naming every problem of every bad row.
Checks run per column with pandas/numpy; Python-level work happens only for object columns
and for rows that are already known to be bad.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._fields import FIELDS, STORED_FIELDS, FieldSpec, Kind
from matchkit._profile import CLIENT_ID_PATTERN, LANGUAGE_CODE_PATTERN
from matchkit._sources import accepted_columns, split_list_text
from matchkit.errors import DataQualityWarning, MissingColumnsError, RecordError

__all__ = ["check_required_columns", "contract_dtypes", "empty_frame", "validate_raw"]

_TRUE_TEXT = frozenset({"true", "True", "TRUE", "1", "yes"})
_FALSE_TEXT = frozenset({"false", "False", "FALSE", "0", "no"})
EMPTY_LIST_TEXT = "[]"


def contract_dtypes() -> dict[str, Any]:
    """Return the pandas dtype of every stored contract column."""
    out: dict[str, Any] = {}
    for name in STORED_FIELDS:
        spec = FIELDS[name]
        if spec.kind is Kind.INT:
            out[name] = "Int64"
        elif spec.kind is Kind.FLOAT:
            out[name] = "float64"
        elif spec.kind is Kind.BOOL:
            out[name] = "boolean"
        elif spec.kind is Kind.ENUM:
            out[name] = pd.CategoricalDtype(list(spec.values), ordered=spec.ordered)
        elif spec.kind is Kind.STR:
            out[name] = "string"
        else:
            out[name] = "object"
    return out


def empty_frame() -> pd.DataFrame:
    """Return an empty frame with the contract's columns and dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in contract_dtypes().items()})


def _is_missing(s: pd.Series) -> npt.NDArray[np.bool_]:
    if s.dtype == object:
        # Missing is None, a float NaN or pd.NA, nothing else (not NaT, not a NumPy NaN).
        # pd.isna finds a superset in C; only its hits are checked one by one.
        values = s.to_numpy(dtype=object)
        missing = pd.isna(values)
        for i in np.flatnonzero(missing):
            v = values[i]
            missing[i] = v is None or (isinstance(v, float) and v != v) or v is pd.NA
        return np.asarray(missing, dtype=bool)
    return np.asarray(s.isna(), dtype=bool)


def _instances(
    s: pd.Series | npt.NDArray[Any], classes: type | tuple[type, ...], exact: bool = False
) -> npt.NDArray[np.bool_]:
    """``isinstance(v, classes)`` (``exact``: ``type(v) is classes``) for every cell.

    Decided once per distinct type of the column, not per cell.
    """
    values = s.to_numpy(dtype=object) if isinstance(s, pd.Series) else s
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    codes, distinct = pd.factorize(types)
    if exact:
        hit = np.array([t is classes for t in distinct] + [False], dtype=bool)
    else:
        hit = np.array([issubclass(t, classes) for t in distinct] + [False], dtype=bool)
    return hit[codes]


def _is_bool_obj(s: pd.Series) -> npt.NDArray[np.bool_]:
    if s.dtype != object:
        return np.asarray(pd.api.types.is_bool_dtype(s.dtype) & np.ones(len(s), bool))
    return _instances(s, (bool, np.bool_))


def _numeric(s: pd.Series, spec: FieldSpec, text: bool) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    missing = _is_missing(s)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        is_bool = _is_bool_obj(s)
        num = pd.to_numeric(s.where(~missing), errors="coerce")
        if not text:
            # JSON text such as "60" is not a number; only CSV cells are parsed from text.
            num = num.where(~_instances(s, str))
        bad = ~missing & (np.asarray(num.isna()) | is_bool)
    elif pd.api.types.is_bool_dtype(s.dtype):
        num = pd.Series(np.nan, index=s.index)
        bad = ~missing
    else:
        num = pd.to_numeric(s, errors="coerce")
        bad = np.zeros(len(s), dtype=bool)
    values = np.asarray(num.to_numpy(dtype="float64", na_value=np.nan))
    with np.errstate(invalid="ignore"):
        if spec.kind is Kind.INT:
            bad |= ~missing & ~np.isnan(values) & (values != np.floor(values))
        if spec.minimum is not None:
            bad |= ~missing & (values < spec.minimum)
        if spec.maximum is not None:
            bad |= ~missing & (values > spec.maximum)
        bad |= ~missing & np.isinf(values)
    values = np.where(bad | missing, np.nan, values)
    if spec.kind is Kind.INT:
        typed = pd.Series(pd.array(values, dtype="Float64"), index=s.index).astype("Int64")
    else:
        typed = pd.Series(values, index=s.index, dtype="float64")
    return typed, bad


def _boolean(s: pd.Series, text: bool) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    missing = _is_missing(s)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean"), np.zeros(len(s), dtype=bool)
    if s.dtype == object:
        is_bool = _is_bool_obj(s)
        is_text = _instances(s, str) if text else np.zeros(len(s), dtype=bool)
        truthy = s.isin(_TRUE_TEXT).to_numpy(dtype=bool) & is_text
        falsy = s.isin(_FALSE_TEXT).to_numpy(dtype=bool) & is_text
        vals = np.zeros(len(s), dtype=bool)
        vals[is_bool] = np.asarray(s[is_bool], dtype=bool)
        vals |= truthy
        ok = is_bool | truthy | falsy
    elif pd.api.types.is_string_dtype(s.dtype):
        truthy = s.isin(_TRUE_TEXT).to_numpy(dtype=bool)
        falsy = s.isin(_FALSE_TEXT).to_numpy(dtype=bool)
        vals, ok = truthy, truthy | falsy
    else:
        num = s.to_numpy(dtype="float64", na_value=np.nan)
        ok = (num == 0) | (num == 1)
        vals = num == 1
    bad = ~missing & ~ok
    typed = pd.Series(pd.array(vals, dtype="boolean"), index=s.index)
    typed[missing | bad] = pd.NA
    return typed, bad


def _enum(s: pd.Series, spec: FieldSpec) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    missing = _is_missing(s)
    dtype = pd.CategoricalDtype(list(spec.values), ordered=spec.ordered)
    if isinstance(s.dtype, pd.CategoricalDtype):
        # Recode by category, not per value: values outside the levels become missing.
        typed = s.cat.set_categories(list(spec.values)).astype(dtype)
        bad = ~missing & np.asarray(typed.isna(), dtype=bool)
        return typed, bad
    # Only strings can equal the (string) levels, so `isin` needs no type check.
    ok = s.isin(spec.values).to_numpy(dtype=bool)
    bad = ~missing & ~ok
    typed = pd.Series(pd.Categorical(s.where(ok), dtype=dtype), index=s.index)
    return typed, bad


def _string(s: pd.Series, spec: FieldSpec) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    missing = _is_missing(s)
    if s.dtype == object:
        is_str = _instances(s, str)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        is_str = np.fromiter((isinstance(v, str) for v in s), dtype=bool, count=len(s))
    elif pd.api.types.is_string_dtype(s.dtype):
        is_str = np.ones(len(s), dtype=bool)
    else:
        # A numeric column (client ids read as numbers) is not text: 1001 would become "1001"
        # and 1001.0 "1001.0", so the id would not be the one in the source system.
        is_str = np.zeros(len(s), dtype=bool)
    text = s.where(is_str & ~missing).astype("string")
    bad = ~missing & ~is_str
    if spec.name == "client_id":
        ok = text.str.fullmatch(CLIENT_ID_PATTERN.pattern).fillna(False).to_numpy(dtype=bool)
        bad |= ~missing & ~ok
    else:
        bad |= ~missing & is_str & (text.str.len().fillna(0).to_numpy() == 0)
    return text.where(~bad), bad


def _split_text_list(v: str) -> list[str]:
    if v.strip() == EMPTY_LIST_TEXT:
        return []
    return split_list_text(v)


def _list(s: pd.Series, spec: FieldSpec, text: bool) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    missing = _is_missing(s)
    n = len(s)
    values = s.to_numpy(dtype=object)
    if text:
        values = np.array(
            [_split_text_list(v) if isinstance(v, str) else v for v in values] + [None],
            dtype=object,
        )[:n]
    is_plain_list = _instances(values, list, exact=True)
    is_list = is_plain_list | _instances(values, (tuple, np.ndarray))
    bad = ~missing & ~is_list
    # Lists repeat (a few language or barrier sets over a whole caseload): check each
    # distinct list once. Lists of unhashable items are checked item by item instead.
    listed = np.flatnonzero(is_list)
    distinct: list[tuple[Any, ...]] = [tuple(v) for v in values[listed]]
    try:
        seen: dict[tuple[Any, ...], int] = {}
        codes = np.fromiter(
            (seen.setdefault(k, len(seen)) for k in distinct), np.int64, len(listed)
        )
    except TypeError:
        bad[_bad_list_rows(values, is_list, spec)] = True
    else:
        distinct_bad = np.array([not _list_ok(k, spec) for k in seen], dtype=bool)
        bad[listed[distinct_bad[codes]]] = True
    keep = ~missing & ~bad
    out = np.full(n, None, dtype=object)
    out[keep] = values[keep]
    convert = keep & ~is_plain_list  # tuples, arrays from Parquet: each becomes its own list
    out[convert] = _to_list(values[convert])
    return pd.Series(out, index=s.index, dtype=object), bad


_to_list = np.frompyfunc(list, 1, 1)
"""``list`` of each element of an object array, in a C loop (elements may be arrays)."""


def _list_ok(items: tuple[Any, ...], spec: FieldSpec) -> bool:
    """Whether every item of one list is allowed (as :func:`_bad_list_rows` decides)."""
    if spec.values:
        allowed = spec.values
        return all(isinstance(v, str) and v in allowed for v in items)
    return all(
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and v != v)
        and LANGUAGE_CODE_PATTERN.fullmatch(str(v)) is not None
        for v in items
    )


def _bad_list_rows(
    values: npt.NDArray[Any], is_list: npt.NDArray[np.bool_], spec: FieldSpec
) -> npt.NDArray[np.int64]:
    """Rows holding a list with an item that is not allowed, checked item by item."""
    rows = pd.Series(values[is_list], index=np.flatnonzero(is_list), dtype=object)
    items = rows.explode()
    if spec.values:
        item_ok = items.isin(spec.values).to_numpy(dtype=bool)
    else:
        matched = items.astype("string").str.fullmatch(LANGUAGE_CODE_PATTERN.pattern)
        item_ok = matched.fillna(False).to_numpy(dtype=bool)
    # An empty list explodes to one missing item; that row is fine.
    lengths = rows.map(len).to_numpy() if len(rows) else np.zeros(0, dtype=np.int64)
    empty = np.repeat(lengths == 0, np.maximum(lengths, 1))
    item_bad = ~item_ok & ~empty
    return np.unique(np.asarray(items.index, dtype=np.int64)[item_bad])


def _coerce(s: pd.Series, spec: FieldSpec, text: bool) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    if spec.kind in (Kind.INT, Kind.FLOAT):
        return _numeric(s, spec, text)
    if spec.kind is Kind.BOOL:
        return _boolean(s, text)
    if spec.kind is Kind.ENUM:
        return _enum(s, spec)
    if spec.kind is Kind.STR:
        return _string(s, spec)
    return _list(s, spec, text)


def check_required_columns(
    raw: pd.DataFrame, bad_rows: npt.NDArray[np.bool_] | None = None, source: str = ""
) -> None:
    """Raise one :class:`MissingColumnsError` when a required field has no column at all.

    A missing column is a problem of the header (or, for JSON Lines, of every record), so
    it is reported once, with the accepted columns, instead of once per record. Input
    without any readable record (only malformed lines) is left to the per-record errors.
    """
    readable = len(raw) if bad_rows is None else int((~bad_rows).sum())
    if readable == 0:
        return
    missing = [n for n in STORED_FIELDS if FIELDS[n].required and n not in raw.columns]
    if missing:
        raise MissingColumnsError(missing, accepted_columns(), source)


def validate_raw(
    raw: pd.DataFrame,
    labels: Sequence[str],
    extra_errors: Sequence[tuple[int, RecordError]] = (),
    bad_rows: npt.NDArray[np.bool_] | None = None,
    *,
    text: bool = False,
    source: str = "",
) -> tuple[pd.DataFrame, list[RecordError]]:
    """Validate a raw flat frame; return the typed valid rows and every error.

    Parameters
    ----------
    raw : DataFrame
        One row per record; columns a subset of the contract's flat columns.
    labels : sequence of str
        Where each record is (``"line 3"``), used in error messages.
    extra_errors : sequence of (row, RecordError)
        Problems found while reading (unknown keys, malformed JSON) to report alongside.
    bad_rows : array of bool, optional
        Records that could not be read at all (malformed JSON): reported only through
        ``extra_errors``, without field errors of their own.
    text : bool
        Cells are text to parse (CSV): numbers, ``true``/``false`` and ``;``-separated lists
        are read from strings. Otherwise a string where a number is expected is an error.
    source : str
        The input's name (a path, ``DataFrame``), named in a header error.

    Returns
    -------
    frame : DataFrame
        The valid records with every contract column, typed (see :func:`contract_dtypes`).
    errors : list of RecordError
        Sorted by record order, then by field order.

    Raises
    ------
    MissingColumnsError
        When a required field has no column (see :func:`check_required_columns`).
    """
    n = len(raw)
    raw = raw.reset_index(drop=True)
    check_required_columns(raw, bad_rows, source)
    unreadable = np.zeros(n, dtype=bool) if bad_rows is None else bad_rows.copy()
    bad_any = unreadable.copy()
    bad_any[[i for i, _ in extra_errors]] = True
    found: list[tuple[int, int, RecordError]] = []
    columns: dict[str, pd.Series] = {}
    ids = raw["client_id"] if "client_id" in raw.columns else pd.Series([None] * n, dtype=object)
    labels = list(labels)

    def label(i: int) -> str:
        cid = ids.iloc[i]
        if isinstance(cid, str) and CLIENT_ID_PATTERN.match(cid):
            return f"{labels[i]} (client_id {cid})"
        return labels[i]

    for order, name in enumerate(STORED_FIELDS):
        spec = FIELDS[name]
        if name in raw.columns:
            typed, bad = _coerce(raw[name], spec, text)
        else:
            typed, bad = _coerce(pd.Series([None] * n, dtype=object), spec, text)
        if spec.required:
            absent = _is_missing(raw[name]) if name in raw.columns else np.ones(n, dtype=bool)
            for i in map(int, np.flatnonzero(absent)):
                found.append(
                    (i, order, RecordError(label(i), name, None, f"{spec.allowed()} (required)"))
                )
            bad_any |= absent
        for i in map(int, np.flatnonzero(bad)):
            value = raw[name].iloc[i]
            if isinstance(value, np.generic):  # show 12, not np.int64(12)
                value = value.item()
            allowed = spec.allowed()
            if not text and isinstance(value, str) and spec.kind in (Kind.INT, Kind.FLOAT):
                allowed += (
                    " as a number, not text (in JSON without quotes; in a DataFrame convert the "
                    f"column, e.g. pd.to_numeric(frame[{name!r}]))"
                )
            found.append((i, order, RecordError(label(i), name, value, allowed)))
        bad_any |= bad
        columns[name] = typed

    frame = pd.DataFrame(columns)
    # Cross-field rules.
    youngest_order = STORED_FIELDS.index("youngest_child_age")
    inconsistent = (frame["children"] == 0).fillna(False).to_numpy(dtype=bool) & frame[
        "youngest_child_age"
    ].notna().to_numpy(dtype=bool)
    for i in map(int, np.flatnonzero(inconsistent)):
        found.append(
            (
                i,
                youngest_order,
                RecordError(
                    label(i),
                    "youngest_child_age",
                    int(frame["youngest_child_age"].iloc[i]),
                    "no value when children is 0",
                ),
            )
        )
    bad_any |= inconsistent
    dup = frame["client_id"].duplicated(keep="first").to_numpy(dtype=bool) & frame[
        "client_id"
    ].notna().to_numpy(dtype=bool)
    for i in map(int, np.flatnonzero(dup)):
        found.append(
            (i, 0, RecordError(label(i), "client_id", frame["client_id"].iloc[i], "a unique id"))
        )
    bad_any |= dup

    found = [t for t in found if not unreadable[t[0]]] + [(i, -1, e) for i, e in extra_errors]
    errors = [e for _, _, e in sorted(found, key=lambda t: (t[0], t[1]))]
    valid = frame.loc[~bad_any].reset_index(drop=True)
    _warn_quality(valid)
    return valid, errors


def _warn_quality(frame: pd.DataFrame) -> None:
    high = (frame["zrm_finances"] > 3).fillna(False).to_numpy(dtype=bool)
    if high.any():
        ids = frame.loc[high, "client_id"].head(5).tolist()
        more = f" and {int(high.sum()) - 5} more" if high.sum() > 5 else ""
        warnings.warn(
            f"{int(high.sum())} client(s) have zrm_finances above 3 ({', '.join(ids)}{more}); "
            "a score of 4 or 5 means basic needs are met without benefits, so a client on "
            "assistance scores at most 3",
            DataQualityWarning,
            stacklevel=3,
        )
