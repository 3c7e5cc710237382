"""The planted outcome model: shapes, bounds, its grounding in the report and its orderings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matchkit.synth import generate_caseload
from matchkit.synth._outcome import (
    APPROACH_IDS,
    GENERIC_LIFT,
    HARD_MISS,
    PLANTED_EFFECTS,
    REFERENCE_BASELINE,
    approach_fit,
    baseline_probability,
    calibrate_lift,
    outcome_probabilities,
)

SEVEN = (
    "opleiden-in-de-zorg",
    "buurt-mv",
    "energiebox",
    "fip",
    "app",
    "aandacht-doet-bewegen",
    "top",
)


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


@pytest.fixture(scope="module")
def probabilities(truth) -> np.ndarray:
    return outcome_probabilities(truth, list(SEVEN))


def test_the_seven_approaches_of_the_report_have_a_planted_effect():
    assert APPROACH_IDS == SEVEN
    assert all(effect.basis.startswith(("§", "assumption")) for effect in PLANTED_EFFECTS.values())


@pytest.mark.slow
def test_there_is_one_column_per_approach_plus_no_approach(truth, probabilities):
    assert probabilities.shape == (len(truth), len(SEVEN) + 1)
    assert outcome_probabilities(truth, []).shape == (len(truth), 1)


@pytest.mark.slow
def test_probabilities_lie_strictly_between_0_and_1(probabilities):
    assert np.isfinite(probabilities).all()
    assert ((probabilities > 0) & (probabilities < 1)).all()


@pytest.mark.slow
def test_the_last_column_is_the_no_approach_baseline(truth, probabilities):
    np.testing.assert_allclose(probabilities[:, -1], baseline_probability(truth))


def test_the_result_is_deterministic(truth, probabilities):
    np.testing.assert_array_equal(outcome_probabilities(truth, list(SEVEN)), probabilities)


def test_columns_follow_the_requested_order_and_repeat_for_repeated_ids(truth, probabilities):
    again = outcome_probabilities(truth, ["top", "energiebox", "top"])
    np.testing.assert_array_equal(again[:, 0], probabilities[:, SEVEN.index("top")])
    np.testing.assert_array_equal(again[:, 1], probabilities[:, SEVEN.index("energiebox")])
    np.testing.assert_array_equal(again[:, 2], again[:, 0])


@pytest.mark.parametrize("approach_id", SEVEN)
def test_no_approach_makes_things_worse(probabilities, approach_id):
    gain = probabilities[:, SEVEN.index(approach_id)] - probabilities[:, -1]
    assert (gain >= 0).all()
    assert gain.max() > 0.02


def test_an_unknown_approach_gets_the_baseline_plus_the_generic_gain(truth):
    result = outcome_probabilities(truth, ["my-own-approach"])
    np.testing.assert_allclose(logit(result[:, 0]) - logit(result[:, 1]), GENERIC_LIFT)


@pytest.mark.parametrize("approach_id", SEVEN)
def test_fully_fitting_clients_reach_the_reported_result(truth, approach_id):
    # Lifts were calibrated on seed 0; this caseload has another seed.
    effect = PLANTED_EFFECTS[approach_id]
    full = approach_fit(truth, approach_id) >= 1
    assert full.sum() >= 100
    p = outcome_probabilities(truth[full], [approach_id])
    value = p[:, 0].mean() - (p[:, 1].mean() if effect.measure == "gain" else 0.0)
    assert value == pytest.approx(effect.rate, abs=0.03)


def test_the_baseline_of_long_term_clients_matches_the_reference(truth, probabilities):
    long_term = (truth["months_on_assistance"] >= 24).to_numpy()
    assert probabilities[long_term, -1].mean() == pytest.approx(REFERENCE_BASELINE, abs=0.015)
    assert probabilities[~long_term, -1].mean() > probabilities[long_term, -1].mean()


@pytest.mark.parametrize("approach_id", SEVEN)
def test_fit_lies_between_0_and_1_and_varies(truth, approach_id):
    fit = approach_fit(truth, approach_id)
    assert ((fit >= 0) & (fit <= 1)).all()
    assert fit.min() < HARD_MISS
    assert fit.max() == 1.0


def test_the_gain_scales_with_fit(truth, probabilities):
    for approach_id in SEVEN:
        fit = approach_fit(truth, approach_id)
        gain = logit(probabilities[:, SEVEN.index(approach_id)]) - logit(probabilities[:, -1])
        np.testing.assert_allclose(gain, fit * PLANTED_EFFECTS[approach_id].lift, atol=1e-9)


def changed(frame: pd.DataFrame, rows: pd.Series, **values: object) -> pd.DataFrame:
    out = frame[rows.to_numpy()].copy()
    for column, value in values.items():
        out[column] = pd.Series([value] * len(out), index=out.index).astype(frame[column].dtype)
    return out


def energiebox_group(truth: pd.DataFrame) -> pd.Series:
    return (
        (truth["age"] >= 50)
        & (truth["social_skills"] == "high")
        & truth["interests"].map(lambda xs: "sustainability" in xs)
        & truth["wants_paid_work"]
    )


def gain(frame: pd.DataFrame, approach_id: str) -> np.ndarray:
    p = outcome_probabilities(frame, [approach_id])
    return p[:, 0] - p[:, 1]


def test_energiebox_helps_older_socially_strong_sustainability_people_most(truth):
    group = energiebox_group(truth)
    assert group.sum() >= 100
    assert gain(truth[group.to_numpy()], "energiebox").mean() > 0.4
    assert gain(truth[~group.to_numpy()], "energiebox").mean() < 0.05


def test_energiebox_gain_shrinks_when_the_same_people_are_younger(truth):
    group = energiebox_group(truth)
    before = gain(truth[group.to_numpy()], "energiebox")
    after = gain(changed(truth, group, age=45), "energiebox")
    assert (after < before).all()


def test_the_baseline_is_lower_for_49_plus(truth, probabilities):
    older = (truth["age"] >= 49).to_numpy()
    assert probabilities[older, -1].mean() < probabilities[~older, -1].mean()
    men_49 = (truth["age"] >= 49) & (truth["gender"] == "male")
    before = baseline_probability(truth[men_49.to_numpy()])
    after = baseline_probability(changed(truth, men_49, age=48))
    assert (after > before).all()


def test_the_baseline_is_lower_for_married_women_under_50(truth):
    women = (truth["gender"] == "female") & (truth["household"] == "couple") & (truth["age"] < 50)
    before = baseline_probability(truth[women.to_numpy()])
    assert (baseline_probability(changed(truth, women, gender="male")) > before).all()
    assert (baseline_probability(changed(truth, women, household="single")) > before).all()


def test_the_baseline_is_lower_with_little_education_and_work_experience(truth):
    everyone = pd.Series(True, index=truth.index)
    low = baseline_probability(changed(truth, everyone, education="primary"))
    high = baseline_probability(changed(truth, everyone, education="mbo3"))
    assert (low < high).all()
    worked = truth["years_since_last_job"].notna()
    short = baseline_probability(changed(truth, worked, work_experience_years=0.5))
    long = baseline_probability(changed(truth, worked, work_experience_years=10.0))
    assert (short < long).all()


def test_the_baseline_is_higher_in_rural_municipalities(truth):
    everyone = pd.Series(True, index=truth.index)
    rural = baseline_probability(changed(truth, everyone, municipality="Epe"))
    student_city = baseline_probability(changed(truth, everyone, municipality="Utrecht"))
    assert (rural > student_city).all()


def test_top_prefers_single_parents_without_heavy_problems(truth):
    eligible = truth["wants_paid_work"] & truth["can_work_in_group"]
    single_parent = (truth["household"] == "single") & (truth["children"] > 0)
    fit = approach_fit(truth, "top")
    assert (
        fit[(eligible & single_parent).to_numpy()].mean()
        > fit[(eligible & ~single_parent).to_numpy()].mean()
    )
    assert fit[(~eligible).to_numpy()].max() <= HARD_MISS


def test_aandacht_doet_bewegen_is_for_people_with_psychological_complaints(truth):
    fit = approach_fit(truth, "aandacht-doet-bewegen")
    without = (truth["psych_complaints"] == "none").to_numpy()
    assert fit[without].max() <= HARD_MISS
    assert fit[~without].max() == 1.0


def test_outcomes_depend_on_true_values_not_on_what_is_recorded():
    rates = {"motivation": 1.0, "interests": 1.0, "social_skills": 1.0, "zrm": 1.0}
    _, truth = generate_caseload(3_000, seed=4, return_truth=True)
    _, truth_hidden = generate_caseload(3_000, seed=4, unknown_rates=rates, return_truth=True)
    np.testing.assert_array_equal(
        outcome_probabilities(truth, list(SEVEN)), outcome_probabilities(truth_hidden, list(SEVEN))
    )


def test_an_observed_frame_with_unknown_facts_is_refused(observed):
    with pytest.raises(ValueError, match="truth frame"):
        outcome_probabilities(observed, ["top"])


def test_a_frame_without_the_contract_columns_is_refused(truth):
    with pytest.raises(ValueError, match="lacks column"):
        outcome_probabilities(truth.drop(columns=["age"]), ["top"])


def test_a_single_string_is_not_taken_for_a_list_of_ids(truth):
    with pytest.raises(ValueError, match="sequence of ids"):
        outcome_probabilities(truth, "top")


def test_approach_fit_names_the_seven_for_an_unknown_id(truth):
    with pytest.raises(KeyError, match="energiebox"):
        approach_fit(truth, "my-own-approach")


@pytest.mark.slow
def test_the_planted_lifts_are_what_calibration_gives():
    _, truth = generate_caseload(200_000, seed=0, return_truth=True)
    solved = {approach_id: calibrate_lift(truth, approach_id) for approach_id in SEVEN}
    planted = {approach_id: PLANTED_EFFECTS[approach_id].lift for approach_id in SEVEN}
    assert solved == pytest.approx(planted, abs=0.1)


def test_an_unknown_youngest_child_age_of_a_parent_is_refused(truth):
    frame = truth.copy()
    parent = frame.index[frame["children"] > 0][0]
    frame.loc[parent, "youngest_child_age"] = pd.NA
    with pytest.raises(ValueError, match="youngest_child_age"):
        outcome_probabilities(frame, ["top"])
