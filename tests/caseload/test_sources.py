"""Input the way data teams have it: Arrow tables, Dutch exports, a column mapping, the schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import matchkit as mk
from matchkit.cli import main

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples"
EXPORT, MAPPING = EXAMPLES / "dutch-export.csv", EXAMPLES / "dutch-export.yaml"


@pytest.fixture(scope="module")
def frame():
    return mk.generate_caseload(300, seed=5).frame


def _same(a: mk.Caseload, b: mk.Caseload) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame)


def test_pyarrow_table_and_batch_read_into_the_same_caseload(frame):
    expected = mk.read_caseload(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    _same(mk.read_caseload(table), expected)
    _same(mk.read_caseload(table.to_batches(max_chunksize=10_000)[0]), expected)


@pytest.mark.slow
def test_polars_frame_reads_into_the_same_caseload(frame):
    expected = mk.read_caseload(frame)
    polars_frame = pl.from_arrow(pa.Table.from_pandas(frame, preserve_index=False))
    assert isinstance(polars_frame, pl.DataFrame)
    _same(mk.read_caseload(polars_frame), expected)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(polars_frame)
    assert len(result) == len(frame)


def test_polars_frame_built_by_hand_with_nulls_and_lists():
    polars_frame = pl.DataFrame(
        {
            "client_id": ["a-1", "a-2"],
            "age": [58, 31],
            "wants_paid_work": [True, None],
            "interests": [["care", "technical"], None],
            "zrm_housing": [2, None],
            "dutch_level": ["B1", None],
        }
    )
    profiles = [
        mk.ClientProfile(
            client_id="a-1",
            age=58,
            wants_paid_work=True,
            interests=["care", "technical"],
            zrm={"housing": 2},
            dutch_level="B1",
        ),
        mk.ClientProfile(client_id="a-2", age=31),
    ]
    _same(mk.read_caseload(polars_frame), mk.Caseload.from_profiles(profiles))


class _Stream:
    """Only the Arrow PyCapsule stream interface, nothing else."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self._table.__arrow_c_stream__(requested_schema)


def test_any_arrow_c_stream_object_is_read(frame):
    table = pa.Table.from_pandas(frame, preserve_index=False)
    _same(mk.read_caseload(_Stream(table)), mk.read_caseload(frame))


def test_arrow_errors_name_the_row_and_field():
    table = pa.table({"client_id": ["a", "b"], "age": [30, 12]})
    with pytest.raises(mk.RecordErrors, match=r"row 1 \(client_id b\): age=12"):
        mk.read_caseload(table)


def test_text_number_in_a_dataframe_gets_a_clear_message():
    frame = pd.DataFrame({"client_id": ["a"], "age": ["58"]})
    _, errors = mk.validate_caseload(frame)
    assert [(e.field, e.value) for e in errors] == [("age", "58")]
    assert "as a number, not text" in errors[0].allowed
    assert "pd.to_numeric" in errors[0].allowed


def _expected_export() -> mk.Caseload:
    common = {"household": "single", "zrm": {}}
    rows = [
        dict(  # noqa: C408
            client_id="k-1001", age=58, gender="female", children=0, months_on_assistance=62,
             dutch_level="B1", education="mbo2", work_experience_years=12.5,
             wants_paid_work=True, can_work_in_group=True, motivation="high",
             psych_complaints="none", interests=["care", "sustainability"],
             zrm={"finances": 3, "housing": 4, "mental_health": 4, "social_network": 3}),
        dict(  # noqa: C408
            client_id="k-1002", age=34, gender="male", household="couple", children=2,
             months_on_assistance=30, dutch_level="A2", education="vmbo",
             work_experience_years=3.0, wants_paid_work=False, motivation="some",
             psych_complaints="mild", interests=["technical"],
             zrm={"finances": 2, "housing": 3, "mental_health": 3, "social_network": 2}),
        dict(  # noqa: C408
            client_id="k-1003", age=47, gender="female", children=1, months_on_assistance=96,
             education="none", work_experience_years=0.5, can_work_in_group=False,
             motivation="low", psych_complaints="moderate",
             zrm={"finances": 1, "housing": 2, "mental_health": 2, "social_network": 2}),
        dict(  # noqa: C408
            client_id="k-1004", age=61, gender="male", children=0, months_on_assistance=120,
             dutch_level="B2", education="havo_vwo", work_experience_years=30.0,
             wants_paid_work=True, can_work_in_group=True, motivation="high",
             psych_complaints="none", interests=["sustainability", "logistics"],
             zrm={"finances": 3, "housing": 5, "mental_health": 4, "social_network": 4}),
    ]  # fmt: skip
    return mk.Caseload.from_profiles(mk.ClientProfile(**(common | r)) for r in rows)


