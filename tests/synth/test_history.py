"""Synthetic histories: confounded assignment with overlap, and a planted truth of their own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.recommend._scoring import INELIGIBLE
from matchkit.synth import HISTORY_APPROACH_IDS, planted_world


@pytest.fixture(scope="module")
def history() -> mk.History:
    return mk.generate_history(20_000, seed=11)


@pytest.fixture(scope="module")
def status(history) -> np.ndarray:
    catalog = mk.load_catalog()
    result = mk.Recommender(catalog).recommend_batch(history.caseload)
    return result.status[:, [catalog.ids.index(a) for a in HISTORY_APPROACH_IDS]]


@pytest.mark.slow
def test_same_seed_same_history_other_seed_other_history():
    a, b = mk.generate_history(500, seed=4), mk.generate_history(500, seed=4)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.truth is not None and b.truth is not None
    np.testing.assert_array_equal(a.truth.treated, b.truth.treated)
    c = mk.generate_history(500, seed=5)
    assert not a.outcomes.equals(c.outcomes)


@pytest.mark.slow
def test_the_caseload_is_that_of_generate_caseload():
    history = mk.generate_history(300, seed=2)
    caseload = mk.generate_caseload(300, seed=2)
    pd.testing.assert_frame_equal(history.caseload.frame, caseload.frame)


@pytest.mark.slow
def test_most_clients_get_usual_care_and_every_approach_occurs(history):
    shares = history.approach.fillna("usual care").value_counts(normalize=True)
    assert 0.6 < shares["usual care"] < 0.8
    assert set(history.approach_ids) == set(HISTORY_APPROACH_IDS)
    assert (history.approach.value_counts() >= 100).all()


@pytest.mark.slow
def test_nobody_got_an_approach_the_rules_exclude(history, status):
    given = history.approach.notna().to_numpy()
    cols = [HISTORY_APPROACH_IDS.index(a) for a in history.approach[given]]
    assert (status[np.flatnonzero(given), cols] != INELIGIBLE).all()


@pytest.mark.slow
def test_assignment_is_confounded_but_overlaps(history, status):
    # Case managers chose: comparing participants with usual care is biased (on the true
    # expected outcomes, so the check is free of sampling noise) ...
    truth = history.truth
    rows = np.arange(len(history))
    given = history.approach.fillna("").to_numpy()
    idx = np.array([HISTORY_APPROACH_IDS.index(a) if a else -1 for a in given])
    p = np.where(idx >= 0, truth.treated[rows, np.maximum(idx, 0)], truth.baseline)
    bias = []
    for j, _ in enumerate(HISTORY_APPROACH_IDS):
        naive = p[idx == j].mean() - p[idx == -1].mean()
        att = truth.effects[idx == j, j].mean()
        bias.append(naive - att)
    assert max(abs(b) for b in bias) > 0.03
    # ... yet every approach was given to a fair share of the clients it could be given to.
    for j, a in enumerate(HISTORY_APPROACH_IDS):
        could = status[:, j] != INELIGIBLE
        share = (history.approach.fillna("").to_numpy()[could] == a).mean()
        assert share > 0.01, a


@pytest.mark.slow
def test_outcomes_follow_the_planted_truth(history):
    truth = history.truth
    assert truth.outcome == "exit_12m" and truth.approach_ids == HISTORY_APPROACH_IDS
    assert truth.treated.shape == (len(history), 7)
    assert set(np.unique(history.outcomes["exit_12m"])) == {0.0, 1.0}
    rows = np.arange(len(history))
    given = history.approach.fillna("").to_numpy()
    idx = np.array([HISTORY_APPROACH_IDS.index(a) if a else -1 for a in given])
    p = np.where(idx >= 0, truth.treated[rows, np.maximum(idx, 0)], truth.baseline)
    observed = history.outcomes["exit_12m"].mean()
    se = np.sqrt(p.mean() * (1 - p.mean()) / len(p))
    assert abs(observed - p.mean()) < 4 * se
    ladder = history.truth_for("ladder_change")
    assert ladder is not None
    mean = np.where(idx >= 0, ladder.treated[rows, np.maximum(idx, 0)], ladder.baseline)
    assert abs(history.outcomes["ladder_change"].mean() - mean.mean()) < 0.05
    assert history.truth_for("unknown") is None


def test_baseline_is_about_ten_percent(history):
    assert 0.08 < history.truth.baseline.mean() < 0.13


def _mean_effect(history: mk.History, approach: str, mask: np.ndarray) -> float:
    assert history.truth is not None
    return float(history.truth.effects[mask, HISTORY_APPROACH_IDS.index(approach)].mean())


@pytest.mark.slow
def test_some_effects_contradict_the_catalogs_target_profiles():
    _, truth = mk.generate_caseload(20_000, seed=3, return_truth=True)
    world = planted_world(truth.frame)
    effects = world.truth("exit_12m").effects
    cols = truth.columns
    zrm = cols.zrm_matrix()
    problems = (zrm <= 3).sum(axis=1)
    fip = effects[:, HISTORY_APPROACH_IDS.index("fip")]
    # FIP's target profile prefers problems in several domains; here it helps the others.
    assert fip[problems <= 1].mean() > fip[problems >= 5].mean() + 0.03
    assert fip[problems >= 8].mean() < 0.005
    # APP prefers steps 1-2 of the ladder; its planted effect is larger from step 3.
    app = effects[:, HISTORY_APPROACH_IDS.index("app")]
    ladder = cols.scalar("participation_ladder")[0]
    assert app[ladder == 3].mean() > app[ladder <= 2].mean() + 0.03
    # TOP prefers single parents; those without childcare are harmed.
    top = effects[:, HISTORY_APPROACH_IDS.index("top")]
    sp = cols.scalar("single_parent")[0] == 1
    childcare = cols.scalar("has_childcare")[0] == 1
    assert top[sp & ~childcare].mean() < 0
    assert top[~sp].mean() > 0.03


@pytest.mark.slow
def test_the_truth_is_a_function_of_the_facts_alone():
    # PlantedWorld takes the complete facts and nothing else (no catalog, no assignment).
    history = mk.generate_history(2_000, seed=7)
    _, truth = mk.generate_caseload(2_000, seed=7, return_truth=True)
    world = planted_world(truth.frame).truth("exit_12m")
    assert history.truth is not None
    np.testing.assert_array_equal(world.treated, history.truth.treated)
    np.testing.assert_array_equal(world.baseline, history.truth.baseline)


def test_a_catalog_without_the_seven_is_refused():
    catalog = mk.load_catalog()
    smaller = mk.Catalog([a for a in catalog.approaches if a.id != "fip"])
    with pytest.raises(mk.ParameterError, match="fip"):
        mk.generate_history(10, seed=0, catalog=smaller)
