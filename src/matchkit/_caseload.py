"""Caseloads: many client profiles in one validated columnar frame, and their file formats.

A :class:`Caseload` holds a pandas DataFrame with exactly the contract's flat columns
(``zrm_<domain>`` for the ZRM), ordered categoricals for ordered enums, nullable ``Int64`` and
``boolean`` columns, and list fields as Python lists (``None`` when unknown). Every way in —
profile objects, JSONL, CSV, Parquet, a DataFrame — goes through the same vectorised validation.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from itertools import islice, repeat
from pathlib import Path
from typing import IO, Any, Final, Literal, cast

import numpy as np
import pandas as pd

from matchkit._columns import CaseloadColumns, RecordColumns
from matchkit._fields import (
    FIELDS,
    FIP_LEEFGEBIEDEN,
    STORED_FIELDS,
    ZRM_COLUMNS,
    ZRM_DOMAINS,
    ZRM_LEGACY_11,
    FieldSpec,
    Kind,
)
from matchkit._output import atomic_path, json_line
from matchkit._profile import ClientProfile, zrm_from_legacy
from matchkit._sources import (
    LIST_SEPARATOR,
    InputOptions,
    arrow_frame,
    detect_separator,
    input_options,
    is_arrow_like,
    map_frame,
    unknown_column_errors,
)
from matchkit._text import clip_repr, clip_text
from matchkit._validate import (
    EMPTY_LIST_TEXT,
    PartOfWhole,
    RowLabels,
    contract_dtypes,
    empty_frame,
    shared_lists,
    validate_raw,
)
from matchkit.errors import ParameterError, RecordError, RecordErrors, UnreadableFileError

__all__ = ["Caseload", "read_caseload", "validate_caseload", "write_caseload"]

_FORMATS = (".jsonl", ".csv", ".parquet")
_ALLOWED_KEYS = frozenset(STORED_FIELDS) - frozenset(ZRM_COLUMNS) | {"zrm", "zrm11"}
_PLAIN_KEYS = _ALLOWED_KEYS - {"zrm", "zrm11"}
_ZRM_KEYS = frozenset(ZRM_DOMAINS)


class Caseload:
    """A validated batch of client profiles in columnar form.

    Build one with :func:`read_caseload`, :meth:`from_profiles` or :meth:`from_frame`;
    every constructor validates. ``caseload.frame`` is the typed DataFrame.

    Examples
    --------
    >>> import matchkit as mk
    >>> cl = mk.Caseload.from_profiles([mk.ClientProfile(client_id="a", age=30)])
    >>> len(cl), cl.frame.loc[0, "motivation"] is np.nan
    (1, True)
    """

    def __init__(self, frame: pd.DataFrame, *, _validated: bool = False) -> None:
        if not _validated:
            frame = _validated_frame(frame, source="DataFrame")
        self._frame: pd.DataFrame | None = frame
        self._records: list[dict[str, Any]] | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Caseload:
        """Validate a flat DataFrame (contract columns) into a caseload; raise on bad rows."""
        return cls(frame)

    @classmethod
    def from_profiles(cls, profiles: Iterable[ClientProfile]) -> Caseload:
        """Build a caseload from profile objects (already validated by the model)."""
        # Profile objects were validated by the model. The typed frame is built only when
        # asked for: rules and scoring read the records directly (RecordColumns), which is
        # what makes one client fast.
        if isinstance(profiles, str | bytes | Mapping) or not isinstance(profiles, Iterable):
            raise TypeError(
                f"profiles={clip_repr(profiles)} is a {type(profiles).__name__}; expected an "
                "iterable of ClientProfile"
            )
        records = []
        for i, p in enumerate(profiles):
            if not isinstance(p, ClientProfile):
                raise TypeError(
                    f"profiles[{i}]={clip_repr(p)} is a {type(p).__name__}; expected a "
                    "ClientProfile (ClientProfile.model_validate(mapping) makes one)"
                )
            records.append(p.to_record())
        if not records:
            return cls(empty_frame(), _validated=True)
        caseload = cls.__new__(cls)
        caseload._frame = None
        caseload._records = records
        return caseload

    @property
    def frame(self) -> pd.DataFrame:
        """The typed columnar frame (treat as read-only: rows with equal lists may share one)."""
        if self._frame is None:
            records = self._records or []
            self._frame = pd.DataFrame(
                {
                    name: pd.Series([r[name] for r in records], dtype=object).astype(dtype)
                    for name, dtype in contract_dtypes().items()
                }
            )
        return self._frame

    @property
    def client_ids(self) -> list[str]:
        """The client ids in order."""
        if self._frame is None and self._records is not None:
            return [str(r["client_id"]) for r in self._records]
        return [str(c) for c in self.frame["client_id"]]

    def value(self, row: int, name: str) -> Any:
        """Return the stored value of field ``name`` for client ``row`` (None when unknown)."""
        if self._frame is None and self._records is not None:
            value = self._records[row].get(name)
            return list(value) if isinstance(value, list) else value
        value = self.frame[name].iloc[row]
        if isinstance(value, list | tuple | np.ndarray):
            return list(value)
        if value is None or pd.isna(value):
            return None
        return value.item() if isinstance(value, np.generic) else value

    def __len__(self) -> int:
        if self._frame is None and self._records is not None:
            return len(self._records)
        return len(self.frame)

    def __repr__(self) -> str:
        return f"Caseload({len(self)} clients)"

    @cached_property
    def columns(self) -> CaseloadColumns:
        """Numeric arrays with known-masks for rules and scoring (computed once)."""
        if self._frame is None and self._records is not None:
            return RecordColumns(self._records)
        return CaseloadColumns(self.frame)

    def leefgebieden(self) -> pd.DataFrame:
        """Return the ZRM summarised into the eight FIP life areas, one row per client.

        Each life area scores the lowest of its known ZRM domains (report §3.5.2, footnote
        13); missing (``<NA>``) when none of them is known.
        """
        out = {}
        for area, domains in FIP_LEEFGEBIEDEN.items():
            scores = np.column_stack([self.columns.scalar(f"zrm_{d}")[0] for d in domains])
            known = ~np.isnan(scores).all(axis=1)
            lowest = np.full(len(self), np.nan)
            lowest[known] = np.nanmin(scores[known], axis=1)
            out[area] = pd.array(lowest, dtype="Float64").astype("Int64")
        return pd.DataFrame(out, index=pd.Index(self.client_ids, name="client_id"))

    def profiles(self) -> Iterator[ClientProfile]:
        """Yield the clients as :class:`ClientProfile` objects."""
        for rec in _frame_records(self.frame):
            yield ClientProfile.model_validate(rec)

    def select(self, mask: Any) -> Caseload:
        """Return the clients where ``mask`` is true (a boolean array or Series)."""
        return Caseload(
            self.frame.loc[np.asarray(mask, dtype=bool)].reset_index(drop=True), _validated=True
        )

    def take(self, rows: Any) -> Caseload:
        """Return the clients at the given positions, in that order."""
        part = self.frame.iloc[np.asarray(rows, dtype=np.intp)].reset_index(drop=True)
        return Caseload(part, _validated=True)

    def chunks(self, size: int) -> Iterator[Caseload]:
        """Yield consecutive caseloads of at most ``size`` clients (for bounded memory)."""
        for start in range(0, len(self), size):
            part = self.frame.iloc[start : start + size].reset_index(drop=True)
            yield Caseload(part, _validated=True)


def _frame_records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    for row in frame.astype(object).itertuples(index=False, name=None):
        rec: dict[str, Any] = {}
        zrm: dict[str, int] = {}
        for name, value in zip(STORED_FIELDS, row, strict=True):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                continue
            if isinstance(value, np.integer):
                value = int(value)
            if name.startswith("zrm_"):
                zrm[name[4:]] = int(value)
            else:
                rec[name] = value
        rec["zrm"] = zrm
        yield rec


def _validated_frame(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    frame, errors = _validate_frame(raw, source)
    if errors:
        raise RecordErrors(errors, valid=Caseload(frame, _validated=True), source=source)
    return frame


def _validate_frame(
    raw: pd.DataFrame, source: str, options: InputOptions | None = None
) -> tuple[pd.DataFrame, list[RecordError]]:
    raw = raw.reset_index(drop=True)
    if options is not None and not options.is_default:
        raw = map_frame(raw, options, text=False, source=source)
    labels = RowLabels("row", 0, len(raw))
    extra: list[tuple[int, RecordError]] = []
    unknown = [c for c in raw.columns if c not in STORED_FIELDS]
    if unknown:
        raise RecordErrors(unknown_column_errors([str(c) for c in unknown]), source=source)
    return validate_raw(raw, labels, extra, source=source)


class _NotJSON:
    """A ``NaN``/``Infinity`` token in a JSON file: not JSON, and never "unknown"."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return self.token


