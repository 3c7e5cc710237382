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
from itertools import chain
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from matchkit._fields import FIELDS, STORED_FIELDS, FieldSpec, Kind
from matchkit._profile import CLIENT_ID_PATTERN, LANGUAGE_CODE_PATTERN
from matchkit._sources import accepted_columns, split_list_text
from matchkit.errors import DataQualityWarning, MissingColumnsError, RecordError

__all__ = [
    "PartOfWhole",
    "RowLabels",
    "check_required_columns",
    "contract_dtypes",
    "empty_frame",
    "shared_lists",
    "validate_raw",
]

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
        missing = np.asarray(pd.isna(values), dtype=bool)
        hits = np.flatnonzero(missing)
        if len(hits):
            # Decided per distinct type of the hits: None and pd.NA are missing, a float (or
            # float subclass) where it is NaN, any other type is not.
            cells = values[hits]
            codes, types = _type_codes(cells)
            none = np.array([t is type(None) or t is type(pd.NA) for t in types] + [False])
            floats = np.array([issubclass(t, float) for t in types] + [False])
            found = none[codes]
            is_float = floats[codes]
            if is_float.any():
                found[is_float] = np.isnan(cells[is_float].astype(np.float64))
            missing[hits] = found
        return missing
    return np.asarray(s.isna(), dtype=bool)


def _type_codes(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp], list[type]]:
    """Return a code per cell for its type, and the types in order of first appearance."""
    ids = np.fromiter(map(id, map(type, values)), dtype=np.int64, count=len(values))
    codes, _ = pd.factorize(ids)
    codes = np.asarray(codes, dtype=np.intp)
    return codes, [type(values[i]) for i in _first_positions(codes)]


