"""Client data the way data teams have it: Arrow tables, Dutch exports, a column mapping.

Everything here turns an input into the "raw" flat frame that :mod:`matchkit._validate`
checks; nothing here validates values itself.

- **Arrow**: a pyarrow Table or RecordBatch, a polars DataFrame, or anything with the Arrow
  PyCapsule stream interface (``__arrow_c_stream__``) is read through pyarrow into pandas.
- **Dutch exports** (CSV): the delimiter is detected (``;``, ``,``, tab or ``|``) unless
  given; with ``;`` a decimal comma is the default; ``ja``/``nee`` and Dutch category labels
  (``vrouw``, ``alleenstaand``, ``hoog``, ``zorg``, ...) are read as the contract's values.
- **A column and value mapping** (``columns=``): export headers to contract fields, and per
  field export values to contract values, given as a dict or as a YAML file, which may also
  set ``sep``, ``decimal`` and ``list_separator``. See ``profiles/examples/dutch-export.yaml``.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd
import yaml

from matchkit._fields import FIELDS, STORED_FIELDS, ZRM_DOMAINS, Kind
from matchkit.errors import ParameterError, RecordError, RecordErrors

__all__ = [
    "LIST_SEPARATOR",
    "InputOptions",
    "accepted_columns",
    "arrow_frame",
    "detect_separator",
    "input_options",
    "is_arrow_like",
    "map_frame",
    "split_list_text",
    "unknown_column_errors",
]

LIST_SEPARATOR: Final = "|"
"""Separator of list items inside a CSV cell (``care|technical``); ``;`` is still read."""

_SEPARATORS: Final = (";", ",", "\t", "|")

_DUTCH_BOOL: Final = {
    "ja": True,
    "nee": False,
    "j": True,
    "n": False,
    "waar": True,
    "onwaar": False,
}

_DUTCH_LEVELS: Final[dict[str, dict[str, str]]] = {
    "gender": {"vrouw": "female", "man": "male", "anders": "other", "v": "female", "m": "male"},
    "household": {
        "alleenstaand": "single",
        "alleenstaande": "single",
        "samenwonend": "couple",
        "gehuwd": "couple",
        "getrouwd": "couple",
        "paar": "couple",
    },
    "migration_background": {
        "geen": "none",
        "nederlands": "none",
        "westers": "western",
        "niet-westers": "non_western",
        "niet westers": "non_western",
    },
    "dutch_level": {"geen": "none"},
    "education": {
        "geen": "none",
        "basisonderwijs": "primary",
        "havo/vwo": "havo_vwo",
        "havo": "havo_vwo",
        "vwo": "havo_vwo",
        "mbo 1": "mbo1",
        "mbo 2": "mbo2",
        "mbo 3": "mbo3",
        "mbo 4": "mbo4",
    },
    "motivation": {
        "geen": "none",
        "laag": "low",
        "enige": "some",
        "enigszins": "some",
        "hoog": "high",
    },
    "psych_complaints": {"geen": "none", "licht": "mild", "matig": "moderate", "ernstig": "severe"},
    "physical_limitations": {"geen": "none", "licht": "mild", "ernstig": "severe"},
    "social_skills": {"laag": "low", "gemiddeld": "medium", "hoog": "high"},
    "independence": {"laag": "low", "gemiddeld": "medium", "hoog": "high"},
    "interests": {
        "zorg": "care",
        "duurzaamheid": "sustainability",
        "techniek": "technical",
        "logistiek": "logistics",
        "horeca": "hospitality",
        "detailhandel": "retail",
        "schoonmaak": "cleaning",
        "administratie": "administration",
        "kinderopvang": "childcare",
        "onderwijs": "education",
        "creatief": "creative",
        "ondernemerschap": "entrepreneurship",
    },
}
"""Dutch labels (lower case) of the contract's enum and list values, per field."""

_MAPPING_KEYS: Final = frozenset({"columns", "values", "sep", "decimal", "list_separator"})


def accepted_columns() -> str:
    """Describe the accepted flat columns, for error messages."""
    plain = [n for n in STORED_FIELDS if not n.startswith("zrm_")]
    return (
        "a contract column: "
        + ", ".join(plain)
        + "; zrm_<domain> for the ZRM ("
        + ", ".join(ZRM_DOMAINS)
        + "); or map the export's header with columns="
    )


