"""The chunked JSON Lines reader against the whole-file reference reader.

``_validate_jsonl(path, chunk_lines)`` reads a file a chunk of lines at a time, parsing clean
chunks with Arrow and reading every other chunk again line by line. Whatever the chunk size,
it must give exactly what the reference reader (``read_raw_jsonl`` + ``validate_raw`` on the
whole file) gives: the same typed frame, the same errors with the same line numbers and
values, the same warnings and exceptions.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit import _caseload
from matchkit._caseload import _arrow_chunk, _validate_jsonl, read_raw_jsonl
from matchkit._validate import empty_frame, validate_raw
from tests.strategies import invalid_value, profile_records

CHUNKS = (1, 2, 3, 5, 1000)


def _whole(path: Path) -> tuple[pd.DataFrame, list[mk.RecordError]]:
    """The reference: the whole file read line by line, then validated at once."""
    raw, labels, extra, bad, _ = read_raw_jsonl(path)
    if len(raw) == 0:
        return empty_frame(), [e for _, e in extra]
    return validate_raw(raw, labels, extra, bad, source=str(path))


def _outcome(fn: Any) -> tuple[Any, ...]:
    """What a reader returns or raises, and the warnings it gives, in comparable form."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame, errors = fn()
        except mk.MatchkitError as exc:
            return ("raised", type(exc).__name__, str(exc))
    shown = [(e.record, e.field, repr(e.value), e.allowed, str(e)) for e in errors]
    return ("ok", frame, shown, [(w.category, str(w.message)) for w in caught])


def assert_same_as_whole(path: Path, chunks: tuple[int, ...] = CHUNKS) -> None:
    expected = _outcome(lambda: _whole(path))
    for size in chunks:
        got = _outcome(lambda size=size: _validate_jsonl(path, size))
        assert got[0] == expected[0], (size, got, expected)
        if expected[0] == "raised":
            assert got == expected, size
            continue
        pd.testing.assert_frame_equal(got[1], expected[1], check_exact=True)
        assert got[2] == expected[2], size
        assert got[3] == expected[3], size


def _line(record: Any) -> str:
    return json.dumps(record)


GOOD = [
    {"client_id": f"g{i}", "age": 20 + i, "interests": ["care"], "zrm": {"finances": 2}}
    for i in range(12)
]

MESSY_LINES = [
    _line(GOOD[0]),
    _line({"client_id": "a1", "age": 70}),  # out of range
    "",  # blank line: skipped, still counted
    _line(GOOD[1]),
    "   ",  # whitespace only
    '{"client_id": "a2", "age": 30, "age": 31}',  # repeated key
    _line({"client_id": "a3", "age": "30"}),  # text for a number
    '{"client_id": "a4", "age": NaN}',  # not JSON
    _line(GOOD[2]),
    "[1, 2]",  # not an object
    '{"client_id": "a5", "age": 30} {"client_id": "a6", "age": 30}',  # two objects
    _line({"client_id": "a7", "age": 30, "bsn": "123"}),  # unknown key
    _line({"client_id": "a8", "age": 30, "zrm": {"housing": 9, "moon": 2}}),
    _line({"client_id": "a9", "age": 30, "zrm11": {"day_activities": 2}}),  # legacy ZRM
    _line({"client_id": "g0", "age": 40}),  # duplicate of line 1 (another chunk)
    _line({"client_id": "a1", "age": 41}),  # duplicate of a record that was bad itself
    _line(GOOD[3]),
    _line({"client_id": "a10", "age": 30, "interests": ["care", "moon"]}),
    _line({"client_id": "a11", "age": 30, "other_languages": ["EN"], "children": 0}),
    _line({"client_id": "a12", "age": 30, "children": 0, "youngest_child_age": 3}),
    _line({"client_id": "a13", "age": 30, "work_experience_years": 61}),
    _line({"client_id": "a14", "age": 30.0, "motivation": "high", "interests": []}),
    '{"client_id": "a15",\t"age": 33, "zrm": null}',
    _line({"client_id": "a16", "age": None, "gender": "x"}),  # required, and a bad enum
    _line(GOOD[4]),
    '{"client_id": "a17", "age": 30, "municipality": "Caf\\u00e9 \\ud83d\\ude00"}',
    _line({"client_id": "a19", "age": 30, "part_time_income_eur": 1e20}),
    _line({"client_id": "a20", "age": 30, "wants_paid_work": "yes"}),
    _line({"client_id": "a21", "age": 30, "zrm": {"finances": 4}}),
    *(_line(r) for r in GOOD[5:]),
]


