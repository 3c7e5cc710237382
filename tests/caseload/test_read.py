from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import STORED_FIELDS, ZRM_LEGACY_11
from matchkit._validate import contract_dtypes
from tests.strategies import invalid_value, profile_records

EXAMPLES = Path(__file__).parents[2] / "profiles" / "examples" / "clients.jsonl"


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_example_clients_are_valid():
    caseload = mk.read_caseload(EXAMPLES)
    assert len(caseload) == 12


def test_frame_has_exactly_the_contract_columns_and_dtypes():
    frame = mk.read_caseload(EXAMPLES).frame
    assert list(frame.columns) == list(STORED_FIELDS)
    for name, dtype in contract_dtypes().items():
        assert str(frame[name].dtype) == str(dtype), name


def test_ordered_enums_become_ordered_categoricals():
    frame = mk.read_caseload(EXAMPLES).frame
    assert frame["dutch_level"].cat.ordered
    assert not frame["household"].cat.ordered


def test_hundred_records_with_three_bad_ones_lists_all_three(tmp_path):
    records = [{"client_id": f"c{i}", "age": 30 + i % 30} for i in range(100)]
    records[10]["age"] = 12
    records[50]["dutch_level"] = "B3"
    records[99]["zrm"] = {"housing": 9}
    path = _write_jsonl(tmp_path / "c.jsonl", records)
    with pytest.raises(mk.RecordErrors) as exc:
        mk.read_caseload(path)
    err = exc.value
    assert [(e.record, e.field) for e in err.errors] == [
        ("line 11 (client_id c10)", "age"),
        ("line 51 (client_id c50)", "dutch_level"),
        ("line 100 (client_id c99)", "zrm_housing"),
    ]
    assert len(err.valid) == 97
    assert "B3" in str(err) and "B1" in str(err)


def test_every_problem_of_one_record_is_reported(tmp_path):
    path = _write_jsonl(
        tmp_path / "c.jsonl",
        [{"client_id": "x", "age": "old", "motivation": "huge", "colour": "red"}],
    )
    _, errors = mk.validate_caseload(path)
    assert {e.field for e in errors} == {"age", "motivation", "colour"}


