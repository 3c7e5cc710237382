"""The effect model: estimates, per-client effects, summary, saving, policies and the tree."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

import matchkit as mk
from matchkit.errors import OverlapWarning, ParameterError
from matchkit.learn import Estimate, fit_effects, load_effects, policy_value
from tests.learn.sim import simulate_history

pytestmark = pytest.mark.slow  # fits models on thousands of rows


def quiet_fit(history, outcome="exit_12m", **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        return fit_effects(history, outcome, **kw)


@pytest.fixture(scope="module")
def history():
    return simulate_history(3000, seed=7, k=3)


@pytest.fixture(scope="module")
def model(history):
    return quiet_fit(history)


def binary_frame(rng, n=800):
    x = rng.normal(size=(n, 2))
    t = (rng.random(n) < 1 / (1 + np.exp(-x[:, 0]))).astype(int)
    y = x[:, 0] + 2.0 * t + rng.normal(size=n)
    return pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "t": t, "y": y})


def test_a_single_approach_needs_no_id(rng):
    model = fit_effects(binary_frame(rng), "y", treatment="t")
    assert model.approach_ids_ == ("treated",)
    ate = model.ate()
    assert isinstance(ate, Estimate)
    assert ate.covers(2.0)
    assert ate.n_treated + ate.n_control == ate.n == 800
    assert model.att().covers(2.0)


def test_several_approaches_need_an_id(model):
    with pytest.raises(ParameterError, match="approach=None is ambiguous"):
        model.ate()
    with pytest.raises(ParameterError, match="approach='nope'"):
        model.att("nope")
    ate = model.ate("alpha")
    assert ate.ci_low < ate.estimate < ate.ci_high
    assert ate.std_error > 0


def test_effects_are_a_tidy_frame_with_an_interval_per_client_and_approach(model, history):
    clients = history.caseload.take(np.arange(20))
    frame = model.effects(clients)
    assert list(frame.columns) == [
        "client_id",
        "approach_id",
        "effect",
        "std_error",
        "ci_low",
        "ci_high",
        "thin",
    ]
    assert len(frame) == 20 * 3
    assert (frame["ci_low"] <= frame["effect"]).all() and (
        frame["effect"] <= frame["ci_high"]
    ).all()
    assert frame["client_id"].iloc[0] == clients.client_ids[0]


def test_per_client_effects_average_to_about_the_ate(model, history):
    est, _ = model.effect_matrix(history.caseload)
    for i, a in enumerate(model.approach_ids_):
        assert est[model.kept_[a], i].mean() == pytest.approx(model.ate(a).estimate, abs=0.02)


@pytest.fixture(scope="module")
def big_history():
    return simulate_history(8000, seed=11, k=2)


@pytest.fixture(scope="module")
def big_model(big_history):
    return quiet_fit(big_history)


def test_per_client_effects_follow_the_planted_heterogeneity(big_history, big_model):
    # Larger history: the planted effects vary with motivation; the learned ones must too.
    history, model = big_history, big_model
    est, _ = model.effect_matrix(history.caseload)
    truth = history.truth.effects
    for i, a in enumerate(model.approach_ids_):
        j = history.truth.approach_ids.index(a)
        # Measured 0.26 and higher on this seed; a constant effect would give no correlation.
        assert np.corrcoef(est[:, i], truth[:, j])[0, 1] > 0.2


def test_summary_has_a_row_per_approach(model):
    table = model.summary()
    assert list(table.index) == ["alpha", "beta", "gamma"]
    assert {"participants", "ate", "ate_ci_low", "ate_ci_high", "att", "thin"} <= set(table.columns)


def test_save_and_load_give_identical_effects(model, history, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load_effects(path)
    clients = history.caseload.take(np.arange(200))
    pd.testing.assert_frame_equal(loaded.effects(clients), model.effects(clients))
    assert loaded.ate("beta") == model.ate("beta")
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())
    assert json.loads(path.read_text())["format"] == "matchkit-effects/2"


def test_a_model_saved_before_step_terms_still_loads(model, history):
    # Format 1 had no step indicators: its final stage is linear in the basis alone.
    data = model.to_dict()
    data["format"] = "matchkit-effects/1"
    del data["encoder"]["steps"]
    p = len(model.encoder_.basis_names_) + 1
    data["coef"] = [row[:p] for row in data["coef"]]
    data["cov"] = [[row[:p] for row in v[:p]] for v in data["cov"]]
    loaded = mk.EffectModel.from_dict(data)
    clients = history.caseload.take(np.arange(50))
    raw = model.encoder_.raw(clients)
    z = np.hstack([np.ones((50, 1)), model.encoder_.basis(raw)])
    est, _ = loaded.effect_matrix(clients)
    np.testing.assert_allclose(est, z @ np.asarray(data["coef"]).T)


def test_the_final_stage_learns_a_threshold_effect():
    # The effect starts at x = 3: no straight line in x draws it; the step terms can.
    rng = np.random.default_rng(4)
    n = 6000
    x = rng.integers(0, 7, size=n)
    t = (rng.random(n) < 0.5).astype(int)
    y = 0.3 * x + t * (x >= 3) * 1.0 + rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "t": t, "y": y})
    model = fit_effects(frame, "y", treatment="t", features=["x"])
    grid = pd.DataFrame({"x": np.arange(7)})
    est, _ = model.effect_matrix(grid)
    assert abs(est[:3, 0]).max() < 0.25
    assert abs(est[3:, 0] - 1.0).max() < 0.25
    assert est[3, 0] - est[2, 0] > 0.6


def test_n_jobs_is_checked(history):
    with pytest.raises(ParameterError, match="n_jobs"):
        fit_effects(history, "exit_12m", n_jobs=0)
    with pytest.raises(ParameterError, match="n_jobs"):
        fit_effects(history, "exit_12m", n_jobs=True)


@pytest.mark.parametrize("n_jobs", [None, 2, 3])
def test_fits_side_by_side_give_the_one_thread_result(history, n_jobs):
    # n_jobs > 1 (and the default, every usable core) runs the cross-fitting's model fits on a
    # thread pool, largest first: every nuisance, estimate and per-client effect must be
    # exactly the sequential (n_jobs=1) one.
    sequential = quiet_fit(history, n_jobs=1)
    parallel = quiet_fit(history, n_jobs=n_jobs)
    np.testing.assert_array_equal(parallel.propensity_, sequential.propensity_)
    np.testing.assert_array_equal(parallel.mu_, sequential.mu_)
    np.testing.assert_array_equal(parallel.coef_, sequential.coef_)
    np.testing.assert_array_equal(parallel.cov_, sequential.cov_)
    assert parallel.ate_ == sequential.ate_
    assert parallel.att_ == sequential.att_
    est, se = sequential.effect_matrix(history.caseload)
    est_p, se_p = parallel.effect_matrix(history.caseload)
    np.testing.assert_array_equal(est_p, est)
    np.testing.assert_array_equal(se_p, se)


def test_the_thread_pool_fills_every_fold_and_arm(rng):
    # crossfit itself, on a history where one arm is too small for a model in some folds
    # (its mean is used there): two and five workers give the sequential nuisances.
    from sklearn.ensemble import HistGradientBoostingClassifier

    from matchkit.learn._crossfit import crossfit
    from matchkit.learn._models import default_outcome_model

    n = 1200
    x = rng.normal(size=(n, 3))
    arm = np.where(x[:, 0] > 0.5, 1, 0) + np.where(rng.random(n) < 0.03, 2, 0)
    arm = np.minimum(arm, 2).astype(np.int64)
    y = (rng.random(n) < 0.3 + 0.1 * (arm == 1)).astype(np.float64)
    pm = HistGradientBoostingClassifier(max_iter=20, random_state=0)
    om = default_outcome_model(True, 0)

    def fit(jobs):
        return crossfit(
            x,
            x,
            arm,
            y,
            3,
            folds=4,
            random_state=1,
            propensity_model=pm,
            outcome_model=om,
            n_jobs=jobs,
        )

    mu1, prop1 = fit(1)
    assert np.isfinite(mu1).all()
    np.testing.assert_allclose(prop1.sum(axis=1), 1.0)
    for jobs in (2, 5):
        mu, prop = fit(jobs)
        np.testing.assert_array_equal(mu, mu1)
        np.testing.assert_array_equal(prop, prop1)


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "pickle"}')
    with pytest.raises(ParameterError, match="not a matchkit effect model"):
        load_effects(path)
    path.write_text("not json")
    with pytest.raises(ParameterError, match="not a JSON effect model"):
        load_effects(path)


def test_any_scikit_learn_estimators_can_be_passed_and_are_cloned(rng):
    df = binary_frame(rng)
    pm, om = LogisticRegression(), RandomForestRegressor(n_estimators=20, random_state=0)
    model = fit_effects(df, "y", treatment="t", propensity_model=pm, outcome_model=om)
    assert model.ate().covers(2.0)
    assert not hasattr(om, "estimators_")  # the passed estimator itself is not fitted
    linear = fit_effects(df, "y", treatment="t", outcome_model=LinearRegression())
    assert linear.ate().covers(2.0)
    assert linear.get_params()["outcome_model"].__class__ is LinearRegression


def test_the_policy_value_of_current_practice_is_the_mean_outcome(model, history):
    logged = history.approach.to_numpy(dtype=object, na_value=None)
    value = model.policy_value(logged)
    mean = history.outcomes["exit_12m"].mean()
    assert value.current.estimate == pytest.approx(mean)
    # The doubly robust value of the logged choices estimates the same mean: on 3,000 rows
    # (standard error 0.045) it lies within one standard error of it (seeds 7-10: 0.3-0.5 SE).
    assert value.value.covers(mean)
    assert abs(value.value.estimate - mean) < value.value.std_error


def test_a_better_policy_is_valued_above_usual_care_for_everyone(history):
    truth = history.truth
    best = np.asarray(truth.approach_ids, dtype=object)[truth.effects.argmax(axis=1)]
    best[truth.effects.max(axis=1) < 0] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        value = policy_value(history, best, outcome="exit_12m", against=[None] * len(history))
    true_gain = np.maximum(truth.effects.max(axis=1), 0).mean()
    assert value.difference is not None
    assert value.difference.covers(true_gain)
    assert value.difference.ci_low > 0


def test_a_function_is_a_policy(model):
    everyone = model.policy_value(lambda caseload: ["beta"] * len(caseload))
    assert everyone.assigned == {"usual care": 0, "alpha": 0, "beta": 3000, "gamma": 0}
    assert everyone.vs_current.label == "policy - current practice"
    against = model.policy_value(lambda caseload: ["beta"] * len(caseload), against=[None] * 3000)
    # Everyone in beta against everyone in usual care is beta's average effect (over all
    # rows, where the ATE leaves out the few trimmed ones).
    assert against.difference is not None
    ate = model.ate("beta")
    assert abs(against.difference.estimate - ate.estimate) < ate.std_error


def test_a_batch_result_and_a_plan_are_policies():
    catalog = mk.load_catalog()
    history = simulate_history(3000, seed=7, k=3, ids=tuple(catalog.ids[:3]))
    model = quiet_fit(history)
    result = mk.Recommender(catalog).recommend_batch(history.caseload)
    with pytest.raises(ParameterError, match="too little of to evaluate"):
        model.policy_value(result)  # its top picks include approaches not in the history
    closed = dict.fromkeys(catalog.ids[3:], 0)
    plan = mk.plan_assignment(result, include_verify=True, capacity=closed)
    value = model.policy_value(plan, against=lambda caseload: [None] * len(caseload))
    assert value.value.n == 3000
    assert value.assigned is not None
    assert sum(value.assigned.values()) == 3000
    assert value.assigned["usual care"] == int(plan.assignments["approach_id"].isna().sum())
    assert value.difference is not None and value.against is not None


def test_without_detectable_heterogeneity_the_tree_is_one_leaf(model):
    # 3,000 rows: the final stage's penalty flattens the effects, so one approach is best
    # for everyone and the tree says so in one line.
    tree = model.policy_tree(depth=2)
    assert tree.text.strip().startswith("|--- class: ")
    assert tree.gain_kept == pytest.approx(1.0)


def test_the_policy_tree_is_readable_text_that_keeps_most_of_the_gain(big_model, big_history):
    model, history = big_model, big_history
    tree = model.policy_tree(depth=2)
    text = str(tree)
    assert "class:" in text and "|---" in text
    assert any(name in text for name in model.encoder_.raw_names_)
    assert 0 < tree.gain_kept <= 1.0 + 1e-9
    picks = tree(history.caseload)
    assert set(picks) <= {None, "alpha", "beta"}
    assert model.policy_value(tree).value.n == 8000
