"""A required column missing from the header is one error, not one error per record."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest

import matchkit as mk
from matchkit.cli import main

ROWS = [
    {"client_id": "c-1", "household": "single"},
    {"client_id": "c-2", "household": "couple"},
    {"client_id": "c-3", "household": "single"},
]


def _check(err: mk.MissingColumnsError, missing: list[str], source: str) -> None:
    message = str(err)
    assert err.missing == missing
    assert [e.field for e in err.errors] == missing
    assert "\n" not in message  # one error, not one per record
    assert message.startswith(source)
    for name in missing:
        assert name in message
    assert "client_id c-" not in message and "line 2" not in message and "row 0" not in message
    # The accepted columns are listed, with the way to map an export's own headers.
    for accepted in ("client_id", "age", "household", "zrm_<domain>", "finances"):
        assert accepted in message
    assert "columns=" in message and "--columns map.yaml" in message
    assert isinstance(err, mk.RecordErrors) and isinstance(err, ValueError)
    assert err.valid is None


def test_csv_without_a_required_column(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    with pytest.raises(mk.MissingColumnsError) as info:
        mk.read_caseload(path)
    _check(info.value, ["age"], str(path))
    with pytest.raises(mk.MissingColumnsError):
        mk.validate_caseload(path)  # a header problem: no records to keep


def test_dataframe_without_both_required_columns() -> None:
    frame = pd.DataFrame(ROWS).drop(columns="client_id")
    with pytest.raises(mk.MissingColumnsError) as info:
        mk.read_caseload(frame)
    _check(info.value, ["client_id", "age"], "DataFrame")


def test_jsonl_where_every_record_lacks_it(tmp_path: Path) -> None:
    path = tmp_path / "clients.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    with pytest.raises(mk.MissingColumnsError) as info:
        mk.read_caseload(path)
    _check(info.value, ["age"], str(path))


def test_jsonl_where_some_records_lack_it_names_those_records(tmp_path: Path) -> None:
    path = tmp_path / "clients.jsonl"
    rows = [{**ROWS[0], "age": 40}, *ROWS[1:]]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    caseload, errors = mk.validate_caseload(path)
    assert len(caseload) == 1
    assert [(e.record, e.field) for e in errors] == [
        ("line 2 (client_id c-2)", "age"),
        ("line 3 (client_id c-3)", "age"),
    ]


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["recommend", "--clients", str(path)], out=io.StringIO())
    assert code == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "required field(s) age" in lines[0] and "--columns map.yaml" in lines[0]