def unknown_column_errors(unknown: list[str]) -> list[RecordError]:
    """One header error per unknown column; the first lists the accepted columns."""
    return [
        RecordError(
            "header", c, c, accepted_columns() if i == 0 else "a contract column (listed above)"
        )
        for i, c in enumerate(unknown)
    ]


@dataclass(frozen=True)
class InputOptions:
    """How to read a flat export: separators, decimal mark and the column/value mapping."""

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sep: str | None = None
    decimal: str | None = None
    list_separator: str | None = None

    @property
    def is_default(self) -> bool:
        """Whether nothing was asked for (the file is read as written)."""
        return self == InputOptions()


def input_options(
    columns: Mapping[str, Any] | str | Path | None = None,
    *,
    sep: str | None = None,
    decimal: str | None = None,
) -> InputOptions:
    """Build the reading options from ``columns=`` (a dict or a YAML file) and arguments.

    A dict maps export headers to contract fields. A YAML file (or a dict with a ``columns``
    key holding a mapping) may also give ``values`` (per contract field, export value to
    contract value), ``sep``, ``decimal`` and ``list_separator``. Arguments win over the file.
    """
    spec: dict[str, Any]
    source = "columns"
    if columns is None:
        spec = {}
    elif isinstance(columns, str | Path):
        path = Path(columns)
        source = str(path)
        if not path.is_file():
            raise ParameterError(f"columns={str(path)!r}: no such mapping file")
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise ParameterError(f"{source}: expected a mapping with a 'columns' key")
        spec = loaded
    elif isinstance(columns, Mapping):
        spec = (
            dict(columns) if isinstance(columns.get("columns"), Mapping) else {"columns": columns}
        )
    else:
        raise ParameterError(f"columns={columns!r}: expected a dict or the path of a YAML file")
    unknown = sorted(set(spec) - _MAPPING_KEYS)
    if unknown:
        raise ParameterError(
            f"{source}: unknown key(s) {', '.join(map(str, unknown))}; "
            f"expected {', '.join(sorted(_MAPPING_KEYS))}"
        )
    cols = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    bad = sorted(v for v in cols.values() if v not in STORED_FIELDS)
    if bad:
        raise ParameterError(
            f"{source}: columns map to {', '.join(bad)}, not a field; expected {accepted_columns()}"
        )
    values = spec.get("values") or {}
    if not isinstance(values, Mapping) or not all(isinstance(m, Mapping) for m in values.values()):
        raise ParameterError(f"{source}: values: expected per field a mapping of values")
    bad = sorted(str(k) for k in values if k not in STORED_FIELDS)
    if bad:
        raise ParameterError(
            f"{source}: values for {', '.join(bad)}, not a field; expected {accepted_columns()}"
        )
    sep = sep if sep is not None else spec.get("sep")
    decimal = decimal if decimal is not None else spec.get("decimal")
    list_separator = spec.get("list_separator")
    if sep is not None and (not isinstance(sep, str) or len(sep) != 1):
        raise ParameterError(f"sep={sep!r}: expected one character, such as ';' or ','")
    if decimal not in (None, ".", ","):
        raise ParameterError(f"decimal={decimal!r}: expected '.' or ','")
    if list_separator is not None and (not isinstance(list_separator, str) or not list_separator):
        raise ParameterError(f"list_separator={list_separator!r}: expected a character")
    return InputOptions(
        cols,
        {str(k): dict(v) for k, v in values.items()},
        sep,
        decimal,
        list_separator,
    )