def _write(path: Path, lines: list[str], end: str = "\n", bom: bool = False) -> Path:
    text = end.join(lines) + end
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_errors_spread_over_chunks_are_the_whole_files_errors(tmp_path):
    path = _write(tmp_path / "c.jsonl", MESSY_LINES)
    expected = _outcome(lambda: _whole(path))
    assert len(expected[2]) >= 19  # the file really is messy
    assert_same_as_whole(path)


def test_a_wrong_line_number_or_record_would_be_seen(tmp_path):
    # The comparison itself must be able to fail: one line more shifts every later number.
    path = _write(tmp_path / "c.jsonl", MESSY_LINES)
    shifted = _write(tmp_path / "d.jsonl", ["", *MESSY_LINES])
    a = _outcome(lambda: _validate_jsonl(path, 3))
    b = _outcome(lambda: _validate_jsonl(shifted, 3))
    assert a[2] != b[2]
    fewer = _write(tmp_path / "e.jsonl", MESSY_LINES[:-1])
    c = _outcome(lambda: _validate_jsonl(fewer, 3))
    assert len(c[1]) == len(a[1]) - 1


@pytest.mark.parametrize("end", ["\r\n", "\r"])
def test_carriage_returns_and_a_byte_order_mark(tmp_path, end):
    path = _write(tmp_path / "c.jsonl", MESSY_LINES, end=end, bom=True)
    assert_same_as_whole(path)


def test_clean_lines_with_a_byte_order_mark_and_no_final_newline(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(_line(r) for r in GOOD).encode())
    assert_same_as_whole(path)
    frame, errors = _validate_jsonl(path, 5)
    assert len(frame) == len(GOOD) and errors == []


def test_a_duplicate_id_in_a_later_clean_chunk_is_found(tmp_path):
    records = [*GOOD, dict(GOOD[0], age=50)]
    path = _write(tmp_path / "c.jsonl", [_line(r) for r in records])
    for size in (1, 4, 12):
        frame, errors = _validate_jsonl(path, size)
        assert [(e.record, e.field) for e in errors] == [("line 13 (client_id g0)", "client_id")]
        assert len(frame) == len(GOOD)
    assert_same_as_whole(path)


def test_a_required_column_missing_everywhere_raises_once(tmp_path):
    path = _write(tmp_path / "c.jsonl", [_line({"client_id": f"c{i}"}) for i in range(7)])
    with pytest.raises(mk.MissingColumnsError):
        _validate_jsonl(path, 3)
    assert_same_as_whole(path)


def test_a_required_column_missing_in_one_chunk_names_those_records(tmp_path):
    records: list[dict[str, Any]] = [{"client_id": f"c{i}"} for i in range(4)]
    records += [{"client_id": "d", "age": 30}]
    path = _write(tmp_path / "c.jsonl", [_line(r) for r in records])
    _, errors = _validate_jsonl(path, 2)
    assert [e.record for e in errors] == [f"line {i + 1} (client_id c{i})" for i in range(4)]
    assert_same_as_whole(path)


def test_only_unreadable_or_blank_lines(tmp_path):
    assert_same_as_whole(_write(tmp_path / "a.jsonl", ["", "  ", ""]))
    assert_same_as_whole(_write(tmp_path / "b.jsonl", ["{", "", "[]", "x"]))
    empty = tmp_path / "c.jsonl"
    empty.write_bytes(b"")
    assert_same_as_whole(empty)


def test_text_that_is_not_utf8_gives_the_reference_message(tmp_path):
    lines = [_line(r) for r in GOOD]
    path = tmp_path / "c.jsonl"
    path.write_bytes(("\n".join(lines[:7]) + "\n").encode() + b'{"client_id": "\xff"}\n')
    assert_same_as_whole(path)
    with pytest.raises(mk.UnreadableFileError, match="not UTF-8"):
        _validate_jsonl(path, 3)


