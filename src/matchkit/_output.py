"""Output files that lose nothing and inject nothing.

Every file matchkit writes goes through :func:`atomic_path`: the content is written to a
temporary file in the target's directory, flushed and synced, then renamed over the target.
A failure or Ctrl-C midway leaves the old file as it was and no partial file behind.

Tables are written by their file extension (:func:`write_table`): ``.csv``, ``.jsonl``,
``.json`` (one JSON array), ``.parquet`` and ``.xlsx``. In CSV and XLSX, a text cell that a
spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is prefixed with a single quote, unless ``raw_cells`` is asked for.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import pandas as pd

from matchkit.errors import ParameterError

__all__ = [
    "TABLE_FORMATS",
    "atomic_path",
    "atomic_text",
    "check_distinct",
    "json_safe",
    "neutralise_cell",
    "table_format",
    "write_csv",
    "write_table",
]

TABLE_FORMATS: Final = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
"""Output file extensions and the format each one means."""

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def table_format(path: str | Path, allowed: Sequence[str] = tuple(TABLE_FORMATS)) -> str:
    """Return the format an output path's extension names; ParameterError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise ParameterError(
            f"--out {str(path)!r}: the extension {suffix or '(none)'!r} is not allowed; "
            f"expected one of {', '.join(allowed)}"
        )
    return TABLE_FORMATS.get(suffix, suffix.lstrip("."))


def check_distinct(output: str | Path, inputs: Sequence[str | Path | None]) -> None:
    """Refuse an output path that is one of the input paths (it would replace the input)."""
    out = Path(output)
    for given in inputs:
        if given is None:
            continue
        inp = Path(given)
        same = out.resolve() == inp.resolve()
        with contextlib.suppress(OSError):
            same = same or (out.exists() and inp.exists() and out.samefile(inp))
        if same:
            raise ParameterError(
                f"--out {str(output)!r} is the input file {str(given)!r}; "
                "choose another output path so the input is kept"
            )


def _is_special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a device such as /dev/null, a FIFO)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success, sync it and rename it into place.

    On any exception (KeyboardInterrupt included) the temporary file is removed and the file
    at ``path``, if there was one, is left untouched. A device or FIFO (``/dev/null``) is
    written directly, since it cannot be replaced.

    Raises
    ------
    IsADirectoryError
        When ``path`` is a directory.
    OSError
        When the directory does not exist or is not writable, or the disk is full.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target}: is a directory, not a file")
    if _is_special(target):
        yield target
        return
    directory = target.parent
    # The name is chosen before the file exists, so an interrupt at any moment after the
    # file is created (even inside the call that creates it) finds it and removes it.
    tmp = directory / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_directory(directory)


@contextlib.contextmanager
def atomic_text(path: str | Path) -> Iterator[IO[str]]:
    """Open a UTF-8 text file for writing atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        yield fh
        fh.flush()


def neutralise_cell(value: Any) -> Any:
    """Prefix a text value a spreadsheet would read as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].astype(object).map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, out: IO[str]) -> None:
    """Write ``frame`` as CSV to a text stream (cells as they are; see :func:`write_table`).

    Lines end in LF; when a text cell holds a carriage return, in CRLF (RFC 4180), since
    Python's CSV writer quotes a bare CR only when it is part of the line end.
    """
    has_cr = any(
        frame[c].astype(object).map(lambda v: isinstance(v, str) and "\r" in v).any()
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
    )
    frame.to_csv(out, index=False, float_format="%.17g", lineterminator="\r\n" if has_cr else "\n")


def json_safe(value: Any) -> Any:
    """Return ``value`` with NaN/infinite floats and pandas NA as ``None``; numpy as Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    return value


def json_line(value: Any) -> str:
    """Serialise one value as strict JSON (never NaN or Infinity)."""
    return json.dumps(json_safe(value), ensure_ascii=False, allow_nan=False)


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = [str(c) for c in frame.columns]
    for row in frame.astype(object).itertuples(index=False, name=None):
        yield {c: json_safe(v) for c, v in zip(columns, row, strict=True)}


def write_table(frame: pd.DataFrame, path: str | Path, *, raw_cells: bool = False) -> Path:
    """Write a table atomically in the format its extension names.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    path : str or Path
        Ends in ``.csv``, ``.jsonl``, ``.json``, ``.parquet`` or ``.xlsx``.
    raw_cells : bool
        Write text cells as they are, even when a spreadsheet would read them as a formula.

    Returns
    -------
    Path
    """
    path = Path(path)
    fmt = table_format(path)
    if fmt in ("csv", "xlsx") and not raw_cells:
        frame = _neutralised(frame)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                write_csv(frame, fh)
        elif fmt == "jsonl":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                for rec in _records(frame):
                    fh.write(json_line(rec) + "\n")
        elif fmt == "json":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write("[")
                for i, rec in enumerate(_records(frame)):
                    fh.write(("," if i else "") + "\n" + json_line(rec))
                fh.write("\n]\n")
        elif fmt == "parquet":
            frame.reset_index(drop=True).to_parquet(tmp, index=False)
        else:
            _write_xlsx(frame, tmp)
    return path


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("matchkit")
    sheet.append([str(c) for c in frame.columns])
    for rec in _records(frame):
        sheet.append([_xlsx_cell(sheet, v) for v in rec.values()])
    book.save(path)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Return a cell that is never a formula (openpyxl reads a string starting with = as one)."""
    if isinstance(value, list):
        value = ";".join(map(str, value))
    if isinstance(value, str):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