def detect_separator(path: Path) -> str:
    """Guess a CSV file's delimiter from its header line (``;``, ``,``, tab or ``|``)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    try:
        return csv.Sniffer().sniff(header, delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:
        counts = {s: header.count(s) for s in _SEPARATORS}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def split_list_text(text: str, separator: str | None = None) -> list[str]:
    """Split a list cell on ``|`` (or the given separator), and on ``;`` as written before."""
    seps = (separator,) if separator else (LIST_SEPARATOR, ";")
    parts = [text]
    for sep in seps:
        parts = [p for part in parts for p in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def map_frame(raw: pd.DataFrame, options: InputOptions, *, text: bool, source: str) -> pd.DataFrame:
    """Rename mapped columns, map values, read Dutch labels and decimal commas.

    Dutch labels and decimal commas are read only from text (``text=True``: CSV cells); the
    explicit value mapping applies to any input.
    """
    if options.columns:
        renamed = [options.columns.get(str(c), str(c)) for c in raw.columns]
        dups = sorted({c for c in renamed if renamed.count(c) > 1})
        if dups:
            raise RecordErrors(
                [RecordError("header", d, d, "one column per field") for d in dups],
                source=source,
            )
        raw = raw.set_axis(renamed, axis=1)
    out = {}
    for name in raw.columns:
        spec = FIELDS.get(name)
        col = raw[name]
        if spec is None or spec.derived:
            out[name] = col
            continue
        explicit = options.values.get(name, {})
        dutch = _DUTCH_LEVELS.get(name, {}) if text else {}
        if spec.kind is Kind.LIST:
            if text and (explicit or dutch or options.list_separator):
                col = col.map(
                    lambda v, e=explicit, d=dutch: _map_list_cell(v, e, d, options.list_separator),
                    na_action="ignore",
                )
        elif spec.kind is Kind.BOOL and text:
            col = col.map(lambda v, e=explicit: _map_bool_cell(v, e), na_action="ignore")
        elif spec.kind in (Kind.INT, Kind.FLOAT) and text and _decimal_comma(options):
            col = col.map(_decimal_comma_cell, na_action="ignore")
        if explicit and spec.kind is not Kind.LIST and not (spec.kind is Kind.BOOL and text):
            col = col.map(lambda v, e=explicit: e.get(v, v), na_action="ignore")
        if dutch and spec.kind is Kind.ENUM:
            col = col.map(lambda v, d=dutch: _map_label(v, d), na_action="ignore")
        out[name] = col
    return pd.DataFrame(out, index=raw.index)


def _decimal_comma(options: InputOptions) -> bool:
    if options.decimal is not None:
        return options.decimal == ","
    return options.sep == ";"


def _decimal_comma_cell(v: Any) -> Any:
    if isinstance(v, str) and "," in v:
        return v.strip().replace(".", "").replace(",", ".")
    return v


def _map_label(v: Any, labels: Mapping[str, str]) -> Any:
    if isinstance(v, str):
        return labels.get(v.strip().lower(), v)
    return v


def _map_bool_cell(v: Any, explicit: Mapping[str, Any]) -> Any:
    if v in explicit:
        v = explicit[v]
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        dutch = _DUTCH_BOOL.get(v.strip().lower())
        if dutch is not None:
            return "true" if dutch else "false"
    return v


def _map_list_cell(
    v: Any, explicit: Mapping[str, Any], dutch: Mapping[str, str], separator: str | None
) -> Any:
    if not isinstance(v, str) or v.strip() == "[]":
        return v
    items = [explicit.get(i, i) for i in split_list_text(v, separator)]
    items = [_map_label(i, dutch) for i in items]
    return LIST_SEPARATOR.join(items) if items else "[]"


def is_arrow_like(data: Any) -> bool:
    """Whether ``data`` is an Arrow table or exposes the Arrow PyCapsule stream interface."""
    if isinstance(data, pd.DataFrame | str | Path):
        return False
    if hasattr(data, "__arrow_c_stream__"):
        return True
    module = type(data).__module__
    return module.startswith("pyarrow") and hasattr(data, "to_pandas")


def arrow_frame(data: Any) -> pd.DataFrame:
    """Read an Arrow-like table (pyarrow, polars, any ``__arrow_c_stream__``) into pandas."""
    import pyarrow as pa

    if isinstance(data, pa.RecordBatch):
        table = pa.Table.from_batches([data])
    elif isinstance(data, pa.Table):
        table = data
    else:
        table = pa.RecordBatchReader.from_stream(data).read_all()
    # polars hands over string views and large types; pandas reads the plain ones.
    schema = pa.schema([f.with_type(_plain_type(f.type)) for f in table.schema])
    if schema != table.schema:
        table = table.cast(schema)
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _plain_type(t: Any) -> Any:
    import pyarrow as pa

    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_list(t):
        return pa.list_(_plain_type(t.value_type))
    if pa.types.is_dictionary(t):
        return pa.dictionary(t.index_type, _plain_type(t.value_type))
    return t