def _first_positions(codes: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where each code first appears, for codes numbered in order of first appearance."""
    if not len(codes):
        return np.zeros(0, dtype=np.intp)
    seen = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], codes[1:] > seen[:-1])))


def _instances(
    s: pd.Series | npt.NDArray[Any], classes: type | tuple[type, ...], exact: bool = False
) -> npt.NDArray[np.bool_]:
    """``isinstance(v, classes)`` (``exact``: ``type(v) is classes``) for every cell.

    Decided once per distinct type of the column, not per cell.
    """
    values = s.to_numpy(dtype=object) if isinstance(s, pd.Series) else s
    codes, distinct = _type_codes(values)
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
    elif pd.api.types.is_signed_integer_dtype(s.dtype):
        return _whole_numbers(s, spec, missing)
    elif pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        num = s  # already numbers (what pd.to_numeric would return)
        bad = np.zeros(len(s), dtype=bool)
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
    unknown = bad | missing
    values = np.where(unknown, np.nan, values)
    if spec.kind is Kind.INT:
        # Whole numbers in range where known: the Int64 that Float64 -> Int64 would give.
        whole = np.where(unknown, 0.0, values).astype(np.int64)
        typed = pd.Series(pd.arrays.IntegerArray(whole, unknown.copy()), index=s.index)
    else:
        typed = pd.Series(values, index=s.index, dtype="float64")
    return typed, bad


def _whole_numbers(
    s: pd.Series, spec: FieldSpec, missing: npt.NDArray[np.bool_]
) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """:func:`_numeric` for a column of integers (int64, Int64, ...): range checks only."""
    data = np.asarray(s.to_numpy(dtype=np.int64, na_value=0))
    bad = np.zeros(len(s), dtype=bool)
    if spec.minimum is not None:
        bad |= data < spec.minimum
    if spec.maximum is not None:
        bad |= data > spec.maximum
    bad &= ~missing
    unknown = bad | missing
    if spec.kind is Kind.INT:
        whole = np.where(unknown, 0, data) if unknown.any() else data.copy()
        return pd.Series(pd.arrays.IntegerArray(whole, unknown), index=s.index), bad
    values = np.where(unknown, np.nan, data.astype(np.float64))
    return pd.Series(values, index=s.index, dtype="float64"), bad


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
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        text = s.astype("string")  # all text; missing cells are already <NA>
    else:
        text = s.where(is_str & ~missing).astype("string")
    bad = ~missing & ~is_str
    if spec.name == "client_id":
        ok = text.str.fullmatch(CLIENT_ID_PATTERN.pattern).fillna(False).to_numpy(dtype=bool)
        bad |= ~missing & ~ok
    else:
        bad |= ~missing & is_str & (text.str.len().fillna(0).to_numpy() == 0)
    return (text.where(~bad) if bad.any() else text), bad


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
    type_codes, distinct_types = _type_codes(values)
    plain = np.array([t is list for t in distinct_types] + [False], dtype=bool)
    seq = np.array([issubclass(t, (list, tuple, np.ndarray)) for t in distinct_types] + [False])
    is_plain_list = plain[type_codes]
    is_list = seq[type_codes]
    bad = ~missing & ~is_list
    listed = np.flatnonzero(is_list)
    # Every item of every list in one flat array, checked once per distinct item (items
    # repeat: a few languages or interests over a whole caseload). Lists of unhashable items
    # are checked item by item instead.
    arrays = [t for t in distinct_types if issubclass(t, np.ndarray)]
    flat = _flat_items(values[listed], only_arrays=arrays == [np.ndarray] and seq.sum() == 1)
    if flat is None:
        bad[_bad_list_rows(values, is_list, spec)] = True
        keys = None
    else:
        items, lengths, item_codes, uniques = flat
        item_ok = np.array([_item_ok(u, spec) for u in uniques] + [False], dtype=bool)
        rows = np.repeat(listed, lengths)
        bad[rows[~item_ok[item_codes]]] = True
        keys = (items, lengths, item_codes, len(uniques))
    keep = ~missing & ~bad
    out = np.full(n, None, dtype=object)
    out[keep] = values[keep]
    convert = keep & ~is_plain_list  # tuples, arrays from Parquet: each becomes a list
    if convert.any():
        out[convert] = _as_lists(values, listed, convert, keys)
    return pd.Series(out, index=s.index, dtype=object), bad


def _flat_items(
    lists: npt.NDArray[Any], only_arrays: bool = False
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.intp], list[Any]] | None:
    """Return (items, lengths, item codes, distinct items) of the given lists, or None.

    The codes number the distinct items as a dict would (equal items share a code; ``None``
    and NaN items get -1). None when an item is unhashable or the lists are not flat.
    ``only_arrays``: every list is a NumPy array (Parquet, Arrow), joined in one C call.
    """
    try:
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        total = int(lengths.sum())
        arrays = lists.tolist()
        if only_arrays and total and {a.dtype for a in arrays} == {np.dtype(object)}:
            # Arrays of objects (as Arrow and Parquet give them) hold the items themselves.
            items = np.concatenate(arrays)
            if items.ndim != 1 or len(items) != total:
                return None
        else:
            items = np.fromiter(chain.from_iterable(lists), dtype=object, count=total)
        codes, uniques = pd.factorize(items)
    except (TypeError, ValueError):
        return None
    codes = np.asarray(codes, dtype=np.intp)
    types, distinct_types = _type_codes(items)
    if len(distinct_types) > 1:
        # Equal items of other types ("en" and np.str_("en")) are distinct items here.
        known = np.flatnonzero(codes >= 0)
        keyed, _ = pd.factorize(codes[known] * len(distinct_types) + types[known])
        codes = np.full(total, -1, dtype=np.intp)
        codes[known] = keyed
        uniques = items[known[_first_positions(np.asarray(keyed, dtype=np.intp))]]
    return items, lengths, codes, list(uniques)


_to_list = np.frompyfunc(list, 1, 1)
"""``list`` of each element of an object array, in a C loop (elements may be arrays)."""


def _as_lists(
    values: npt.NDArray[Any],
    listed: npt.NDArray[np.intp],
    convert: npt.NDArray[np.bool_],
    flat: tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.intp], int] | None,
) -> npt.NDArray[np.object_]:
    """Return the valid tuples and arrays of the ``convert`` rows as Python lists."""
    rows = np.flatnonzero(convert)
    if flat is None:
        return np.asarray(_to_list(values[rows]), dtype=object)
    items, lengths, codes, distinct = flat
    ends = np.cumsum(lengths)
    pos = np.searchsorted(listed, rows)
    return shared_lists(items, ends - lengths, ends, codes, distinct, pos)


def shared_lists(
    items: npt.NDArray[Any],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    codes: npt.NDArray[np.intp],
    distinct: int,
    rows: npt.NDArray[np.intp] | None = None,
) -> npt.NDArray[np.object_]:
    """Return ``items[starts[r]:ends[r]]`` as a Python list for each row ``r`` of ``rows``.

    ``codes`` number the items (equal items, equal code; from 0 to ``distinct`` - 1). Rows
    holding the same items get one shared list (a caseload frame is read-only, as its
    docstring says): the items of a list are read as the digits of a number in base
    ``distinct + 1``, which identifies the list exactly. When that number would not fit in
    62 bits, every row gets a list of its own.
    """
    rows = np.arange(len(starts)) if rows is None else rows
    lengths = ends - starts
    item_list = items.tolist()
    if not len(rows):
        return np.empty(0, dtype=object)
    longest = int(lengths.max()) if len(lengths) else 0
    if longest * np.log2(distinct + 1) >= 62:
        cut = np.frompyfunc(lambda a, b: item_list[a:b], 2, 1)
        return np.asarray(cut(starts[rows], ends[rows]), dtype=object)
    # Item i of a list counts (code + 1) * base**i: no digit is 0, so the length is known too.
    owner = np.repeat(np.arange(len(starts)), lengths)
    offset = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    place = np.arange(len(owner), dtype=np.int64) - np.repeat(offset, lengths)
    terms = (codes[place + np.repeat(starts, lengths)].astype(np.int64) + 1) * np.power(
        np.int64(distinct + 1), place
    )
    number = np.zeros(len(starts), dtype=np.int64)
    np.add.at(number, owner, terms)
    row_codes, _ = pd.factorize(number[rows])
    first = _first_positions(np.asarray(row_codes, dtype=np.intp))
    shared = np.empty(len(first), dtype=object)
    for j, r in enumerate(rows[first].tolist()):
        shared[j] = item_list[int(starts[r]) : int(ends[r])]
    return shared[row_codes]


def _item_ok(v: Any, spec: FieldSpec) -> bool:
    """Whether one list item is allowed (as :func:`_bad_list_rows` decides, item by item)."""
    if spec.values:
        return isinstance(v, str) and v in spec.values
    return (
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and v != v)
        and LANGUAGE_CODE_PATTERN.fullmatch(str(v)) is not None
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
    part: PartOfWhole | None = None,
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
    part : PartOfWhole, optional
        ``raw`` is one chunk of a larger input, validated chunk by chunk in order: client ids
        seen in earlier chunks count as duplicates, and the checks of the whole input (a
        required column missing everywhere, the data-quality warning) are left to the
        caller (:meth:`PartOfWhole.finish`).

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
    if part is None:
        check_required_columns(raw, bad_rows, source)
    unreadable = np.zeros(n, dtype=bool) if bad_rows is None else bad_rows.copy()
    bad_any = unreadable.copy()
    bad_any[[i for i, _ in extra_errors]] = True
    found: list[tuple[int, int, RecordError]] = []
    columns: dict[str, pd.Series] = {}
    ids = raw["client_id"] if "client_id" in raw.columns else pd.Series([None] * n, dtype=object)

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
    dup = _duplicated_ids(frame["client_id"], None if part is None else part.ids)
    if part is not None:
        readable = n if bad_rows is None else int((~bad_rows).sum())
        part.stage(frame["client_id"], raw.columns, readable, n)
    for i in map(int, np.flatnonzero(dup)):
        found.append(
            (i, 0, RecordError(label(i), "client_id", frame["client_id"].iloc[i], "a unique id"))
        )
    bad_any |= dup

    found = [t for t in found if not unreadable[t[0]]] + [(i, -1, e) for i, e in extra_errors]
    errors = [e for _, _, e in sorted(found, key=lambda t: (t[0], t[1]))]
    valid = frame.loc[~bad_any].reset_index(drop=True) if bad_any.any() else frame
    if part is None:
        _warn_quality(valid)
    return valid, errors


class RowLabels(Sequence[str]):
    """``prefix start``, ``prefix start+1``, ...: record labels made only when asked for.

    Labels name a record in an error; a valid caseload of a million rows needs none of them.
    """

    def __init__(self, prefix: str, start: int, n: int) -> None:
        self._prefix, self._start, self._n = prefix, start, n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return f"{self._prefix} {self._start + (i % self._n)}"


class PartOfWhole:
    """What validating an input chunk by chunk carries from one chunk to the next.

    Pass one instance as ``part`` to :func:`validate_raw` for every chunk, in order, then call
    :meth:`finish` with the valid rows of all chunks: the checks that concern the whole input
    run there, as :func:`validate_raw` runs them on a whole input.
    """

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.columns: set[str] = set()
        self.readable = 0
        self.records = 0
        self._staged: tuple[pd.Series, Any, int, int] | None = None

    def stage(self, ids: pd.Series, columns: Any, readable: int, records: int) -> None:
        """Hold a validated chunk's ids, columns and counts until :meth:`accept`."""
        self._staged = (ids, columns, readable, records)

    def accept(self, last: bool = False) -> None:
        """Count the chunk last validated (not one validated again in another way).

        ``last``: no chunk follows, so its client ids need not be kept.
        """
        if self._staged is None:
            return
        ids, columns, readable, records = self._staged
        if not last:
            self.ids.update(ids.dropna().tolist())
        self.columns.update(map(str, columns))
        self.readable += readable
        self.records += records
        self._staged = None

    def finish(self, valid: pd.DataFrame, source: str) -> None:
        """Raise for a required column no chunk had; warn about the valid rows' quality."""
        if self.readable:
            missing = [n for n in STORED_FIELDS if FIELDS[n].required and n not in self.columns]
            if missing:
                raise MissingColumnsError(missing, accepted_columns(), source)
        _warn_quality(valid, stacklevel=4)


def _duplicated_ids(ids: pd.Series, seen: set[str] | None) -> npt.NDArray[np.bool_]:
    """Rows whose (valid) client id came before: in an earlier row, or among ``seen``."""
    known = ids.notna().to_numpy(dtype=bool)
    if not seen:
        # The common case, every id once, found by counting distinct ids (in C).
        distinct = pc.unique(pa.array(ids.array))
        if len(distinct) - (distinct.null_count > 0) == int(known.sum()):
            return np.zeros(len(ids), dtype=bool)
    dup = ids.duplicated(keep="first").to_numpy(dtype=bool) & known
    if seen:
        present = np.flatnonzero(known)
        values = ids.to_numpy(dtype=object)[present]
        dup[present[np.fromiter((v in seen for v in values), bool, len(values))]] = True
    return dup


def _warn_quality(frame: pd.DataFrame, stacklevel: int = 3) -> None:
    high = (frame["zrm_finances"] > 3).fillna(False).to_numpy(dtype=bool)
    if high.any():
        ids = frame.loc[high, "client_id"].head(5).tolist()
        more = f" and {int(high.sum()) - 5} more" if high.sum() > 5 else ""
        warnings.warn(
            f"{int(high.sum())} client(s) have zrm_finances above 3 ({', '.join(ids)}{more}); "
            "a score of 4 or 5 means basic needs are met without benefits, so a client on "
            "assistance scores at most 3",
            DataQualityWarning,
            stacklevel=stacklevel,
        )
