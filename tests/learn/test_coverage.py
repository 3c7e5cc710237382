"""Honest intervals: on a planted truth, 95% intervals cover it about 95% of the time."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from matchkit.errors import OverlapWarning
from matchkit.learn import fit_effects
from tests.learn.sim import simulate_history

REPETITIONS = 30
APPROACHES = 3


@pytest.mark.slow
def test_ate_intervals_cover_the_planted_truth_in_90_to_98_percent_of_repetitions():
    covered = []
    for seed in range(REPETITIONS):
        history = simulate_history(2500, seed=1000 + seed, k=APPROACHES)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OverlapWarning)
            model = fit_effects(history, "exit_12m", random_state=seed)
        truth = history.truth
        assert truth is not None
        for a in model.approach_ids_:
            true_ate = truth.effects[np.asarray(model.kept_[a]), truth.approach_ids.index(a)].mean()
            covered.append(model.ate(a).covers(true_ate))
    rate = float(np.mean(covered))
    assert len(covered) == REPETITIONS * APPROACHES
    assert 0.90 <= rate <= 0.98, f"coverage {rate:.1%} over {len(covered)} intervals"
