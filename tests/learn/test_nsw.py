"""A real experiment with a known answer: NSW job training (Dehejia–Wahba sample)."""

from __future__ import annotations

import pytest

from matchkit.learn import fit_effects

causaldata = pytest.importorskip("causaldata")

EXPERIMENTAL_DIFFERENCE = 1794.34  # mean re78 of the 185 treated minus the 260 controls


@pytest.fixture(scope="module")
def nsw():
    return causaldata.nsw_mixtape.load_pandas().data


def test_the_sample_is_the_dehejia_wahba_experiment(nsw):
    assert (nsw["treat"] == 1).sum() == 185
    assert (nsw["treat"] == 0).sum() == 260
    means = nsw.groupby("treat")["re78"].mean()
    assert means[1] - means[0] == pytest.approx(EXPERIMENTAL_DIFFERENCE, abs=0.5)


@pytest.mark.slow
def test_the_ate_on_1978_earnings_recovers_the_experimental_difference(nsw):
    model = fit_effects(nsw, outcome="re78", treatment="treat")
    ate = model.ate()
    assert ate.n == 445
    assert (ate.n_treated, ate.n_control) == (185, 260)
    assert ate.ci_low <= EXPERIMENTAL_DIFFERENCE <= ate.ci_high
    assert abs(ate.estimate - EXPERIMENTAL_DIFFERENCE) <= ate.std_error
    # Adjustment does not buy precision out of nothing: the interval is about as wide as the
    # difference in means' own (its standard error is about 670 dollars).
    assert 400 < ate.std_error < 1000


@pytest.mark.slow
def test_the_att_also_covers_it_in_a_randomised_experiment(nsw):
    att = fit_effects(nsw, outcome="re78", treatment="treat").att()
    assert att.ci_low <= EXPERIMENTAL_DIFFERENCE <= att.ci_high


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.slow
def test_the_interval_covers_it_whatever_the_fold_split(nsw, seed):
    ate = fit_effects(nsw, outcome="re78", treatment="treat", random_state=seed).ate()
    assert ate.covers(EXPERIMENTAL_DIFFERENCE)