def _count_keys(value: Any) -> int:
    """Count the keys of every object inside a parsed JSON value."""
    count, todo = 0, [value]
    while todo:
        v = todo.pop()
        if type(v) is dict:
            count += len(v)
            todo += [x for x in v.values() if type(x) is dict or type(x) is list]
        elif type(v) is list:
            todo += [x for x in v if type(x) is dict or type(x) is list]
    return count


def _loads(line: str) -> Any:
    """Parse one JSON line; a key repeated in any object is a ValueError.

    The C parser reads the line. Every key of the line is followed by its own ``:``, so
    when the parsed objects hold as many keys as the line has colons, no key was repeated;
    otherwise (a repeated key, or a colon inside a string) the line is parsed again with the
    duplicate check, in Python.
    """
    obj = json.loads(line, parse_constant=_NotJSON)
    if type(obj) is dict:
        inner = [v for v in obj.values() if type(v) is dict]
        # As many "{" as objects seen so far: no object hides deeper (in a list, say).
        simple = line.count("{") == 1 + len(inner)
        keys = len(obj) + sum(map(len, inner)) if simple else _count_keys(obj)
    else:
        keys = _count_keys(obj)
    if line.count(":") != keys:
        obj = json.loads(line, object_pairs_hook=_unique_keys, parse_constant=_NotJSON)
    if "\\u" in line and _SURROGATE_ESCAPE.search(line):
        # An escape of half a surrogate pair decodes to a string no UTF-8 text can hold.
        try:
            json.dumps(obj, ensure_ascii=False, default=repr).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            raise ValueError(
                f"{ascii(bad)[1:-1]} is half of a surrogate pair, not a character"
            ) from None
    return obj


