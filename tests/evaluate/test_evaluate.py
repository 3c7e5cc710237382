from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.synth._catalog import generate_catalog
from matchkit.synth._evaluate import STRATEGIES, evaluate_picks, group_masks


@pytest.fixture(scope="module")
def result() -> mk.Evaluation:
    return mk.evaluate(mk.load_catalog(), n=20_000, seed=5)


@pytest.mark.slow
def test_every_strategy_has_every_metric(result):
    assert list(result.metrics.index) == list(STRATEGIES)
    assert list(result.metrics.columns) == [
        "expected_gain",
        "top1_agreement",
        "coverage",
        "verify_share",
        "turned_away",
    ]
    assert ((result.metrics >= 0) & (result.metrics <= 1)).all().all()


@pytest.mark.slow
def test_the_oracle_is_best_and_never_turned_away(result):
    gains = result.metrics["expected_gain"]
    assert gains["oracle"] == gains.max()
    assert result.metrics.loc["oracle", "turned_away"] == 0
    assert result.metrics.loc["oracle", "top1_agreement"] == 1


@pytest.mark.slow
def test_the_recommender_beats_random_and_rules_only_on_expected_gain(result):
    gains = result.metrics["expected_gain"]
    assert gains["recommender"] > gains["rules_only"] > gains["random"]


def test_rules_based_strategies_cover_the_same_clients(result):
    m = result.metrics
    assert m.loc["recommender", "coverage"] == m.loc["rules_only", "coverage"]


def test_group_table_has_the_audit_dimensions_and_gaps(result):
    groups = result.groups
    assert set(groups["dimension"]) == {"gender", "age", "migration_background", "single_parent"}
    gaps = groups[groups["group"] == "gap (max - min)"]
    assert len(gaps) == 4
    assert (gaps[list(STRATEGIES)] >= 0).all().all()


@pytest.mark.slow
def test_evaluation_is_deterministic():
    a = mk.evaluate(mk.load_catalog(), n=2_000, seed=9)
    b = mk.evaluate(mk.load_catalog(), n=2_000, seed=9)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    for name in STRATEGIES:
        np.testing.assert_array_equal(a.picks[name], b.picks[name])


def test_a_pick_counts_only_when_the_client_truly_qualifies():
    picks = np.array([0, 1, -1])
    gain = np.array([[0.3, 0.1], [0.2, 0.4], [0.5, 0.5]])
    truly = np.array([[True, False], [True, False], [True, True]])
    status = np.array([[2, 1], [2, 1], [2, 2]], dtype=np.int8)
    realised, summary = evaluate_picks(picks, gain, truly, status)
    np.testing.assert_allclose(realised, [0.3, 0.0, 0.0])
    assert summary["turned_away"] == pytest.approx(1 / 3)
    assert summary["verify_share"] == pytest.approx(1 / 3)
    assert summary["coverage"] == pytest.approx(2 / 3)


def test_group_masks_put_unknown_gender_in_its_own_group():
    frame = mk.generate_caseload(500, seed=1, unknown_rates={"gender": 0.5}).frame
    masks = group_masks(frame)
    assert masks["gender"]["unknown"].sum() > 0
    total = sum(m.sum() for m in masks["gender"].values())
    assert total == len(frame)


def test_a_generated_catalog_also_evaluates():
    result = mk.evaluate(generate_catalog(12, seed=2), n=2_000, seed=1)
    assert result.metrics.loc["oracle", "expected_gain"] >= result.metrics["expected_gain"].max()


@pytest.mark.slow
def test_only_both_observed_and_truth_or_neither():
    observed, _ = mk.generate_caseload(10, seed=1, return_truth=True)
    with pytest.raises(ValueError, match="both"):
        mk.evaluate(mk.load_catalog(), observed=observed)


@pytest.mark.parametrize("as_frames", [False, True], ids=["caseloads", "frames"])
@pytest.mark.slow
def test_a_given_caseload_and_truth_evaluate_like_the_generated_ones(as_frames):
    observed, truth = mk.generate_caseload(1_500, seed=4, return_truth=True)
    given = (observed.frame, truth.frame) if as_frames else (observed, truth)
    result = mk.evaluate(mk.load_catalog(), observed=given[0], truth=given[1], seed=4)
    expected = mk.evaluate(mk.load_catalog(), n=1_500, seed=4)
    pd.testing.assert_frame_equal(result.metrics, expected.metrics)
