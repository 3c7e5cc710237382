"""The synthetic population hits its calibration targets and has the documented correlations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from matchkit._fields import STORED_FIELDS, ZRM_COLUMNS
from matchkit.synth import CALIBRATION_TARGETS, DEFAULT_UNKNOWN_RATES, generate_caseload

STATISTICS: dict[str, Callable[[pd.DataFrame], float]] = {
    "long_term": lambda t: float((t["months_on_assistance"] >= 24).mean()),
    "female": lambda t: float((t["gender"] == "female").mean()),
    "non_western": lambda t: float((t["migration_background"] == "non_western").mean()),
    "aged_55_plus": lambda t: float((t["age"] >= 55).mean()),
}
TARGET_COLUMNS = {
    "long_term": "months_on_assistance",
    "female": "gender",
    "non_western": "migration_background",
    "aged_55_plus": "age",
}


def test_every_calibration_target_has_a_statistic_and_a_source():
    assert set(STATISTICS) == set(TARGET_COLUMNS) == set(CALIBRATION_TARGETS)
    assert all(target.source for target in CALIBRATION_TARGETS.values())


@pytest.mark.parametrize("name", sorted(CALIBRATION_TARGETS))
def test_the_national_mix_hits_the_calibration_target(truth, name):
    target = CALIBRATION_TARGETS[name]
    assert STATISTICS[name](truth) == pytest.approx(target.value, abs=target.tolerance)


@pytest.mark.parametrize("name", sorted(CALIBRATION_TARGETS))
def test_the_observed_known_values_hit_the_calibration_target_too(observed, name):
    # Unknowns are missing completely at random, so the known values stay representative.
    target = CALIBRATION_TARGETS[name]
    known = observed[observed[TARGET_COLUMNS[name]].notna()]
    assert STATISTICS[name](known) == pytest.approx(target.value, abs=2 * target.tolerance)


def codes(series: pd.Series) -> pd.Series:
    return series.cat.codes.astype(float)


def test_older_clients_have_been_on_assistance_longer(truth):
    correlation = truth["age"].astype(float).corr(truth["months_on_assistance"].astype(float))
    assert correlation > 0.2
    old, young = truth["age"] >= 55, truth["age"] < 35
    assert (truth.loc[old, "months_on_assistance"] >= 24).mean() > (
        truth.loc[young, "months_on_assistance"] >= 24
    ).mean() + 0.15


def test_a_non_western_background_goes_with_less_education_and_less_dutch(truth):
    non_western = truth["migration_background"] == "non_western"
    native = truth["migration_background"] == "none"
    assert codes(truth["education"])[non_western].mean() < codes(truth["education"])[native].mean()
    low_dutch = truth["dutch_level"] <= "A2"
    assert low_dutch[non_western].mean() > low_dutch[native].mean() + 0.3


def test_a_non_western_background_goes_with_other_languages(truth):
    speaks_other = truth["other_languages"].map(len) > 0
    background = truth["migration_background"]
    assert speaks_other[background == "non_western"].mean() > 0.8
    assert speaks_other[background == "none"].mean() < 0.2


def test_education_and_dutch_level_go_together(truth):
    assert codes(truth["education"]).corr(codes(truth["dutch_level"])) > 0.1


def test_zrm_mental_health_falls_with_psychological_complaints(truth):
    means = truth.groupby("psych_complaints", observed=True)["zrm_mental_health"].mean()
    assert list(means.index) == ["none", "mild", "moderate", "severe"]
    assert means.is_monotonic_decreasing
    assert means["none"] - means["severe"] > 2


@pytest.mark.parametrize(
    "column", ["zrm_work_education", "zrm_community_participation", "work_capacity_pct"]
)
def test_the_participation_ladder_rises_with_zrm_and_work_capacity(truth, column):
    ladder = truth["participation_ladder"].astype(float)
    assert ladder.corr(truth[column].astype(float)) > 0.2


def test_zrm_domains_mostly_correlate_positively(truth):
    zrm = truth[list(ZRM_COLUMNS)].astype(float)
    upper = zrm.corr().to_numpy()[np.triu_indices(len(ZRM_COLUMNS), 1)]
    assert (upper > -0.05).all()
    assert upper.mean() > 0.05


def test_single_parents_are_mostly_women(truth):
    single_parent = (truth["household"] == "single") & (truth["children"] > 0)
    assert (truth.loc[single_parent, "gender"] == "female").mean() > 0.8


def test_couples_are_more_common_with_a_non_western_background(truth):
    couple = truth["household"] == "couple"
    background = truth["migration_background"]
    assert couple[background == "non_western"].mean() > couple[background == "none"].mean()


def test_work_experience_grows_with_human_capital(truth):
    education = codes(truth["education"])
    assert education.corr(truth["work_experience_years"]) > 0.05


def test_social_skills_and_working_in_a_group_go_together(truth):
    group = truth["can_work_in_group"].astype(float)
    by_level = group.groupby(truth["social_skills"], observed=True).mean()
    assert by_level.is_monotonic_increasing


@pytest.mark.parametrize(
    ("more", "less", "share"),
    [
        ("Zaanstad", "Heerde", lambda t: (t["migration_background"] == "non_western").mean()),
        ("Utrecht", "Epe", lambda t: (t["migration_background"] == "non_western").mean()),
        ("Sittard-Geleen", "Utrecht", lambda t: (t["age"] >= 55).mean()),
        ("Epe", "Utrecht", lambda t: t["has_transport"].mean()),
    ],
    ids=["non-western-zaanstad", "non-western-utrecht", "older-sittard", "transport-rural"],
)
def test_municipalities_have_their_own_mix(more, less, share):
    high = generate_caseload(8_000, seed=1, municipality=more, return_truth=True)[1].frame
    low = generate_caseload(8_000, seed=1, municipality=less, return_truth=True)[1].frame
    assert share(high) > share(low) + 0.05


RATE_FIELDS = [n for n in STORED_FIELDS if n in DEFAULT_UNKNOWN_RATES and not n.startswith("zrm")]


def unknown_share(observed: pd.DataFrame, truth: pd.DataFrame, name: str) -> float:
    defined = truth[name].notna()
    return float(observed.loc[defined, name].isna().mean())


@pytest.mark.parametrize("name", RATE_FIELDS)
def test_default_unknown_rates_are_honoured(caseload, name):
    observed, truth = caseload
    share = unknown_share(observed, truth, name)
    assert share == pytest.approx(DEFAULT_UNKNOWN_RATES[name], abs=0.015)


def test_soft_facts_are_unknown_far_more_often_than_hard_facts(observed):
    soft = ["motivation", "interests", "social_skills", "independence", "can_work_in_group"]
    hard = ["age", "months_on_assistance", "household", "children"]
    assert observed[soft].isna().mean().min() >= 0.3
    assert observed[hard].isna().mean().max() <= 0.03


def test_a_quarter_of_clients_have_no_zrm_and_single_domains_are_sometimes_missing(caseload):
    observed, _ = caseload
    zrm_missing = observed[list(ZRM_COLUMNS)].isna()
    whole = zrm_missing.all(axis=1)
    assert whole.mean() == pytest.approx(DEFAULT_UNKNOWN_RATES["zrm"], abs=0.015)
    partial = zrm_missing[~whole]
    for column in ZRM_COLUMNS:
        assert partial[column].mean() == pytest.approx(DEFAULT_UNKNOWN_RATES[column], abs=0.015)


@pytest.mark.slow
def test_overridden_unknown_rates_are_honoured():
    rates = {"motivation": 0.0, "interests": 1.0, "education": 0.6, "zrm": 0.5, "zrm_housing": 0.2}
    generated = generate_caseload(20_000, seed=11, unknown_rates=rates, return_truth=True)
    observed, truth = generated[0].frame, generated[1].frame
    assert observed["motivation"].notna().all()
    assert observed["interests"].isna().all()
    assert observed["education"].isna().mean() == pytest.approx(0.6, abs=0.015)
    assert observed[list(ZRM_COLUMNS)].isna().all(axis=1).mean() == pytest.approx(0.5, abs=0.015)
    housing = observed["zrm_housing"].isna().mean()
    assert housing == pytest.approx(0.5 + 0.5 * 0.2, abs=0.015)
    assert observed["dutch_level"].isna().mean() == pytest.approx(
        DEFAULT_UNKNOWN_RATES["dutch_level"], abs=0.015
    )
    assert truth["interests"].notna().all()
