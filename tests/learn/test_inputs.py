"""Bad input: each problem is an error or a warning naming the column and the count."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matchkit.errors import DataQualityWarning, OverlapError, OverlapWarning, ParameterError
from matchkit.learn import fit_effects
from tests.learn.sim import simulate_history


def frame(rng, n=600, approaches=("a", "b")):
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, size=n).astype(float)
    which = rng.integers(0, len(approaches) + 1, size=n)
    labels = np.array([None, *approaches], dtype=object)[which]
    y = (rng.random(n) < 0.3 + 0.1 * (which > 0) + 0.1 * x2).astype(float)
    return pd.DataFrame({"x1": x1, "x2": x2, "approach_id": labels, "exit": y})


def test_a_missing_outcome_column_is_named(rng):
    with pytest.raises(ParameterError, match=r"outcome='work'.*columns"):
        fit_effects(frame(rng), outcome="work")


def test_a_missing_outcome_in_a_history_lists_the_outcomes():
    history = simulate_history(300, seed=1)
    with pytest.raises(ParameterError, match=r"outcome='work'.*exit_12m"):
        fit_effects(history, outcome="work")


def test_a_missing_treatment_column_is_named(rng):
    with pytest.raises(ParameterError, match="treatment='treat'"):
        fit_effects(frame(rng), outcome="exit", treatment="treat")


def test_non_binary_values_in_a_0_1_treatment_are_counted(rng):
    df = frame(rng).assign(treat=lambda d: d["approach_id"].notna().astype(int))
    df.loc[:4, "treat"] = 2
    with pytest.raises(ParameterError, match=r"'treat': 5 of 600 rows are not binary"):
        fit_effects(df.drop(columns="approach_id"), outcome="exit", treatment="treat")


def test_non_binary_outcome_values_are_counted_when_binary_is_expected(rng):
    df = frame(rng)
    df.loc[:2, "exit"] = 0.5
    with pytest.raises(ParameterError, match=r"'exit': 3 of 600 rows are not binary"):
        fit_effects(df, outcome="exit", binary=True)


@pytest.mark.slow
def test_nan_outcomes_are_counted_and_left_out_with_a_warning(rng):
    df = frame(rng)
    df.loc[:6, "exit"] = np.nan
    with pytest.warns(DataQualityWarning, match=r"'exit': 7 of 600 rows are NaN"):
        model = fit_effects(df, outcome="exit")
    assert sum(model.n_participants_.values()) == 593


def test_no_usual_care_rows_is_an_error(rng):
    df = frame(rng)
    df["approach_id"] = df["approach_id"].fillna("a")
    with pytest.raises(ParameterError, match="'approach_id': no usual-care rows"):
        fit_effects(df, outcome="exit")


@pytest.mark.slow
def test_a_thin_approach_is_flagged_and_said_so(rng):
    df = frame(rng)
    b = np.flatnonzero(df["approach_id"] == "b")
    df.loc[b[30:], "approach_id"] = None
    with pytest.warns(DataQualityWarning, match=r"'b' has 30 participants.*catalog score"):
        model = fit_effects(df, outcome="exit")
    assert model.thin_ == ("b",)
    assert model.summary().loc["b", "thin"]


@pytest.mark.slow
def test_an_approach_too_small_to_estimate_is_left_out_with_a_warning(rng):
    df = frame(rng)
    b = np.flatnonzero(df["approach_id"] == "b")
    df.loc[b[3:], "approach_id"] = None
    with pytest.warns(DataQualityWarning, match=r"'b' has 3 participant\(s\).*left out"):
        model = fit_effects(df, outcome="exit", min_participants=10)
    assert model.approach_ids_ == ("a",)


@pytest.mark.slow
def test_features_unknown_for_most_rows_are_named_with_their_count(rng):
    df = frame(rng)
    df.loc[:449, "x1"] = np.nan
    with pytest.warns(DataQualityWarning, match=r"'x1' \(450 of 600\)"):
        fit_effects(df, outcome="exit")


@pytest.mark.slow
def test_no_overlap_is_an_error_naming_the_approach(rng):
    df = frame(rng, approaches=("a",))
    df["approach_id"] = pd.Series(["a" if x > 0 else None for x in df["x1"]], dtype=object)
    with pytest.raises(OverlapError, match="'a' and usual care"):
        fit_effects(df, outcome="exit")


@pytest.mark.slow
def test_rows_without_overlap_are_trimmed_with_a_warning_naming_the_approach(rng):
    n = 2000
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-4 * x))
    treated = rng.random(n) < p
    df = pd.DataFrame({"x": x, "t": treated.astype(int), "y": rng.normal(size=n) + treated})
    with pytest.warns(OverlapWarning, match=r"'treated': \d+ rows \(\d+ of its \d+ participants"):
        model = fit_effects(df, outcome="y", treatment="t")
    trimmed = model.trimmed_["treated"]
    assert sum(trimmed.values()) == int((~model.kept_["treated"]).sum()) > 0
    assert model.ate().n == n - sum(trimmed.values())


@pytest.mark.filterwarnings("ignore::matchkit.errors.OverlapWarning")
def test_sensitive_features_need_a_written_justification():
    history = simulate_history(400, seed=2)
    with pytest.raises(ParameterError, match=r"\['gender'\].*justification"):
        fit_effects(history, "exit_12m", features=["age", "gender"])


@pytest.mark.filterwarnings("ignore::matchkit.errors.OverlapWarning")
@pytest.mark.slow
def test_a_justified_sensitive_feature_is_accepted_and_controls_may_hold_them():
    history = simulate_history(1500, seed=2)
    model = fit_effects(
        history,
        "exit_12m",
        features=["age", "gender"],
        justifications={"gender": "the approach is designed for mothers returning to work"},
    )
    assert "gender" in model.features_
    model = fit_effects(history, "exit_12m", features=["age"], controls=["gender"])
    assert model.controls_ == ["gender"]
    assert "gender=female" not in model.encoder_.basis_names_


@pytest.mark.filterwarnings("ignore::matchkit.errors.OverlapWarning")
@pytest.mark.slow
def test_default_features_on_a_history_leave_the_sensitive_fields_to_adjustment():
    model = fit_effects(simulate_history(1500, seed=3), "exit_12m")
    assert "gender" not in model.features_ and "migration_background" not in model.features_
    assert {"gender", "migration_background"} <= set(model.controls_)


@pytest.mark.parametrize(
    ("option", "value"), [("folds", 1), ("trim", 1.5), ("min_participants", 0), ("alpha", -1)]
)
def test_bad_options_raise_parameter_errors_naming_them(rng, option, value):
    with pytest.raises(ParameterError, match=option):
        fit_effects(frame(rng), outcome="exit", **{option: value})
