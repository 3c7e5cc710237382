"""Recommending with learned effects: rules stay hard, scores become gains, reasons say so."""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchkit as mk
from matchkit.errors import DataQualityWarning, OverlapWarning, ParameterError
from tests.learn.sim import simulate_history
from tests.strategies import profile_records

pytestmark = pytest.mark.slow  # fits models on thousands of rows


CATALOG = mk.load_catalog()
LEARNED = ("fip", "app", "top", "energiebox")  # energiebox made thin below


@lru_cache(maxsize=1)
def learned_model():
    history = simulate_history(2500, seed=5, k=4, ids=LEARNED)
    approach = history.approach.copy()
    box = np.flatnonzero((approach == "energiebox").fillna(False).to_numpy(dtype=bool))
    approach.iloc[box[40:]] = None  # 40 participants: thin
    history = mk.learn.History(history.caseload, approach, history.outcomes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        return mk.fit_effects(history, "exit_12m")


@lru_cache(maxsize=1)
def recommenders():
    return mk.Recommender(CATALOG), mk.Recommender(CATALOG, effects=learned_model())


def _profiles(records):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        return [
            mk.ClientProfile.model_validate(dict(r, client_id=f"c{i}"))
            for i, r in enumerate(records)
        ]


@given(st.lists(profile_records(), min_size=1, max_size=12).map(_profiles))
@pytest.mark.slow
def test_statuses_are_unchanged_when_effects_are_given(profiles):
    plain, learned = recommenders()
    before = plain.recommend_batch(profiles)
    after = learned.recommend_batch(profiles)
    np.testing.assert_array_equal(before.status, after.status)
    assert ((after.rank == 0) == (after.status == 0)).all()
    assert ((after.score >= 0) & (after.score <= 1)).all()


@pytest.mark.slow
def test_statuses_are_unchanged_on_a_generated_caseload():
    plain, learned = recommenders()
    caseload = mk.generate_caseload(500, seed=3)
    np.testing.assert_array_equal(
        plain.recommend_batch(caseload).status, learned.recommend_batch(caseload).status
    )


def test_the_score_is_the_gain_where_evidence_is_enough_and_the_catalog_where_thin():
    _, learned = recommenders()
    model = learned_model()
    result = learned.recommend_batch(mk.generate_caseload(300, seed=4))
    info = result.learned
    assert info is not None
    ids = list(result.approach_ids)
    fip, box, zorg = ids.index("fip"), ids.index("energiebox"), ids.index("opleiden-in-de-zorg")
    n_fip = model.n_participants_["fip"]
    assert info.weight[fip] == pytest.approx(n_fip / (n_fip + model.min_participants))
    assert info.weight[box] == 0.0 and info.thin[box]
    assert info.weight[zorg] == 0.0 and info.participants[zorg] == 0
    expected = info.weight[fip] * info.effect[:, fip] + (1 - info.weight[fip]) * (
        info.kappa * result.catalog_score[:, fip]
    )
    np.testing.assert_allclose(info.gain[:, fip], expected)
    np.testing.assert_allclose(info.gain[:, box], info.kappa * result.catalog_score[:, box])


@pytest.mark.parametrize(
    ("lang", "learned_text", "thin_text", "absent_text", "similar_text"),
    [
        (
            "en",
            "past participants",
            "Too few past participants (40)",
            "No past participants",
            "most similar past participants",
        ),
        (
            "nl",
            "eerdere deelnemers",
            "Te weinig eerdere deelnemers (40)",
            "Geen eerdere deelnemers",
            "meest vergelijkbare eerdere deelnemers",
        ),
    ],
)
@pytest.mark.slow
def test_reasons_say_which_score_applies_on_how_many_participants(
    lang, learned_text, thin_text, absent_text, similar_text
):
    _, learned = recommenders()
    model = learned_model()
    caseload = mk.generate_caseload(50, seed=8)
    result = learned.recommend_batch(caseload)
    recs = {r.approach_id: r for r in result.recommendations(0, include_ineligible=True, lang=lang)}
    fip = " ".join(recs["fip"].reasons)
    assert learned_text in fip and str(model.n_participants_["fip"]) in fip
    assert "95%" in fip and similar_text in fip
    assert recs["fip"].effect is not None and recs["fip"].effect_ci is not None
    low, high = recs["fip"].effect_ci
    assert low < recs["fip"].effect < high
    assert thin_text in " ".join(recs["energiebox"].reasons)
    assert recs["energiebox"].effect is None
    assert absent_text in " ".join(recs["buurt-mv"].reasons)
    everything = " ".join(" ".join(r.reasons) for r in recs.values())
    assert "syn-" not in everything  # no past (or present) client ids, only counts


@pytest.mark.slow
def test_one_client_gets_its_batch_result():
    _, learned = recommenders()
    caseload = mk.generate_caseload(30, seed=9)
    batch = learned.recommend_batch(caseload)
    client = next(caseload.take(np.array([7])).profiles())
    one = learned.recommend(client, include_ineligible=True)
    assert [r.approach_id for r in one] == [
        r.approach_id for r in batch.recommendations(7, include_ineligible=True)
    ]
    assert [r.score for r in one] == [
        r.score for r in batch.recommendations(7, include_ineligible=True)
    ]


def test_remaining_ties_are_broken_by_catalog_score_then_approach_id():
    from matchkit.recommend._recommender import _rank

    status = np.array([[2, 2, 2, 1]], dtype=np.int8)
    gain = np.array([[0.1, 0.1, 0.1, 0.3]])
    catalog = np.array([[0.2, 0.5, 0.2, 0.0]])
    assert _rank(status, gain, tiebreak=catalog).tolist() == [[3, 2, 4, 1]]


def test_capacity_prices_are_outcome_gains_per_extra_place():
    _, learned = recommenders()
    result = learned.recommend_batch(mk.generate_caseload(400, seed=10))
    plan = mk.plan_assignment(result, include_verify=True, capacity={"fip": 10})
    assert result.learned is not None and result.learned.scale == 1.0
    price = float(
        plan.summary["capacity_price"].to_numpy(dtype=float)[list(plan.summary.index).index("fip")]
    )
    assigned = plan.assignments["approach_id"].to_numpy(dtype=object) == "fip"
    # One more place is worth at most the best unassigned fip candidate's gain.
    fip = list(result.approach_ids).index("fip")
    allowed = result.status[:, fip] > 0
    assert 0 <= price <= result.score[allowed & ~assigned, fip].max() + 1e-9


@pytest.mark.slow
def test_an_effect_model_fitted_on_a_plain_frame_is_refused(rng):
    import pandas as pd

    df = pd.DataFrame({"x": rng.normal(size=300), "t": rng.integers(0, 2, 300)})
    df["y"] = df["x"] + df["t"] + rng.normal(size=300)
    model = mk.fit_effects(df, "y", treatment="t")
    with pytest.raises(
        ParameterError, match="effects: expected an EffectModel fitted on a History"
    ):
        mk.Recommender(CATALOG, effects=model)
