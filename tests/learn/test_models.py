"""The two-step propensity model: scikit-learn's conventions, and probabilities that add up."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import matchkit as mk
from matchkit.learn import TwoStepPropensity
from matchkit.learn._models import default_propensity_model, handles_nan


def _arms(rng: np.random.Generator, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """Usual care (0) for most; approaches 1-3 chosen by the first two features."""
    x = rng.normal(size=(n, 3))
    took = rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 0.5)))
    which = np.where(x[:, 1] > 0.3, 1, np.where(rng.random(n) < 0.5, 2, 3))
    return x, np.where(took, which, 0).astype(np.int64)


def test_it_is_a_scikit_learn_classifier_that_clones_with_its_parameters():
    model = TwoStepPropensity(which_model=LogisticRegression(), random_state=4)
    copy = clone(model)
    assert is_classifier(copy)
    assert copy.get_params()["random_state"] == 4
    assert isinstance(copy.get_params()["which_model"], LogisticRegression)
    assert copy.get_params()["which_model"] is not model.which_model
    assert mk.learn.TwoStepPropensity is TwoStepPropensity
    assert isinstance(default_propensity_model(3), TwoStepPropensity)


def test_probabilities_are_the_product_of_the_two_steps_and_sum_to_one(rng):
    x, arm = _arms(rng)
    model = TwoStepPropensity(LogisticRegression(), LogisticRegression(), random_state=0).fit(
        x, arm
    )
    proba = model.predict_proba(x)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2, 3])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    p_any = model.any_model_.predict_proba(x)[:, 1]
    np.testing.assert_allclose(proba[:, 0], 1 - p_any)
    q = model.which_model_.predict_proba(x)
    np.testing.assert_allclose(proba[:, 1:], p_any[:, None] * q)
    # It learned both steps: the first from feature 0, the second from feature 1.
    assert proba[x[:, 0] > 1.5, 0].mean() < proba[x[:, 0] < -1.5, 0].mean() - 0.3
    assert proba[x[:, 1] > 1, 1].mean() > proba[x[:, 1] < -1, 1].mean() + 0.2
    assert (model.predict(x) == proba.argmax(axis=1)).all()


def test_the_default_is_as_good_as_one_multiclass_model_on_held_out_rows(rng):
    from sklearn.metrics import log_loss

    x, arm = _arms(rng, 8000)
    train, test = slice(0, 6000), slice(6000, None)
    two = default_propensity_model(0).fit(x[train], arm[train])
    one = HistGradientBoostingClassifier(max_leaf_nodes=15, random_state=0)
    one.fit(x[train], arm[train])
    loss_two = log_loss(arm[test], two.predict_proba(x[test]), labels=[0, 1, 2, 3])
    loss_one = log_loss(arm[test], one.predict_proba(x[test]), labels=[0, 1, 2, 3])
    assert loss_two < loss_one * 1.02


def test_string_labels_and_a_named_reference(rng):
    x, arm = _arms(rng, 1500)
    names = np.array(["", "fip", "app", "top"], dtype=object)[arm]
    model = TwoStepPropensity(LogisticRegression(), LogisticRegression(), reference="")
    proba = model.fit(x, names).predict_proba(x)
    assert model.classes_.tolist() == ["", "app", "fip", "top"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba[:, 0] > 0).all()


def test_a_step_with_a_single_answer_gives_constant_probabilities(rng):
    x, _ = _arms(rng, 400)
    only_one = np.where(np.arange(400) % 4 == 0, 2, 0)
    model = TwoStepPropensity(LogisticRegression(), LogisticRegression()).fit(x, only_one)
    assert model.which_model_ is None
    proba = model.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_, [0, 2])
    everyone = np.full(400, 3)
    model = TwoStepPropensity(LogisticRegression(), LogisticRegression()).fit(x, everyone)
    assert model.any_model_ is None and model.which_model_ is None
    np.testing.assert_array_equal(model.predict_proba(x), np.ones((400, 1)))


def test_a_rare_approach_does_not_break_early_stopping(rng):
    # Three participants of approach 3: the gradient boosting step fits without early
    # stopping instead of failing on a validation split without them.
    x, arm = _arms(rng, 2000)
    arm[arm == 3] = 2
    arm[:3] = 3
    proba = default_propensity_model(0).fit(x, arm).predict_proba(x)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_it_passes_scikit_learns_estimator_checks():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.utils.estimator_checks import check_estimator

    # Short boosting runs keep the checks quick; they test the wrapper, not the trees.
    def quick():
        return HistGradientBoostingClassifier(max_iter=20, early_stopping=False)

    model = TwoStepPropensity(any_model=quick(), which_model=quick())
    results = check_estimator(model, on_fail=None, on_skip=None)
    failed = [
        (r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"
    ]
    assert not failed


def test_gradient_boosting_steps_get_the_raw_features_with_unknowns():
    assert handles_nan(TwoStepPropensity())
    assert not handles_nan(TwoStepPropensity(which_model=LogisticRegression()))
    assert not handles_nan(LogisticRegression())