def test_malformed_json_line_is_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"client_id": "a", "age": 30}\n{not json\n{"client_id": "b", "age": 40}\n')
    caseload, errors = mk.validate_caseload(path)
    assert caseload.client_ids == ["a", "b"]
    assert [e.record for e in errors] == ["line 2"]


def test_duplicate_client_ids_are_reported(tmp_path):
    path = _write_jsonl(
        tmp_path / "c.jsonl", [{"client_id": "a", "age": 30}, {"client_id": "a", "age": 31}]
    )
    caseload, errors = mk.validate_caseload(path)
    assert len(caseload) == 1
    assert errors[0].field == "client_id" and errors[0].record.startswith("line 2")


def test_youngest_child_age_with_no_children_is_an_error(tmp_path):
    path = _write_jsonl(
        tmp_path / "c.jsonl",
        [{"client_id": "a", "age": 30, "children": 0, "youngest_child_age": 2}],
    )
    _, errors = mk.validate_caseload(path)
    assert [e.field for e in errors] == ["youngest_child_age"]


def test_legacy_zrm11_in_jsonl_is_translated(tmp_path):
    path = _write_jsonl(
        tmp_path / "c.jsonl", [{"client_id": "a", "age": 30, "zrm11": {"day_activities": 2}}]
    )
    frame = mk.read_caseload(path).frame
    assert frame.loc[0, "zrm_work_education"] == 2
    assert frame.loc[0, "zrm_time_use"] == 2


@pytest.mark.slow
@settings(max_examples=20)
@given(
    legacy=st.dictionaries(
        st.sampled_from(sorted(ZRM_LEGACY_11)), st.integers(1, 3), min_size=1, max_size=11
    )
)
def test_every_route_translates_the_legacy_zrm_the_same_way(tmp_path_factory, legacy):
    # Profiles, JSONL records and zrm11_<domain> columns share one translation (scores up
    # to 3, so that finances on assistance raises no data-quality warning).
    tmp_path = tmp_path_factory.mktemp("zrm11")
    record = {"client_id": "a", "age": 30, "zrm11": legacy}
    from_profile = mk.Caseload.from_profiles([mk.ClientProfile.model_validate(record)]).frame
    from_jsonl = mk.read_caseload(_write_jsonl(tmp_path / "c.jsonl", [record])).frame
    csv = tmp_path / "c.csv"
    pd.DataFrame(
        [{"client_id": "a", "age": 30, **{f"zrm11_{k}": v for k, v in legacy.items()}}]
    ).to_csv(csv, index=False)
    from_csv = mk.read_caseload(csv).frame
    expected = {f"zrm_{k}": v for k, v in mk.zrm_from_legacy(legacy).items()}
    for frame in (from_profile, from_jsonl, from_csv):
        got = {c: frame.loc[0, c] for c in frame.columns if c.startswith("zrm_")}
        assert {c: int(str(v)) for c, v in got.items() if v is not pd.NA} == expected
    pd.testing.assert_frame_equal(from_jsonl, from_profile)
    pd.testing.assert_frame_equal(from_csv, from_profile)


def test_csv_empty_cell_is_unknown_and_brackets_are_an_empty_list(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "client_id,age,interests,wants_paid_work\na,30,,true\nb,31,[],\nc,32,care;retail,false\n"
    )
    frame = mk.read_caseload(path).frame
    assert frame["interests"].tolist() == [None, [], ["care", "retail"]]
    assert frame["wants_paid_work"].tolist() == [True, pd.NA, False]


def test_csv_errors_name_the_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("client_id,age\na,30\nb,seventy\n")
    _, errors = mk.validate_caseload(path)
    assert [(e.record, e.field, e.value) for e in errors] == [
        ("line 3 (client_id b)", "age", "seventy")
    ]


def test_unknown_csv_column_is_reported(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("client_id,age,bsn\na,30,123\n")
    with pytest.raises(mk.RecordErrors, match="bsn"):
        mk.read_caseload(path)


def test_zrm_finances_above_three_warns_once_for_the_batch(tmp_path):
    path = _write_jsonl(
        tmp_path / "c.jsonl",
        [{"client_id": f"c{i}", "age": 30, "zrm": {"finances": 5}} for i in range(3)],
    )
    with pytest.warns(mk.DataQualityWarning, match="3 client"):
        mk.read_caseload(path)


def _records_strategy():
    return st.lists(profile_records(), min_size=1, max_size=8).map(
        lambda recs: [dict(r, client_id=f"c{i}") for i, r in enumerate(recs)]
    )


@pytest.mark.slow
@given(_records_strategy())
def test_valid_profiles_round_trip_unchanged_through_every_format(records):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        profiles = [mk.ClientProfile.model_validate(r) for r in records]
    caseload = mk.Caseload.from_profiles(profiles)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".jsonl", ".csv", ".parquet"):
            path = mk.write_caseload(caseload, Path(tmp) / f"c{suffix}")
            again = list(mk.read_caseload(path).profiles())
            assert again == profiles, suffix
    frame_again = list(mk.Caseload.from_frame(caseload.frame.copy()).profiles())
    assert frame_again == profiles


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in STORED_FIELDS if n not in ("client_id",)])
@given(data=st.data())
def test_batch_validation_rejects_an_invalid_value_naming_the_field(name, data, tmp_path_factory):
    bad = data.draw(invalid_value(name))
    rec = {"client_id": "c-1", "age": 30}
    if name.startswith("zrm_"):
        rec["zrm"] = {name[4:]: bad}
    else:
        rec[name] = bad
    path = tmp_path_factory.mktemp("bad") / "c.jsonl"
    _write_jsonl(path, [rec, {"client_id": "ok", "age": 40}])
    caseload, errors = mk.validate_caseload(path)
    assert caseload.client_ids == ["ok"]
    assert [e.field for e in errors] == [name]


def test_profiles_and_dataframe_give_the_same_columns():
    caseload = mk.read_caseload(EXAMPLES)
    rebuilt = mk.Caseload.from_profiles(caseload.profiles())
    pd.testing.assert_frame_equal(rebuilt.frame, caseload.frame)


def test_derived_fields_are_three_valued():
    caseload = mk.Caseload.from_profiles(
        [
            mk.ClientProfile(client_id="a", age=30, household="single", children=1),
            mk.ClientProfile(client_id="b", age=30, children=0),
            mk.ClientProfile(client_id="c", age=30, household="single"),
        ]
    )
    values, known = caseload.columns.scalar("single_parent")
    assert known.tolist() == [True, True, False]
    assert values[:2].tolist() == [1.0, 0.0]
    assert np.isnan(values[2])


def test_caseload_leefgebieden_agree_with_the_profile_summary():
    caseload = mk.read_caseload(EXAMPLES)
    table = caseload.leefgebieden()
    for profile in caseload.profiles():
        expected = profile.leefgebieden()
        row = table.loc[profile.client_id]
        for area, value in expected.items():
            if value is None:
                assert pd.isna(row[area])
            else:
                assert row[area] == value
