"""Scores of a group of approaches at once equal each approach's on its own, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import matchkit as mk
from matchkit.recommend._scoring import evaluate_approach, evaluate_approaches
from matchkit.synth import generate_catalog

FIELDS = ("status", "rule_state", "score", "coverage", "expected", "low", "high", "p_pass")


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
