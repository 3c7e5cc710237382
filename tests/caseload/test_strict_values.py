"""Strict values: nothing wraps, rounds, turns into text or into "unknown" on the way in."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydantic
import pytest

import matchkit as mk
from matchkit._fields import FIELDS, STORED_FIELDS, Kind

HUGE = [10**30, 2**63, 2**64 + 1, -(2**63) - 1, 2**53 + 1]


def _jsonl(tmp_path, records, name="c.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("field", ["months_on_assistance", "children"])
@pytest.mark.parametrize("value", HUGE)
def test_huge_integers_are_refused_not_wrapped(tmp_path, field, value):
    records = [{"client_id": "c-1", "age": 40, field: value}, {"client_id": "c-2", "age": 41}]
    for path in (
        _jsonl(tmp_path, records),
        _csv(tmp_path, records),
    ):
        caseload, errors = mk.validate_caseload(path)
        assert [e.field for e in errors] == [field], path
        assert caseload.client_ids == ["c-2"]  # the good record is kept
    frame = pd.DataFrame({"client_id": ["c-1"], "age": [40], field: [value]})
    with pytest.raises(mk.RecordErrors, match=field):
        mk.read_caseload(frame)
    with pytest.raises(pydantic.ValidationError, match=field):
        mk.ClientProfile(client_id="c-1", age=40, **{field: value})


def _csv(tmp_path, records):
    frame = pd.DataFrame(records)
    path = tmp_path / "c.csv"
    frame.astype(object).to_csv(path, index=False)
    return path


def test_integers_that_fit_come_back_exactly_through_every_format(tmp_path):
    biggest = {
        name: int(spec.maximum)
        for name, spec in FIELDS.items()
        if spec.kind is Kind.INT and spec.maximum is not None and not spec.derived
    }
    record = {"client_id": "c-1", "age": 67, "children": 20, "months_on_assistance": 600}
    record.update({k: v for k, v in biggest.items() if not k.startswith("zrm_")})
    record.pop("youngest_child_age", None)
    record["zrm"] = {k[4:]: v for k, v in biggest.items() if k.startswith("zrm_")}
    # 4-5 is legal but warns (basic needs met without benefits)
    record["zrm"]["finances"] = 3  # type: ignore[index]
    original = mk.read_caseload(_jsonl(tmp_path, [record]))
    for ext in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"back.{ext}"
        mk.write_caseload(original, path)
        back = mk.read_caseload(path)
        pd.testing.assert_frame_equal(back.frame, original.frame)


@pytest.mark.parametrize("ids", [[1001, 1002], [1001.0, 1002.0], [np.int64(7), np.int64(8)]])
def test_numeric_client_ids_in_a_dataframe_or_parquet_are_errors(tmp_path, ids):
    frame = pd.DataFrame({"client_id": ids, "age": [40, 50]})
    with pytest.raises(mk.RecordErrors) as info:
        mk.read_caseload(frame)
    assert {e.field for e in info.value.errors} == {"client_id"}
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    caseload, errors = mk.validate_caseload(path)
    assert len(caseload) == 0 and [e.field for e in errors] == ["client_id", "client_id"]


def test_numeric_client_ids_in_jsonl_are_errors(tmp_path):
    caseload, errors = mk.validate_caseload(
        _jsonl(tmp_path, [{"client_id": 1001, "age": 40}, {"client_id": "ok", "age": 40}])
    )
    assert caseload.client_ids == ["ok"] and [e.field for e in errors] == ["client_id"]


def test_string_ids_from_a_string_column_are_kept(tmp_path):
    frame = pd.DataFrame({"client_id": pd.array(["a", "b"], dtype="string"), "age": [40, 41]})
    assert mk.read_caseload(frame).client_ids == ["a", "b"]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_a_json_nan_is_an_error_not_unknown(tmp_path, token):
    path = tmp_path / "c.jsonl"
    path.write_text(
        f'{{"client_id": "c-1", "age": 40, "zrm": {{"housing": {token}}}}}\n'
        f'{{"client_id": "c-2", "age": 40, "part_time_income_eur": {token}}}\n'
        '{"client_id": "c-3", "age": 40}\n'
    )
    caseload, errors = mk.validate_caseload(path)
    assert caseload.client_ids == ["c-3"]
    assert [e.field for e in errors] == ["zrm_housing", "part_time_income_eur"]
    assert token in str(errors[0])


def test_duplicate_json_keys_are_an_error(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"client_id": "c-1", "age": 40, "age": 60}\n'
        '{"client_id": "c-2", "age": 40, "zrm": {"housing": 2, "housing": 5}}\n'
        '{"client_id": "c-3", "age": 40}\n'
    )
    caseload, errors = mk.validate_caseload(path)
    assert caseload.client_ids == ["c-3"]
    assert len(errors) == 2 and all("duplicate key" in e.allowed for e in errors)


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300])
def test_the_model_refuses_what_the_batch_validator_refuses(value):
    with pytest.raises(pydantic.ValidationError):
        mk.ClientProfile(client_id="c-1", age=40, part_time_income_eur=value)
    frame = pd.DataFrame({"client_id": ["c-1"], "age": [40], "part_time_income_eur": [value]})
    _, errors = mk.validate_caseload(frame)
    # NaN in a DataFrame is pandas' missing value; everything else is an error.
    assert (len(errors) == 0) == (value != value)


@pytest.mark.slow
def test_model_and_validator_share_every_numeric_bound():
    for name in STORED_FIELDS:
        spec = FIELDS[name]
        if spec.kind not in (Kind.INT, Kind.FLOAT) or name.startswith("zrm_"):
            continue
        assert spec.maximum is not None, f"{name} has no upper bound"
        for value, ok in ((spec.maximum, True), (spec.maximum + 1, False)):
            value = int(value) if spec.kind is Kind.INT else float(value)
            kwargs = {"client_id": "c-1", "age": 40, name: value}
            if name == "age":
                kwargs.pop(name)
                kwargs["age"] = value
            if name == "youngest_child_age":
                kwargs["children"] = 1
            model_ok = True
            try:
                mk.ClientProfile(**kwargs)
            except pydantic.ValidationError:
                model_ok = False
            _, errors = mk.validate_caseload(pd.DataFrame([kwargs]))
            assert model_ok == ok == (not errors), (name, value)


@pytest.mark.parametrize(
    ("line", "duplicate"),
    [
        ('{"client_id": "c-1", "age" : 40, "age": 60}', True),  # a space before a colon
        ('{"client_id": "c-1", "age":\t40, "age"\t: 60}', True),
        ('{"client_id": "c-1", "neighbourhood": "a:b", "age": 40, "age": 41}', True),
        ('{"client_id": "c-1", "neighbourhood": "{", "zrm": {"work": 2, "work": 3}}', True),
        ('{"client_id": "c-1", "interests": [{"a": 1, "a": 2}]}', True),  # deep in a list
        ('{"client_id": "c-1", "zrm": {"work": {"a": 1, "a": 2}}}', True),
        ('{"client_id": "c-1", "neighbourhood": "a:b{", "age": 40}', False),
        ('{"client_id": "c-1", "age": 40, "zrm": {"work": 2, "housing": 3}}', False),
    ],
)
def test_a_repeated_key_is_found_wherever_it_is(tmp_path, line, duplicate):
    # The reader parses with the C parser and re-checks a line for repeated keys only when
    # its colons outnumber the keys parsed: every repeated key must still be caught.
    path = tmp_path / "c.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    _, errors = mk.validate_caseload(path)
    assert any("duplicate key" in e.allowed for e in errors) is duplicate, errors


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ('"X\\ud800Y"', True),  # half of a pair
        ('"\\uDFFF"', True),
        ('"\\ud83d\\ude00"', False),  # a whole pair: one character
        ('"a\\\\ud800"', False),  # an escaped backslash, then plain text
    ],
)
def test_an_escaped_half_surrogate_is_a_bad_record_and_the_others_are_kept(tmp_path, text, bad):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"client_id": "c-1", "age": 40}\n'
        f'{{"client_id": "c-2", "age": 41, "neighbourhood": {text}}}\n'
        '{"client_id": "c-3", "age": 42}\n',
        encoding="utf-8",
    )
    valid, errors = mk.validate_caseload(path)
    if bad:
        assert [(e.record, e.field) for e in errors] == [("line 2", "(record)")], errors
        assert "surrogate" in errors[0].allowed
        assert valid.client_ids == ["c-1", "c-3"]
    else:
        assert not errors and valid.client_ids == ["c-1", "c-2", "c-3"]
