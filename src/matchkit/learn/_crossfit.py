"""Cross-fitted nuisance models: who took part in what (propensity), and what followed.

Rows are split into ``folds`` folds, stratified by arm; each fold's predictions come from
models fitted on the other folds, so no row's own outcome informs its prediction. The
propensity model is one classifier over all arms (usual care included; by default in two
steps, any approach and then which one); the
outcome model is fitted separately on each arm's rows (a T-learner) and predicts every row's
expected outcome under every arm. The default models are in :mod:`matchkit.learn._models`
(imported when a fit starts: ``import matchkit`` does not load scikit-learn).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from matchkit._types import FloatArray

__all__ = ["crossfit", "fold_ids"]

_MIN_ARM_ROWS = 20  # below this many training rows an arm's outcome model is its mean


def fold_ids(
    arm: npt.NDArray[np.int64], folds: int, random_state: int | None
) -> npt.NDArray[np.int64]:
    """Assign rows to folds, each arm spread evenly over the folds (no warnings, no gaps)."""
    rng = np.random.default_rng(random_state)
    out = np.empty(len(arm), dtype=np.int64)
    for a in np.unique(arm):
        idx = np.flatnonzero(arm == a)
        out[rng.permutation(idx)] = np.arange(len(idx)) % folds
    return out


def _predict_outcome(model: Any, x: FloatArray) -> FloatArray:
    from sklearn.base import is_classifier

    if is_classifier(model):
        proba = model.predict_proba(x)
        classes = list(model.classes_)
        return np.asarray(proba[:, classes.index(1.0)] if 1.0 in classes else np.zeros(len(x)))
    return np.asarray(model.predict(x), dtype=np.float64)


def crossfit(
    x_prop: FloatArray,
    x_out: FloatArray,
    arm: npt.NDArray[np.int64],
    y: FloatArray,
    n_arms: int,
    *,
    folds: int,
    random_state: int | None,
    propensity_model: Any,
    outcome_model: Any,
    n_jobs: int = 1,
) -> tuple[FloatArray, FloatArray]:
    """Cross-fit the nuisances on ``n_jobs`` threads, each model fit on one thread.

    The fits (one propensity model per fold, one outcome model per fold and arm) are
    independent, so with ``n_jobs > 1`` they run side by side on a pool of ``n_jobs`` threads,
    largest first, each with one OpenMP/BLAS thread; every fit writes its own rows and
    columns, so the result is the same for every ``n_jobs``.

    Returns
    -------
    mu : ndarray (n, n_arms)
        Each row's predicted outcome under each arm (arm 0 usual care).
    propensity : ndarray (n, n_arms)
        Each row's predicted probability of each arm.
    """
    # Not OpenMP threads inside each fit: gradient boosting synchronises its threads many
    # times per tree, and on a machine shared with other work a thread that waits for a busy
    # core made fits 5-10 times slower than one thread (5 propensity folds of
    # generate_history(100_000) at load average 4.4: 250 s wall and 164 s CPU with two OpenMP
    # threads, 35 s wall and 20 s CPU with two fits side by side on one thread each).
    tasks = _tasks(arm, y, n_arms, folds, random_state)
    mu = np.empty((len(y), n_arms))
    prop = np.zeros((len(y), n_arms))

    def run(task: _Task) -> None:
        with threadpool_limits(limits=1):
            _run_task(task, x_prop, x_out, arm, y, propensity_model, outcome_model, mu, prop)

    if n_jobs == 1 or len(tasks) == 1:
        for task in tasks:
            run(task)
        return mu, prop
    from concurrent.futures import ThreadPoolExecutor

    with threadpool_limits(limits=1), ThreadPoolExecutor(max_workers=n_jobs) as pool:
        # list() re-raises the first fit's exception, if any, here.
        list(pool.map(run, sorted(tasks, key=lambda t: -t.cost)))
    return mu, prop


class _Task(NamedTuple):
    """One model fit of the cross-fitting: ``arm is None`` for the propensity model."""

    test: npt.NDArray[np.bool_]
    train: npt.NDArray[np.bool_]
    arm: int | None
    cost: float  # training rows times the trees per iteration: the larger fits go first


def _tasks(
    arm: npt.NDArray[np.int64], y: FloatArray, n_arms: int, folds: int, random_state: int | None
) -> list[_Task]:
    fold = fold_ids(arm, folds, random_state)
    tasks = []
    for k in range(folds):
        test = fold == k
        train = ~test
        if not test.any():
            continue
        tasks.append(_Task(test, train, None, float(train.sum() * n_arms)))
        for a in range(n_arms):
            rows = train & (arm == a)
            tasks.append(_Task(test, rows, a, float(rows.sum())))
    return tasks


def _run_task(
    task: _Task,
    x_prop: FloatArray,
    x_out: FloatArray,
    arm: npt.NDArray[np.int64],
    y: FloatArray,
    propensity_model: Any,
    outcome_model: Any,
    mu: FloatArray,
    prop: FloatArray,
) -> None:
    from sklearn.base import clone

    from matchkit.learn._models import fit_safe

    test, rows = task.test, task.train
    if task.arm is None:
        pm = fit_safe(clone(propensity_model), x_prop[rows], arm[rows])
        proba = pm.predict_proba(x_prop[test])
        for c, label in enumerate(pm.classes_):
            prop[test, int(label)] = proba[:, c]
        return
    a = task.arm
    ya = y[rows]
    if rows.sum() < _MIN_ARM_ROWS or np.unique(ya).size < 2:
        train = ~test
        mu[test, a] = float(ya.mean()) if len(ya) else float(y[train].mean())
        return
    om = fit_safe(clone(outcome_model), x_out[rows], ya)
    mu[test, a] = _predict_outcome(om, x_out[test])