_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
"""A JSON escape in the surrogate range (\\ud800 to \\udfff)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {clip_repr(key)}")
        seen[key] = value
    return seen


_GZIP_MAGIC = b"\x1f\x8b"


def _open_check(path: Path, kind: str) -> None:
    """Raise UnreadableFileError for a path that is not a readable file of ``kind``."""
    if path.is_dir():
        raise UnreadableFileError(str(path), f"is a directory; expected a {kind} file")
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if head.startswith(_GZIP_MAGIC) and kind != "Parquet":
        raise UnreadableFileError(
            str(path), f"is a gzip-compressed file; expected plain {kind} text (decompress it)"
        )


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) of a UTF-8 text file (a byte-order mark is allowed)."""
    lineno = 0
    try:
        with path.open(encoding="utf-8-sig") as fh:
            for lineno, line in enumerate(fh, start=1):
                yield lineno, line
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            str(path), f"line {lineno + 1}: not UTF-8 text ({exc.reason}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None


_CHUNK_LINES = 100_000
"""Lines of a JSON Lines file read, parsed and validated at a time (bounded memory)."""

_BOM = b"\xef\xbb\xbf"


def _validate_jsonl(
    path: Path, chunk_lines: int = _CHUNK_LINES
) -> tuple[pd.DataFrame, list[RecordError]]:
    """Read and validate a JSON Lines caseload ``chunk_lines`` lines at a time.

    The result is the one :func:`read_raw_jsonl` and :func:`validate_raw` give on the whole
    file (the same frame, the same errors with the same line numbers); memory holds one chunk
    of text plus the typed valid rows. A chunk is parsed by Arrow when it is plainly one
    object per line and then validates without a single problem; any other chunk (an error
    to report, a blank line, a repeated key, ``NaN``, ...) is read again line by line by the
    reference reader, which words every problem.
    """
    _open_check(path, "JSONL")
    source = str(path)
    part = PartOfWhole()
    frames: list[pd.DataFrame] = []
    errors: list[RecordError] = []
    lineno = 1  # the number of the chunk's first line
    try:
        # One thread reads and parses the next chunk while this one validates the last.
        with path.open("rb") as fh, ThreadPoolExecutor(1) as ahead:
            chunks = _read_chunks(fh, chunk_lines)
            task = ahead.submit(next, chunks, None)
            while (chunk := task.result()) is not None:
                task = ahead.submit(next, chunks, None)
                frame, problems, lineno = _validate_jsonl_chunk(chunk, lineno, part, path)
                frames.append(frame)
                errors += problems
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if part.records == 0:
        return empty_frame(), errors
    valid = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    part.finish(valid, source)
    return valid, errors


_Chunk = tuple[list[bytes], bytes, pd.DataFrame | None]
"""A chunk's lines, the lines joined, and the raw frame Arrow read (None: read line by line)."""


