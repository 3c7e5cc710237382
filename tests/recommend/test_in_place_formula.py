"""The in-place score formula, ZRM bounds and rank value equal their plain numpy forms, bit for bit.

The plain forms below are the expressions the fast code replaced (one fresh array per step);
they are kept here as the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import ZRM_COLUMNS
from matchkit.recommend import _scoring
from matchkit.recommend._recommender import THIN_COVERAGE
from matchkit.recommend._scoring import ELIGIBLE, INELIGIBLE, VERIFY, ScoringModel


def _plain_formula(
    rule_state: Any, target_match: Any, w: Any, model: ScoringModel, out: Sequence[Any]
) -> None:
    n, g = rule_state.shape[:2]
    o_status, o_score, o_coverage, o_expected, o_low, o_high, o_p_pass = out
    v_r, v_t, bonus = w.v_r, w.v_t, w.bonus
    true = rule_state == 1
    unknown = rule_state == -1
    rule_known = rule_state >= 0
    known = ~np.isnan(target_match)
    unknown_t = ~known
    matched = v_t * np.where(known, target_match, 0.0)
    v_r_known, v_r_unknown = v_r * rule_known, v_r * unknown
    v_t_unknown, v_t_known = v_t * unknown_t, v_t * known
    num, den, known_weight, exp_num, exp_den, unknown_all, unknown_den = _scoring._ordered_sums(
        [
            (v_r * true, matched),
            (v_r_known, np.where(bonus, matched, v_t_known)),
            (v_r_known, v_t_known),
            ((v_r * w.share) * unknown, (v_t * w.mean) * unknown_t),
            (v_r_unknown, (v_t * np.where(bonus, w.mean, 1.0)) * unknown_t),
            (v_r_unknown, v_t_unknown),
            (v_r_unknown, np.where(bonus, 0.0, v_t_unknown)),
        ],
        n,
    )
    p_pass = (
        np.multiply.accumulate(np.where(unknown, w.share, 1.0), axis=2)[:, :, -1]
        if rule_state.shape[2]
        else np.ones((n, g))
    )
    all_true = true.all(axis=2)
    any_false = (rule_state == 0).any(axis=2)
    prior = model.prior_weight * model.prior
    np.divide(num + prior, den + model.prior_weight, out=o_score)
    np.divide(num + exp_num + prior, den + exp_den + model.prior_weight, out=o_expected)
    np.divide(num + prior, den + unknown_den + model.prior_weight, out=o_low)
    np.divide(num + unknown_all + prior, den + unknown_all + model.prior_weight, out=o_high)
    with np.errstate(invalid="ignore", divide="ignore"):
        o_coverage[...] = np.where(w.total > 0, known_weight / w.total, 1.0)
    o_status.fill(VERIFY)
    o_status[all_true] = ELIGIBLE
    o_status[any_false] = INELIGIBLE
    p_pass[any_false] = 0.0
    o_p_pass[...] = p_pass


def _random_group(seed: int, n: int, g: int, r: int, t: int, zero_total: bool) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    rule_state = rng.integers(-1, 2, size=(n, g, r)).astype(np.int8)
    target_match = rng.choice([0.0, 0.25, 0.5, 1.0, np.nan, rng.random()], size=(n, g, t))
    v_r, v_t = rng.random((g, r)) * 3, rng.random((g, t)) * 3
    v_r[rng.random((g, r)) < 0.2] = 0.0
    if zero_total:
        v_r[0], v_t[0] = 0.0, 0.0
    total = v_r.sum(axis=1) + v_t.sum(axis=1)
    w = _scoring._Weights(
        v_r,
        v_t,
        rng.random((g, r)),
        rng.random((g, t)),
        rng.random((g, t)) < 0.3,
        total,
        bool(np.all(total > 0)),
    )
    return rule_state, target_match, w


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    g=st.integers(1, 5),
    r=st.integers(0, 5),
    t=st.integers(0, 5),
    zero_total=st.booleans(),
    prior=st.sampled_from([0.0, 0.3]),
)
def test_in_place_formula_equals_the_plain_one(seed, n, g, r, t, zero_total, prior):
    rule_state, target_match, w = _random_group(seed, n, g, r, t, zero_total)
    model = ScoringModel(prior=prior)
    fast = [np.empty((n, g), dtype=np.int8), *(np.empty((n, g)) for _ in range(6))]
    plain = [np.empty((n, g), dtype=np.int8), *(np.empty((n, g)) for _ in range(6))]
    with np.errstate(invalid="ignore", divide="ignore"):
        _scoring._formula(rule_state, target_match, w, model, fast)
        _plain_formula(rule_state, target_match, w, model, plain)
    for a, b in zip(fast, plain, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_zrm_bounds_equal_the_matrix_rows(seed):
    cols = mk.read_caseload(mk.generate_caseload(3_000, seed=seed)).columns
    zrm = np.column_stack([cols.scalar(c)[0] for c in ZRM_COLUMNS])
    unknown = np.isnan(zrm)
    lo = np.sum(zrm <= 3, axis=1).astype(np.float64)
    expected = {"zrm_problem_domains": (lo, lo + unknown.sum(axis=1))}
    hi = np.min(np.where(unknown, 5.0, zrm), axis=1)
    expected["zrm_min"] = (np.where(unknown.any(axis=1), 1.0, hi), hi)
    assert unknown.any(axis=1).any() and not unknown.any(axis=1).all()
    for name, (want_lo, want_hi) in expected.items():
        bounds = cols.bounds(name)
        assert bounds is not None
        assert bounds[0].tobytes() == want_lo.tobytes(), name
        assert bounds[1].tobytes() == want_hi.tobytes(), name


def test_rank_value_equals_the_plain_expression():
    caseload = mk.read_caseload(mk.generate_caseload(2_000, seed=4))
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    thin = result.coverage < THIN_COVERAGE
    assert thin.any() and not thin.all()
    expected = np.nan_to_num(result.p_pass * result.expected, nan=0.0)
    plain = np.where(thin, expected, result.score)
    assert result.rank_value().tobytes() == plain.tobytes()
