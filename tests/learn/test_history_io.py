"""Histories in and out: the caseload's IO and validation plus the history columns."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.errors import DataQualityWarning, ParameterError


@pytest.fixture(scope="module")
def history() -> mk.History:
    return mk.generate_history(400, seed=3)


@pytest.mark.parametrize("ext", ["jsonl", "csv", "parquet"])
@pytest.mark.slow
def test_a_written_history_reads_back_the_same(history, tmp_path, ext):
    path = mk.write_history(history, tmp_path / f"h.{ext}")
    back = mk.read_history(path, binary=["exit_12m"], catalog=mk.load_catalog())
    pd.testing.assert_frame_equal(back.caseload.frame, history.caseload.frame, check_dtype=False)
    assert back.approach.isna().sum() == history.approach.isna().sum()
    assert (back.approach.fillna("") == history.approach.fillna("")).all()
    np.testing.assert_allclose(back.outcomes.to_numpy(), history.outcomes.to_numpy())
    assert back.start_date is not None and history.start_date is not None
    assert (back.start_date.dt.date == history.start_date.dt.date).all()
    assert back.binary_outcomes == ("exit_12m",)
    assert back.truth is None  # the planted truth is never written


def test_a_frame_is_a_history_and_outcomes_default_to_the_extra_columns(history):
    back = mk.read_history(history.frame)
    assert list(back.outcomes.columns) == ["exit_12m", "ladder_change"]
    assert len(back) == len(history)


def test_every_bad_record_is_reported_and_the_good_ones_kept(history):
    frame = history.frame.copy()
    frame["approach_id"] = frame["approach_id"].astype(object)
    frame.loc[3, "exit_12m"] = 2.0
    frame.loc[5, "exit_12m"] = np.nan
    frame.loc[6, "exit_12m"] = np.nan
    frame.loc[7, "approach_id"] = "no-such-approach"
    frame.loc[9, "age"] = 12
    with pytest.raises(mk.RecordErrors) as info:
        mk.read_history(frame, binary=["exit_12m"], catalog=mk.load_catalog())
    err = info.value
    by_field = {(e.record.split(" (")[0], e.field) for e in err.errors}
    assert by_field == {
        ("row 3", "exit_12m"),
        ("row 5", "exit_12m"),
        ("row 6", "exit_12m"),
        ("row 7", "approach_id"),
        ("row 9", "age"),
    }
    nan_errors = [e for e in err.errors if e.value is None]
    assert all("2 record(s) lack exit_12m" in e.allowed for e in nan_errors)
    assert "client_id syn-0000008" in str(err)
    assert "fip" in str(err)  # the allowed ids are named
    valid = err.valid
    assert isinstance(valid, mk.History)
    assert len(valid) == len(history) - 5
    kept = set(valid.caseload.client_ids)
    assert "syn-0000004" not in kept and "syn-0000005" in kept
    # the good rows keep their own history columns (alignment after dropping bad rows)
    want = history.frame.set_index("client_id").loc[valid.caseload.client_ids]
    np.testing.assert_allclose(valid.outcomes["exit_12m"], want["exit_12m"])
    assert (valid.approach.fillna("") == want["approach_id"].fillna("").to_numpy()).all()


def test_without_a_catalog_any_approach_id_is_accepted(history):
    frame = history.frame.copy()
    frame["approach_id"] = frame["approach_id"].astype(object)
    frame.loc[0, "approach_id"] = "job-coaching"
    back = mk.read_history(frame)
    assert back.approach.iloc[0] == "job-coaching"
    assert "job-coaching" in back.approach_ids


def test_a_missing_outcome_column_is_named(history):
    with pytest.raises(mk.RecordErrors, match="exit_6m") as info:
        mk.read_history(history.frame, outcomes=["exit_6m"])
    assert info.value.errors[0].record == "header"
    assert "exit_12m" in str(info.value)  # the columns that are there


def test_a_missing_treatment_column_is_named(history):
    with pytest.raises(mk.RecordErrors, match="approach_id"):
        mk.read_history(history.frame.drop(columns=["approach_id"]))


def test_no_outcome_column_at_all_is_an_error(history):
    frame = history.frame.drop(columns=["exit_12m", "ladder_change", "start_date"])
    with pytest.raises(mk.RecordErrors, match="outcome"):
        mk.read_history(frame)


def test_columns_not_named_as_outcomes_are_not_read_silently(history):
    with pytest.warns(DataQualityWarning, match="ladder_change"):
        back = mk.read_history(history.frame, outcomes=["exit_12m"])
    assert list(back.outcomes.columns) == ["exit_12m"]


def test_csv_text_is_parsed_and_bad_cells_reported(tmp_path, history):
    path = mk.write_history(history, tmp_path / "h.csv")
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("exit_12m")
    cells = lines[1].split(",")
    cells[col] = "yes please"
    lines[1] = ",".join(cells)
    cells = lines[2].split(",")
    cells[col] = "true"
    lines[2] = ",".join(cells)
    date_col = header.index("start_date")
    cells = lines[3].split(",")
    cells[date_col] = "31-31-2020"
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(mk.RecordErrors) as info:
        mk.read_history(path, binary=["exit_12m"])
    records = [(e.record.split(" (")[0], e.field) for e in info.value.errors]
    assert records == [("line 2", "exit_12m"), ("line 4", "start_date")]
    assert info.value.valid.outcomes["exit_12m"].iloc[0] == 1.0  # "true" is 1


def test_jsonl_history_with_json_text_number_is_an_error(tmp_path):
    rec = {"client_id": "a", "age": 40, "approach_id": None, "exit_12m": "1"}
    ok = {"client_id": "b", "age": 41, "approach_id": "fip", "exit_12m": 0}
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps(rec) + "\n" + json.dumps(ok) + "\n")
    history, errors = mk.validate_history(path)
    assert [(e.record, e.field) for e in errors] == [("line 1 (client_id a)", "exit_12m")]
    assert history.caseload.client_ids == ["b"]
    assert history.approach.iloc[0] == "fip"


def test_non_binary_values_where_binary_is_expected(history):
    frame = history.frame.copy()
    frame.loc[[1, 2], "ladder_change"] = 0.5
    with pytest.raises(mk.RecordErrors, match="0 or 1"):
        mk.read_history(frame, binary=["exit_12m", "ladder_change"])


def test_bad_arguments_raise_parameter_errors(history, tmp_path):
    with pytest.raises(ParameterError, match="outcomes"):
        mk.read_history(history.frame, outcomes="exit_12m")
    with pytest.raises(ParameterError, match="binary"):
        mk.read_history(history.frame, outcomes=["exit_12m"], binary=["ladder_change"])
    with pytest.raises(ParameterError, match="format"):
        mk.write_history(history, tmp_path / "h.txt")


def test_an_empty_approach_is_usual_care(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("client_id,age,approach_id,exit_12m\na,30,,1\nb,31,top,0\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = mk.read_history(Path(path))
    assert history.approach.isna().tolist() == [True, False]
    assert history.approach_ids == ("top",)
