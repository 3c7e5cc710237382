"""Scores of a group of approaches at once equal each approach's on its own, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import matchkit as mk
from matchkit.recommend._scoring import evaluate_approach, evaluate_approaches, evaluate_catalog
from matchkit.synth import generate_catalog

FIELDS = ("status", "rule_state", "score", "coverage", "expected", "low", "high", "p_pass")
MATRICES = ("status", "score", "coverage", "expected", "low", "high", "p_pass")


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 300])
def test_grouped_evaluation_equals_one_approach_at_a_time(n):
    # 1 to 4 hard rules and 2 to 5 preferences per approach (bonus ones in the built-in
    # catalog), so rules and preferences are padded in every group.
    catalog = mk.Catalog([*mk.load_catalog().approaches, *generate_catalog(30, seed=5).approaches])
    rec = mk.Recommender(catalog)
    cols = mk.read_caseload(mk.generate_caseload(n, seed=11)).columns
    done = rec._plan.evaluate(cols)
    approaches = catalog.approaches
    grouped = evaluate_approaches(approaches, cols, rec.model, rec.evidence, done)
    for j, a in enumerate(approaches):
        alone = evaluate_approach(a, cols, rec.model, rec.evidence[j])  # rule by rule
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(grouped[j], name), getattr(alone, name), name)
        np.testing.assert_array_equal(grouped[j].target_match, alone.target_match)


def _evaluate_all(catalog, caseload):
    rec = mk.Recommender(catalog)
    cols = caseload.columns
    return evaluate_catalog(
        catalog.approaches, cols, rec.model, rec.evidence, rec._plan.evaluate(cols)
    )


def test_blocks_of_clients_and_scattered_groups_give_the_same_bits(monkeypatch):
    from matchkit.recommend import _scoring

    # 7 built-in + 70 generated approaches: more than one padded group holds, so approaches
    # are grouped by shape and a group's members are not neighbours in the catalog.
    catalog = mk.Catalog([*mk.load_catalog().approaches, *generate_catalog(70, seed=8).approaches])
    caseload = mk.read_caseload(mk.generate_caseload(120, seed=12))
    whole = _evaluate_all(catalog, caseload)
    monkeypatch.setattr(_scoring, "_BLOCK_CELLS", 7)  # blocks of one client or a few
    blocked = _evaluate_all(catalog, caseload)
    monkeypatch.setattr(_scoring, "_ONE_GROUP", 1_000)  # one padded group, written in place
    padded = _evaluate_all(catalog, caseload)
    for name in MATRICES:
        np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name), name)
        np.testing.assert_array_equal(getattr(padded, name), getattr(whole, name), name)
    one = _evaluate_all(catalog, caseload.take([57]))  # one client: a batch of one
    for name in MATRICES:
        np.testing.assert_array_equal(getattr(one, name)[0], getattr(whole, name)[57], name)
    for j in range(len(catalog)):
        np.testing.assert_array_equal(blocked.rule_state[j], whole.rule_state[j])
        np.testing.assert_array_equal(one.rule_state[j][0], whole.rule_state[j][57])


def test_four_sums_without_a_bonus_equal_the_seven(monkeypatch):
    from matchkit.recommend import _scoring

    # Generated approaches have no bonus preference; the built-in ones have.
    catalog = mk.Catalog([*mk.load_catalog().approaches, *generate_catalog(20, seed=4).approaches])
    assert not all(any(t.bonus for t in a.target) for a in catalog.approaches)
    caseload = mk.read_caseload(mk.generate_caseload(200, seed=13))
    fewer = _evaluate_all(catalog, caseload)
    monkeypatch.setattr(_scoring, "_ONE_GROUP", 1)  # groups by shape: some without a bonus
    by_shape = _evaluate_all(catalog, caseload)
    monkeypatch.setattr(_scoring, "_ALL_SUMS", True)
    seven = _evaluate_all(catalog, caseload)
    for name in MATRICES:
        np.testing.assert_array_equal(getattr(fewer, name), getattr(seven, name), name)
        np.testing.assert_array_equal(getattr(by_shape, name), getattr(seven, name), name)
