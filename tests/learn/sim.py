"""A small planted-truth history for tests: confounded assignment, heterogeneous effects.

Written here, independent of the catalog, so tests do not wait on ``generate_history``.
Clients come from ``generate_caseload``; assignment depends on motivation, psychological
complaints and age (case managers' judgement), and each approach's effect on the log-odds of
``exit_12m`` varies by motivation and by work experience.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import matchkit as mk
from matchkit.learn import History, HistoryTruth

APPROACHES = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simulate_history(
    n: int, seed: int, k: int = 3, usual_share: float = 0.5, ids: tuple[str, ...] = APPROACHES
) -> History:
    rng = np.random.default_rng(seed)
    caseload = mk.generate_caseload(n, seed=seed)
    cols = caseload.columns

    def value(name, fill):
        v = cols.scalar(name)[0]
        return np.where(np.isnan(v), fill, v)

    motivation = value("motivation", 1.5) / 3.0  # 0..1
    psych = value("psych_complaints", 1.0) / 3.0
    age = (value("age", 45.0) - 45.0) / 12.0
    experience = np.minimum(value("work_experience_years", 5.0), 20.0) / 20.0
    base = -1.2 + 1.2 * motivation - 0.8 * psych - 0.3 * age
    ids = tuple(ids[:k])
    logits = np.column_stack(
        [np.full(n, np.log(usual_share / (1 - usual_share) * k))]
        + [0.8 * (j % 2 * 2 - 1) * (motivation - 0.5) - 0.6 * psych + 0.1 * j for j in range(k)]
    )
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    arm = (p.cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)
    effect_logit = np.column_stack(
        [
            0.15 + 0.1 * j + (0.6 if j % 2 else -0.6) * (motivation - 0.5) + 0.5 * experience - 0.25
            for j in range(k)
        ]
    )
    p0 = _sigmoid(base)
    p_treated = _sigmoid(base[:, None] + effect_logit)
    p_obs = np.where(arm == 0, p0, p_treated[np.arange(n), np.maximum(arm - 1, 0)])
    y = (rng.random(n) < p_obs).astype(float)
    approach = pd.Series(
        np.where(arm == 0, None, np.asarray(ids, dtype=object)[np.maximum(arm - 1, 0)]),
        dtype="string",
        name="approach_id",
    )
    return History(
        caseload=caseload,
        approach=approach,
        outcomes=pd.DataFrame({"exit_12m": y}),
        truth=HistoryTruth(approach_ids=ids, outcome="exit_12m", baseline=p0, treated=p_treated),
    )