def test_the_data_quality_warning_comes_once_for_the_whole_file(tmp_path):
    records = [dict(r, zrm={"finances": 5}) for r in GOOD]
    path = _write(tmp_path / "c.jsonl", [_line(r) for r in records])
    with pytest.warns(mk.DataQualityWarning, match="12 client") as caught:
        _validate_jsonl(path, 5)
    assert len(caught) == 1
    assert_same_as_whole(path)


def test_clean_chunks_take_the_arrow_path_and_equal_the_reference(tmp_path):
    caseload = mk.generate_caseload(300, seed=3)
    path = mk.write_caseload(caseload, tmp_path / "c.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    raw = _arrow_chunk(lines, b"".join(lines))
    assert raw is not None  # the fast path runs on what matchkit itself writes
    assert_same_as_whole(path, (7, 100, 1000))
    frame, errors = _validate_jsonl(path, 64)
    assert errors == []
    pd.testing.assert_frame_equal(frame, caseload.frame)


def test_an_object_over_two_lines_is_not_read_by_arrow():
    lines = [b'{"client_id": "a",\n', b'"age": 30}\n']
    assert _arrow_chunk(lines, b"".join(lines)) is None


def test_the_arrow_path_refuses_what_it_cannot_read_as_the_reference_does():
    ok = b'{"client_id": "a", "age": 30}\n'
    assert _arrow_chunk([ok], ok) is not None
    last = ok[:-1]  # a last line without a newline
    assert _arrow_chunk([ok, last], ok + last) is not None
    for line in (
        b'{"client_id": "a", "age": NaN}\n',
        b'{"client_id": "a", "age": 30.0}\n',  # a float where Arrow reads ints
        b'{"client_id": "a", "age": 30} {"client_id": "b", "age": 30}\n',
        b'  {"client_id": "a", "age": 30}\n',
        b'{"client_id": "a", "age": 30}\r\n',
        b'{"client_id": "a", "zrm": {"moon": 1}}\n',
        b'{"client_id": "a", "zrm11": {"adl": 1}}\n',
        b'{"client_id": "a", "bsn": 1}\n',
        b'{"client_id": "a", "interests": [1]}\n',
        b'{"client_id": "a", "interests": [null]}\n',
        b'{"client_id": "a", "municipality": 5}\n',
        b'{"client_id": "a", "a": 1, "a": 1}\n',
        b"\n",
    ):
        assert _arrow_chunk([line], line) is None, line
        assert _arrow_chunk([ok, line, ok], ok + line + ok) is None, line


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_records_with_random_faults_match_the_reference(tmp_path, data):
    records = data.draw(st.lists(profile_records(), min_size=1, max_size=12))
    lines = []
    for rec in records:
        rec = dict(rec, client_id=f"c{data.draw(st.integers(0, len(records)))}")
        if data.draw(st.integers(0, 3)) == 0:
            name = data.draw(st.sampled_from(["age", "children", "motivation", "interests"]))
            rec[name] = data.draw(invalid_value(name))
        line = json.dumps(rec, allow_nan=True)
        if data.draw(st.integers(0, 9)) == 0:
            line = data.draw(st.sampled_from(["", "  ", "{", "[1]", line + " " + line]))
        lines.append(line)
    path = _write(tmp_path / f"r{len(lines)}.jsonl", lines)
    assert_same_as_whole(path, (1, 3, 1000))


def test_validate_caseload_reads_jsonl_in_chunks(tmp_path, monkeypatch):
    path = _write(tmp_path / "c.jsonl", MESSY_LINES)
    seen = []
    original = _caseload._validate_jsonl_chunk

    def spy(chunk, *args):
        seen.append(len(chunk[0]))
        return original(chunk, *args)

    monkeypatch.setattr(_caseload, "_CHUNK_LINES", 4)
    monkeypatch.setattr(_caseload, "_validate_jsonl_chunk", spy)
    monkeypatch.setattr(_caseload._validate_jsonl, "__defaults__", (4,))
    with pytest.warns(mk.DataQualityWarning):
        caseload, errors = mk.validate_caseload(path)
    assert seen and max(seen) == 4
    with pytest.warns(mk.DataQualityWarning):
        expected_frame, expected_errors = _whole(path)
    pd.testing.assert_frame_equal(caseload.frame, expected_frame)
    assert [str(e) for e in errors] == [str(e) for e in expected_errors]