def _read_chunks(fh: IO[bytes], chunk_lines: int) -> Iterator[_Chunk]:
    """Yield the file's chunks of ``chunk_lines`` lines (a leading byte-order mark dropped)."""
    first = True
    while lines := list(islice(fh, chunk_lines)):
        if first and lines[0].startswith(_BOM):
            lines[0] = lines[0][len(_BOM) :]
        first = False
        data = b"".join(lines)
        yield lines, data, _arrow_chunk(lines, data)


def _validate_jsonl_chunk(
    chunk: _Chunk, lineno: int, part: PartOfWhole, path: Path
) -> tuple[pd.DataFrame, list[RecordError], int]:
    """Validate one chunk of lines; return its valid rows, its errors and the next line number."""
    _, data, raw = chunk
    if raw is not None:
        labels = RowLabels("line", lineno, len(raw))
        frame, errors = validate_raw(raw, labels, source=str(path), part=part)
        if not errors:
            part.accept()
            return frame, errors, lineno + len(raw)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        for _ in _text_lines(path):  # raises the reference reader's own error
            pass
        raise UnreadableFileError(str(path), "is not UTF-8 text; save it as UTF-8") from None
    lines = list(enumerate(io.StringIO(text, newline=None), start=lineno))
    raw, line_labels, extra, bad, _ = _parse_lines(lines, None)
    next_line = lineno + len(lines)
    if len(raw) == 0:
        return empty_frame(), [e for _, e in extra], next_line
    frame, errors = validate_raw(raw, line_labels, extra, bad, source=str(path), part=part)
    part.accept()
    return frame, errors, next_line


