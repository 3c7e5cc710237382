"""Hostile client files and frames: success or a MatchkitError, and no valid record lost."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchkit as mk
from matchkit.cli import main
from matchkit.errors import MatchkitError, RecordErrors, UnreadableFileError
from tests.fuzz.conftest import fuzz
from tests.fuzz.strategies import hostile_records, hostile_text, hostile_values
from tests.strategies import profile_records


@st.composite
def mixed_records(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str]]:
    """Valid records (ids v0, v1, ...) with hostile ones in between; the valid ids."""
    n_valid = draw(st.integers(0, 5))
    valid = [draw(profile_records(client_id=f"v{i}")) for i in range(n_valid)]
    hostile = [draw(hostile_records(index=i)) for i in range(draw(st.integers(0, 5)))]
    merged = valid + hostile
    order = draw(st.permutations(range(len(merged))))
    return [merged[i] for i in order], [r["client_id"] for r in valid]


def _kept(call: Any) -> list[str]:
    """Run a read; return the client ids it kept (a MatchkitError is allowed)."""
    try:
        caseload = call()
    except UnreadableFileError:
        raise  # a text file that is readable must never be refused whole
    except RecordErrors as exc:
        return [] if exc.valid is None else exc.valid.client_ids
    return caseload.client_ids


def _json_line(rec: dict[str, Any], raw: bool) -> str:
    if raw:  # a line that may not be JSON at all
        return str(rec)
    return json.dumps(rec, ensure_ascii=False)  # NaN/Infinity tokens included


@pytest.mark.slow
@fuzz
@given(data=mixed_records(), raw_lines=st.lists(st.booleans(), max_size=10))
def test_hostile_jsonl_keeps_every_valid_record(data, raw_lines):
    records, valid_ids = data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clients.jsonl"
        lines = []
        for i, rec in enumerate(records):
            raw = i < len(raw_lines) and raw_lines[i] and rec["client_id"] not in valid_ids
            lines.append(_json_line(rec, raw))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        kept = _kept(lambda: mk.read_caseload(path))
        assert set(valid_ids) <= set(kept)
        code = main(["validate", "clients", str(path)], out=io.StringIO())
        assert code in (0, 2)


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return "" if value is None else str(value)


@pytest.mark.slow
@fuzz
@given(data=mixed_records())
def test_hostile_csv_keeps_every_valid_record(data):
    records, valid_ids = data
    valid = [r for r in records if r["client_id"] in valid_ids]
    caseload = mk.read_caseload([mk.ClientProfile.model_validate(r) for r in valid])
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "valid.csv"
        mk.write_caseload(caseload, base)
        with base.open(encoding="utf-8", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        for rec in records:
            if rec["client_id"] in valid_ids:
                continue
            flat = {k: v for k, v in rec.items() if k in header}
            rows.append([_csv_cell(flat.get(c)) for c in header])
        path = Path(tmp) / "clients.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerows([header, *rows])
        kept = _kept(lambda: mk.read_caseload(path))
        assert set(valid_ids) <= set(kept)


column_values = st.one_of(
    st.lists(hostile_values, min_size=3, max_size=3),
    st.lists(st.integers(), min_size=3, max_size=3),
    st.lists(st.floats(), min_size=3, max_size=3),
    st.lists(hostile_text, min_size=3, max_size=3),
)


@pytest.mark.slow
@fuzz
@given(
    columns=st.dictionaries(
        st.sampled_from(["age", "children", "gender", "interests", "zrm_housing", "has_transport"]),
        column_values,
        max_size=3,
    ),
    ids=st.sampled_from(
        [["v0", "v1", "v2"], [1, 2, 3], [1.0, float("nan"), 3.5], ["=1", None, "v2"]]
    ),
)
def test_hostile_dataframes_are_a_record_error_or_fine(columns, ids):
    data = {"client_id": ids, "age": [30, 40, 50], **columns}
    try:
        frame = pd.DataFrame(data)
    except (ValueError, TypeError):  # pandas itself refuses the columns
        return
    try:
        caseload = mk.read_caseload(frame)
    except MatchkitError:
        return
    assert caseload.client_ids == ["v0", "v1", "v2"]


@fuzz
@given(blob=st.binary(max_size=200), suffix=st.sampled_from([".jsonl", ".csv", ".parquet"]))
@pytest.mark.slow
def test_arbitrary_bytes_are_read_or_refused_with_exit_2(blob, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clients{suffix}"
        path.write_bytes(blob)
        with contextlib.suppress(MatchkitError):
            mk.validate_caseload(path)
        assert main(["validate", "clients", str(path)], out=io.StringIO()) in (0, 2)