def test_shipped_dutch_export_reads_with_its_mapping_file():
    text = EXPORT.read_text(encoding="utf-8")
    assert ";" in text.splitlines()[0] and "12,5" in text and ";ja;" in text
    _same(mk.read_caseload(EXPORT, columns=MAPPING), _expected_export())


@pytest.mark.slow
def test_shipped_dutch_export_through_the_command_line(tmp_path, capsys):
    shutil.copy(EXPORT, tmp_path)
    shutil.copy(MAPPING, tmp_path)
    export, mapping = str(tmp_path / EXPORT.name), str(tmp_path / MAPPING.name)
    assert main(["validate", "clients", export, "--columns", mapping]) == 0
    assert "4 clients, all valid" in capsys.readouterr().out
    code = main(["recommend", "--clients", export, "--columns", mapping, "--format", "csv"])
    assert code == 0
    assert "k-1004" in capsys.readouterr().out


def test_without_the_mapping_the_error_lists_the_accepted_columns(capsys):
    assert main(["validate", "clients", str(EXPORT)]) == 2
    err = capsys.readouterr().err
    assert "Klantnummer" in err and "Leeftijd" in err
    assert "client_id, age, gender" in err and "social_network" in err


def test_semicolon_file_with_decimal_comma_and_dutch_labels_needs_no_mapping(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "client_id;age;gender;wants_paid_work;work_experience_years;part_time_income_eur;"
        "motivation;interests\n"
        "a;40;vrouw;Ja;2,5;0;enige;zorg|kinderopvang\n"
        "b;50;man;nee;1,5;6.234,5;;\n"
    )
    frame = mk.read_caseload(path).frame
    assert frame["gender"].tolist() == ["female", "male"]
    assert frame["wants_paid_work"].tolist() == [True, False]
    assert frame["work_experience_years"].tolist() == [2.5, 1.5]
    assert frame["part_time_income_eur"].tolist() == [0.0, 6234.5]
    assert frame["motivation"].astype(object).tolist()[0] == "some"
    assert frame["interests"].tolist() == [["care", "childcare"], None]


def test_sep_and_decimal_can_be_given(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("client_id\tage\twork_experience_years\na\t40\t2,5\n")
    frame = mk.read_caseload(path, sep="\t", decimal=",").frame
    assert frame["work_experience_years"].tolist() == [2.5]


def test_column_mapping_as_a_dict_for_a_dataframe():
    raw = pd.DataFrame({"Klant": ["a"], "Leeftijd": [44], "Geslacht": ["V"]})
    mapping = {"columns": {"Klant": "client_id", "Leeftijd": "age", "Geslacht": "gender"},
               "values": {"gender": {"V": "female"}}}  # fmt: skip
    frame = mk.read_caseload(raw, columns=mapping).frame
    assert (frame.loc[0, "client_id"], frame.loc[0, "age"], frame.loc[0, "gender"]) == (
        "a",
        44,
        "female",
    )
    plain = mk.read_caseload(raw[["Klant", "Leeftijd"]], columns={"Klant": "client_id",
                                                                 "Leeftijd": "age"})  # fmt: skip
    assert plain.client_ids == ["a"]


def test_a_mapping_to_an_unknown_field_is_a_parameter_error():
    with pytest.raises(mk.ParameterError, match="leeftijd, not a field"):
        mk.read_caseload(pd.DataFrame({"x": [1]}), columns={"x": "leeftijd"})


def test_lists_are_written_with_a_bar_and_both_forms_are_read(tmp_path):
    cl = mk.Caseload.from_profiles(
        [mk.ClientProfile(client_id="a", age=30, interests=["care", "technical"])]
    )
    path = mk.write_caseload(cl, tmp_path / "c.csv")
    assert "care|technical" in path.read_text()
    _same(mk.read_caseload(path), cl)
    old = tmp_path / "old.csv"
    old.write_text('client_id,age,interests\na,30,"care;technical"\n')
    _same(mk.read_caseload(old), cl)


def test_schema_names_every_field_and_every_zrm_domain(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    props = schema["properties"]
    contract = [f for f in mk.Caseload.from_profiles([]).frame.columns if not f.startswith("zrm_")]
    assert set(contract) <= set(props)
    zrm = props["zrm"]["properties"]
    assert set(zrm) == {
        c[4:] for c in mk.Caseload.from_profiles([]).frame.columns if c.startswith("zrm_")
    }
    assert zrm["housing"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "Huisvesting",
    }
    assert props["zrm"]["additionalProperties"] is False
    assert all("description" in props[f] for f in contract)