def _arrow_chunk(lines: list[bytes], data: bytes) -> pd.DataFrame | None:
    """Parse a chunk (its lines, and joined) with Arrow into a raw frame, or None if unsafe.

    Safe means the reference reader would read every line as one JSON object whose keys and
    values Arrow reads the same: each line starts with ``{`` and ends with ``}``, nothing else
    (so no blank lines, no carriage returns, no two objects on a line: a line ending in ``}``
    after which one starting with ``{`` follows can end only an object), Arrow finds as many
    rows as there are lines, and every column has the type the contract expects (so no
    ``NaN``, no mixed types). Arrow itself refuses repeated keys and invalid text.
    """
    import pyarrow as pa
    import pyarrow.json as pa_json

    n = len(lines)
    if (
        not all(map(bytes.startswith, lines, repeat(b"{")))
        or not all(map(bytes.endswith, lines, repeat((b"}\n", b"}"))))
        or b"\r" in data
        or not _is_utf8(data)  # Arrow leaves the text of strings unchecked
    ):
        return None
    try:
        table = pa_json.read_json(
            io.BytesIO(data), read_options=pa_json.ReadOptions(use_threads=False)
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != n:
        return None
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if name == "zrm":
            if pa.types.is_null(column.type):
                continue  # "zrm": null everywhere
            if not pa.types.is_struct(column.type):
                return None
            for field, scores in zip(column.type, column.flatten(), strict=True):
                if field.name not in _ZRM_KEYS:
                    return None
                columns[f"zrm_{field.name}"] = scores
        elif name in _PLAIN_KEYS:
            columns[name] = column
        else:
            return None
    raw: dict[str, Any] = {}
    for name in STORED_FIELDS:
        if name in columns:
            values = _arrow_values(columns[name], FIELDS[name])
            if values is None:
                return None
            raw[name] = values
    return pd.DataFrame(raw, index=pd.RangeIndex(n))


def _is_utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _arrow_values(column: Any, spec: FieldSpec) -> Any:
    """Return the pandas column of an Arrow column of ``spec``'s values, or None (other type).

    The values are the ones the reference reader's Python objects give after validation.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind, t = spec.kind, column.type
    n = len(column)
    if pa.types.is_null(t):
        return pd.Series([None] * n, dtype=object)
    if kind is Kind.INT or kind is Kind.FLOAT:
        if t == pa.int64() or (kind is Kind.FLOAT and t == pa.float64()):
            if t == pa.float64() and not pc.all(pc.is_finite(column)).as_py():
                return None  # NaN or Infinity: not JSON, an error the reference words
            return column.to_numpy()  # float64 with NaN where null, or int64 without nulls
        return None
    if kind is Kind.BOOL:
        return (
            column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
            if t == pa.bool_()
            else None
        )
    if kind is Kind.ENUM:
        if t != pa.string():
            return None
        return pc.dictionary_encode(column.combine_chunks()).to_pandas()
    if kind is Kind.STR:
        return column.to_pandas() if t == pa.string() else None
    # A list of text: Python lists, one shared list per distinct list (see shared_lists).
    if not pa.types.is_list(t):
        return None
    array = column.combine_chunks()
    items = array.flatten()
    if pa.types.is_null(t.value_type) and len(items) == 0:
        items = items.cast(pa.string())
    if items.type != pa.string() or items.null_count:
        return None
    offsets = array.offsets.to_numpy()
    encoded = pc.dictionary_encode(items)
    distinct = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    lists = shared_lists(
        np.array([*distinct, None], dtype=object)[:-1][codes]
        if len(distinct)
        else np.empty(0, dtype=object),
        offsets[:-1].astype(np.int64) - offsets[0],
        offsets[1:].astype(np.int64) - offsets[0],
        codes,
        len(distinct),
    )
    lists[~array.is_valid().to_numpy(zero_copy_only=False)] = None
    return pd.Series(lists, dtype=object)


def read_raw_jsonl(
    path: Path, aside: Callable[[str], bool] | None = None
) -> tuple[pd.DataFrame, list[str], list[tuple[int, RecordError]], Any, pd.DataFrame]:
    """Read a JSONL file into a raw flat frame, setting aside the keys ``aside`` accepts.

    Returns the raw contract frame, record labels, reading errors as (row, error), the rows
    that could not be read, and a frame of the set-aside keys (object columns, one row per
    record, ``None`` where a record lacks the key). Used by caseloads and histories alike.
    """
    _open_check(path, "JSONL")
    return _parse_lines(_text_lines(path), aside)


def _parse_lines(
    lines: Iterable[tuple[int, str]], aside: Callable[[str], bool] | None
) -> tuple[pd.DataFrame, list[str], list[tuple[int, RecordError]], Any, pd.DataFrame]:
    """Parse numbered JSON lines as :func:`read_raw_jsonl` returns them (the reference reader)."""
    records: list[dict[str, Any]] = []
    side: list[dict[str, Any]] = []
    labels: list[str] = []
    extra: list[tuple[int, RecordError]] = []
    bad: list[bool] = []
    for lineno, line in lines:
        if not line.strip():
            continue
        row = len(records)
        label = f"line {lineno}"
        rec_bad = False
        try:
            obj = _loads(line)
        except ValueError as exc:
            obj, rec_bad = {}, True
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            problem = RecordError(label, "(record)", line.strip()[:60], f"a JSON object ({reason})")
            extra.append((row, problem))
        if not isinstance(obj, dict):
            extra.append((row, RecordError(label, "(record)", obj, "a JSON object")))
            obj, rec_bad = {}, True
        if aside is not None:
            kept = {k: v for k, v in obj.items() if aside(k)}
            obj = {k: v for k, v in obj.items() if k not in kept}
            side.append(kept)
        flat, problems = _flatten_record(obj, label)
        extra += [(row, p) for p in problems]
        records.append(flat)
        labels.append(label)
        bad.append(rec_bad)
    # Object columns from the start, so an error shows the value as it was written (9, not 9.0).
    # A key no record has gets no column: like a missing CSV column, validation names it once.
    present = set().union(*records)
    columns = [c for c in STORED_FIELDS if c in present]
    raw = pd.DataFrame(records, columns=columns, index=pd.RangeIndex(len(records)), dtype=object)
    cells = raw.to_numpy(dtype=object, copy=True)
    if cells.size:
        # An absent key is None. pandas fills it with NaN, which JSON cannot hold (NaN is
        # _NotJSON), so every NaN here is an absent key.
        cells[pd.isna(cells)] = None
        raw = pd.DataFrame(cells, columns=columns, dtype=object)
    keys = list(dict.fromkeys(k for r in side for k in r))
    aside_frame = pd.DataFrame(
        {k: pd.Series([r.get(k) for r in side], dtype=object) for k in keys},
        index=pd.RangeIndex(len(records)),
    )
    return raw, labels, extra, np.array(bad, dtype=bool), aside_frame


def _flatten_record(obj: dict[str, Any], label: str) -> tuple[dict[str, Any], list[RecordError]]:
    if obj.keys() <= _PLAIN_KEYS:
        return obj, []  # every key is a contract field: nothing to flatten or report
    zrm = obj.get("zrm")
    if type(zrm) is dict and zrm.keys() <= _ZRM_KEYS and obj.keys() - _PLAIN_KEYS == {"zrm"}:
        quick = {k: v for k, v in obj.items() if k != "zrm"}  # the common case, quickly
        quick.update({f"zrm_{dom}": score for dom, score in zrm.items()})
        return quick, []
    flat: dict[str, Any] = {}
    problems: list[RecordError] = []
    cid = obj.get("client_id")
    where = f"{label} (client_id {cid})" if isinstance(cid, str) else label
    for key, value in obj.items():
        if key == "zrm" or key == "zrm11":
            domains = ZRM_DOMAINS if key == "zrm" else tuple(ZRM_LEGACY_11)
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(RecordError(where, key, value, "an object of ZRM domain scores"))
                continue
            for dom, score in value.items():
                if dom not in domains:
                    problems.append(
                        RecordError(
                            where, f"{key}.{dom}", score, "a ZRM domain: " + ", ".join(domains)
                        )
                    )
                    continue
                scores = {dom: score} if key == "zrm" else zrm_from_legacy({dom: score})
                for t, value_t in scores.items():
                    flat[f"zrm_{t}"] = value_t
        elif key in _ALLOWED_KEYS:
            flat[key] = value
        else:
            problems.append(
                RecordError(where, key, value, "a field of the client-profile contract")
            )
    if "zrm" in obj and "zrm11" in obj and obj["zrm"] and obj["zrm11"]:
        problems.append(RecordError(where, "zrm11", obj["zrm11"], "zrm or zrm11, not both"))
    return flat, problems


def _read_csv(path: Path, sep: str | None) -> tuple[pd.DataFrame, str]:
    _open_check(path, "CSV")
    try:
        sep = sep or detect_separator(path)
        return pd.read_csv(
            path, sep=sep, dtype=object, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        ), sep
    except pd.errors.EmptyDataError:
        raise UnreadableFileError(str(path), "is empty; expected a header line") from None
    except pd.errors.ParserError as exc:
        reason = clip_text(str(exc).strip().replace("\n", " "))
        raise UnreadableFileError(str(path), f"is not valid CSV: {reason}") from None
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            str(path), f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa

    _open_check(path, "Parquet")
    try:
        return pd.read_parquet(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = clip_text(str(exc).strip().replace("\n", " "))
        raise UnreadableFileError(str(path), f"is not a readable Parquet file: {reason}") from None


_LIST_FIELDS = tuple(name for name in STORED_FIELDS if FIELDS[name].kind is Kind.LIST)


def _validate_parquet(path: Path) -> pd.DataFrame | None:
    """Validate a Parquet caseload whose list columns Arrow turns into lists; None otherwise.

    ``pd.read_parquet`` gives a list column as one NumPy array per row, which validation then
    turns into lists again; here the lists come straight from Arrow (one shared list per
    distinct list, see :func:`shared_lists`), the other columns as ``pd.read_parquet`` reads
    them. Only a file that validates without a single problem is taken this way: any other
    (a bad record, an unknown column, a list of numbers, ...) is None, and the reference
    reader reads it again and words every problem as it always has.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        index = (schema.pandas_metadata or {}).get("index_columns", [])
        lists = [
            n for n in _LIST_FIELDS if n in schema.names and pa.types.is_list(schema.field(n).type)
        ]
        others = [n for n in schema.names if n not in lists]
        if (
            not lists
            or not others
            or len(set(schema.names)) != len(schema.names)
            or not all(isinstance(c, dict) and c.get("kind") == "range" for c in index)
            or not set(schema.names) <= set(STORED_FIELDS)
        ):
            return None
        raw = pd.read_parquet(path, columns=others)
        table = pq.read_table(path, columns=lists)
    except (pa.ArrowException, OSError, ValueError):
        return None
    if len(raw) == 0 or table.num_rows != len(raw):
        return None
    for name in lists:
        values = _arrow_values(table.column(name), FIELDS[name])
        if values is None:
            return None
        raw[name] = values.set_axis(raw.index)
    part = PartOfWhole()
    frame, errors = validate_raw(raw, RowLabels("row", 0, len(raw)), source=str(path), part=part)
    if errors:
        return None
    part.accept(last=True)
    part.finish(frame, str(path))
    return frame


def _read_flat(
    path: Path, options: InputOptions
) -> tuple[pd.DataFrame, Sequence[str], list[tuple[int, RecordError]], Any]:
    raw, labels, _ = _read_flat_raw(path, None, options)
    return raw, labels, [], None


def read_raw_flat(
    path: Path,
    aside: Callable[[str], bool] | None = None,
    *,
    options: InputOptions | None = None,
) -> tuple[pd.DataFrame, list[str], list[tuple[int, RecordError]], Any, pd.DataFrame]:
    """Read a CSV or Parquet file like :func:`read_raw_jsonl` (columns set aside by ``aside``).

    ``options`` (separator, decimal mark, column and value mapping) apply before the columns
    are set aside.
    """
    raw, labels, aside_frame = _read_flat_raw(path, aside, options)
    return raw, list(labels), [], None, aside_frame


def _read_flat_raw(
    path: Path, aside: Callable[[str], bool] | None, options: InputOptions | None
) -> tuple[pd.DataFrame, RowLabels, pd.DataFrame]:
    """Return :func:`read_raw_flat`'s raw frame and set-aside frame, and labels made lazily."""
    options = options or InputOptions()
    if path.suffix == ".csv":
        raw, sep = _read_csv(path, options.sep)
        labels = RowLabels("line", 2, len(raw))
        options = InputOptions(
            options.columns, options.values, sep, options.decimal, options.list_separator
        )
        raw = map_frame(raw, options, text=True, source=str(path))
    else:
        raw = _read_parquet(path)
        labels = RowLabels("row", 0, len(raw))
        if not options.is_default:
            raw = map_frame(raw, options, text=False, source=str(path))
    set_aside = [c for c in raw.columns if aside is not None and aside(str(c))]
    aside_frame = raw[set_aside].reset_index(drop=True)
    raw = raw.drop(columns=set_aside)
    legacy = [c for c in raw.columns if c.startswith("zrm11_")]
    for col in legacy:
        key = col[len("zrm11_") :]
        if key not in ZRM_LEGACY_11:
            continue  # reported below as an unknown column
        for t in zrm_from_legacy({key: raw[col]}):
            target = f"zrm_{t}"
            raw[target] = (
                raw[target].where(raw[target].notna(), raw[col]) if target in raw else raw[col]
            )
    unknown = [
        c
        for c in raw.columns
        if c not in STORED_FIELDS and not (c.startswith("zrm11_") and c[6:] in ZRM_LEGACY_11)
    ]
    if unknown:
        raise RecordErrors(unknown_column_errors([str(c) for c in unknown]), source=str(path))
    raw = raw.drop(columns=legacy)
    return raw, labels, aside_frame


def validate_caseload(
    data: Caseload | pd.DataFrame | Iterable[ClientProfile] | str | Path | Any,
    *,
    columns: Mapping[str, Any] | str | Path | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> tuple[Caseload, list[RecordError]]:
    """Validate client data; return the valid clients and every problem found.

    Parameters
    ----------
    data : Caseload, DataFrame, Arrow table, iterable of ClientProfile, or path
        A path ends in ``.jsonl``, ``.csv`` or ``.parquet``. An Arrow table is a pyarrow
        Table or RecordBatch, a polars DataFrame, or any object with the Arrow PyCapsule
        stream interface (``__arrow_c_stream__``).
    columns : dict or path, optional
        Export headers to contract fields (``{"Leeftijd": "age"}``), or the path of a YAML
        mapping file that may also map values and set ``sep`` and ``decimal``; see
        ``profiles/examples/dutch-export.yaml``. For flat inputs (CSV, Parquet, tables).
    sep : str, optional
        The CSV delimiter; detected from the header line when not given.
    decimal : {".", ","}, optional
        The CSV decimal mark; a comma by default when the delimiter is ``;``.

    Returns
    -------
    caseload : Caseload
        The valid records; nothing valid is lost.
    errors : list of RecordError
        Every problem of every bad record (record, field, value, what is allowed).
    """
    options = input_options(columns, sep=sep, decimal=decimal)
    if isinstance(data, Caseload):
        return data, []
    if is_arrow_like(data):
        frame, errors = _validate_frame(arrow_frame(data), type(data).__name__, options)
        return Caseload(frame, _validated=True), errors
    if isinstance(data, bytes | Mapping | ClientProfile) or not isinstance(
        data, pd.DataFrame | str | Path | Iterable
    ):
        raise TypeError(
            f"data={clip_repr(data)} is a {type(data).__name__}; expected a Caseload, a "
            "DataFrame, an iterable of ClientProfile or a path to a .jsonl, .csv or .parquet file"
        )
    if isinstance(data, pd.DataFrame):
        frame, errors = _validate_frame(data, "DataFrame", options)
        return Caseload(frame, _validated=True), errors
    if isinstance(data, str | Path):
        path = Path(data)
        if str(data) == "":
            raise ParameterError("data='' is not allowed; expected a client file path")
        if path.suffix not in _FORMATS:
            raise UnreadableFileError(
                str(path),
                f"the extension {path.suffix or '(none)'!r} is not allowed; expected a .jsonl, "
                ".csv or .parquet file",
            )
        if not path.exists():
            raise UnreadableFileError(str(path), "no such client file")
        if path.suffix == ".jsonl":
            if not options.is_default:
                raise ParameterError(
                    "columns, sep and decimal are for flat files (.csv, .parquet) and tables; "
                    f"{path.name} is JSON Lines"
                )
            frame, errors = _validate_jsonl(path)
            return Caseload(frame, _validated=True), errors
        if path.suffix == ".parquet" and options.is_default:
            _open_check(path, "Parquet")
            fast = _validate_parquet(path)
            if fast is not None:
                return Caseload(fast, _validated=True), []
        raw, labels, extra, bad = _read_flat(path, options)
        if len(raw) == 0:
            return Caseload(empty_frame(), _validated=True), [e for _, e in extra]
        frame, errors = validate_raw(
            raw, labels, extra, bad, text=path.suffix == ".csv", source=str(path)
        )
        return Caseload(frame, _validated=True), errors
    # from_profiles checks that every item is a ClientProfile
    return Caseload.from_profiles(cast("Iterable[ClientProfile]", data)), []


def read_caseload(
    data: Caseload | pd.DataFrame | Iterable[ClientProfile] | str | Path | Any,
    *,
    columns: Mapping[str, Any] | str | Path | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> Caseload:
    """Read and validate client data into a :class:`Caseload`.

    Parameters
    ----------
    data : Caseload, DataFrame, Arrow table, iterable of ClientProfile, or path
        As for :func:`validate_caseload`: pandas, polars and pyarrow tables, anything with
        ``__arrow_c_stream__``, and ``.jsonl``, ``.csv`` or ``.parquet`` files.
    columns, sep, decimal
        How to read an export whose headers, values or separators differ from the contract
        (see :func:`validate_caseload`).

    Examples
    --------
    >>> import matchkit as mk
    >>> import pyarrow as pa
    >>> mk.read_caseload(pa.table({"client_id": ["a-1"], "age": [58]}))
    Caseload(1 clients)

    Raises
    ------
    RecordErrors
        When any record is bad; every problem is listed and ``err.valid`` holds the
        valid records.
    """
    caseload, errors = validate_caseload(data, columns=columns, sep=sep, decimal=decimal)
    if errors:
        raise RecordErrors(
            errors, valid=caseload, source=str(data) if isinstance(data, str | Path) else ""
        )
    return caseload


def write_caseload(
    caseload: Caseload,
    path: str | Path,
    *,
    format: Literal["jsonl", "csv", "parquet"] | None = None,
) -> Path:
    """Write a caseload as JSONL (nested ``zrm``), CSV or Parquet (flat ``zrm_<domain>``).

    In CSV, list items are separated by ``|`` (``care|technical``; the older ``;`` is still
    read); an empty cell is unknown and ``[]`` is an explicitly empty list.
    """
    if not isinstance(caseload, Caseload):
        raise TypeError(
            f"caseload={clip_repr(caseload)} is a {type(caseload).__name__}; expected a Caseload"
        )
    if not isinstance(path, str | Path):
        raise TypeError(f"path={clip_repr(path)} is a {type(path).__name__}; expected a path")
    path = Path(path)
    fmt = format or path.suffix.lstrip(".")
    if fmt not in ("jsonl", "csv", "parquet"):
        raise ParameterError(
            f"format={clip_repr(fmt)} is not allowed; expected one of jsonl, csv, parquet "
            "(or a path ending in .jsonl, .csv or .parquet)"
        )
    frame = caseload.frame
    # Round-trip data, not a spreadsheet: cells are written as they are (no formula guard).
    with atomic_path(path) as tmp:
        if fmt == "jsonl":
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                for rec in _frame_records(frame):
                    fh.write(json_line(rec) + "\n")
        elif fmt == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                csv_frame(frame).to_csv(fh, index=False, lineterminator="\n")
        else:
            frame.to_parquet(tmp, index=False)
    return path


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a typed caseload frame as CSV cells: lists ``|``-joined, booleans as text."""
    out = frame.copy()
    for col in ("interests", "other_languages"):
        out[col] = [
            None if v is None else (LIST_SEPARATOR.join(v) if v else EMPTY_LIST_TEXT)
            for v in frame[col]
        ]
    for col in out.columns:
        if str(out[col].dtype) == "boolean":
            out[col] = out[col].map({True: "true", False: "false"}).astype(object)
    return out


def frame_records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Yield a typed caseload frame's rows as JSON-ready records (nested ``zrm``)."""
    return _frame_records(frame)
