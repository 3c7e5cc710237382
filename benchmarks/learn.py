"""Effect estimation benchmark (not a test): fit time at scale, and EconML side by side.

    python benchmarks/learn.py [--rows 100000] [--approaches 7] [--econml] [--seed 1]

1. fit     ``fit_effects`` on a synthetic history of ``--rows`` rows x ``--approaches``
           approaches with a planted truth: wall time, and how far the estimated ATEs are
           from the truth.
2. econml  (``--econml``, needs the ``bench`` extra) EconML's ``DRLearner`` with the same
           nuisance models on the same history: fit time and the true value of each one's
           policy (every client to their estimated best arm, usual care included), printed
           as ratios matchkit / EconML measured in one run.

The history is ``matchkit.generate_history`` when it exists, otherwise the planted-truth
simulation of the tests (``tests/learn/sim.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matchkit as mk  # noqa: E402
from matchkit.errors import DataQualityWarning, OverlapWarning  # noqa: E402


def history(rows: int, approaches: int, seed: int) -> Any:
    generate = getattr(mk, "generate_history", None)
    if generate is not None:
        return generate(rows, seed=seed)
    from tests.learn.sim import simulate_history

    return simulate_history(rows, seed=seed, k=approaches)


def true_policy_value(h: Any, effects: np.ndarray, ids: tuple[str, ...]) -> float:
    """Mean true outcome when each client gets their estimated best arm (0 = usual care)."""
    truth = h.truth
    order = [truth.approach_ids.index(a) for a in ids]
    gains = np.hstack([np.zeros((len(effects), 1)), effects])
    pick = gains.argmax(axis=1)
    outcome = truth.baseline.copy()
    chosen = pick > 0
    cols = np.asarray(order)[pick[chosen] - 1]
    outcome[chosen] = truth.treated[np.flatnonzero(chosen), cols]
    return float(outcome.mean())


def fit_matchkit(h: Any, outcome: str, n_jobs: int = 1) -> tuple[Any, float]:
    start = time.perf_counter()
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OverlapWarning)
        warnings.simplefilter("ignore", DataQualityWarning)
        model = mk.fit_effects(h, outcome, n_jobs=n_jobs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"fit_effects (n_jobs={n_jobs}): {seconds:.1f} s wall, {cpu:.1f} s CPU")
    return model, seconds


def fit_econml(h: Any, model: Any, outcome: str, n_jobs: int) -> tuple[np.ndarray, float]:
    from econml.dr import DRLearner
    from sklearn.linear_model import LassoCV
    from threadpoolctl import threadpool_limits

    from matchkit.learn._features import FeatureEncoder
    from matchkit.learn._models import default_outcome_model, default_propensity_model

    enc = FeatureEncoder(model.features_ + model.controls_).fit(h.caseload)
    x = enc.basis(enc.raw(h.caseload))
    t = h.approach.fillna("").to_numpy(dtype=object).astype(str)
    y = h.outcomes[outcome].to_numpy()
    start = time.perf_counter()
    cpu = time.process_time()
    # The same nuisance models and the same number of threads as matchkit's fit; DRLearner
    # needs a regressor for the outcome and fits its final stage per arm (LassoCV: linear,
    # penalty by CV, its folds run on n_jobs processes).
    dr = DRLearner(
        model_propensity=default_propensity_model(0),
        model_regression=default_outcome_model(False, 0),
        model_final=LassoCV(cv=3, n_jobs=n_jobs),
        cv=5,
        random_state=0,
        categories=["", *model.approach_ids_],
    )
    with threadpool_limits(limits=n_jobs):
        dr.fit(y, t, X=x)
        effects = np.column_stack([dr.effect(x, T0="", T1=a).ravel() for a in model.approach_ids_])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"econml DRLearner (n_jobs={n_jobs}): {seconds:.1f} s wall, {cpu:.1f} s CPU")
    return effects, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--approaches", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--econml", action="store_true")
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="threads for fit_effects and for EconML alike"
    )
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores (may be shared), "
        f"python {platform.python_version()}"
    )
    h = history(args.rows, args.approaches, args.seed)
    # Import scikit-learn's models before any clock starts: fit_effects imports them lazily,
    # and without this the first fit timed (matchkit's) would pay the import for both.
    import sklearn.ensemble
    import sklearn.linear_model  # noqa: F401

    outcome = h.truth.outcome
    print(f"history: {len(h)} rows, {len(h.approach_ids)} approaches, outcome {outcome}")
    model, seconds = fit_matchkit(h, outcome, args.n_jobs)
    truth = h.truth
    for a in model.approach_ids_:
        true_ate = truth.effects[model.kept_[a], truth.approach_ids.index(a)].mean()
        ate = model.ate(a)
        print(
            f"  {a:<24} ATE {ate.estimate:+.4f} (95% CI {ate.ci_low:+.4f} to "
            f"{ate.ci_high:+.4f})  truth {true_ate:+.4f}  covered {ate.covers(true_ate)}"
        )
    if args.econml:
        est, _ = model.effect_matrix(h.caseload)
        ours = true_policy_value(h, est, model.approach_ids_)
        theirs_effects, theirs_seconds = fit_econml(h, model, outcome, args.n_jobs)
        theirs = true_policy_value(h, theirs_effects, model.approach_ids_)
        usual = float(truth.baseline.mean())
        oracle = float(np.maximum(truth.effects.max(axis=1), 0).mean() + usual)
        print(f"true policy value: usual care {usual:.4f}, oracle {oracle:.4f}")
        print(f"  matchkit {ours:.4f}, econml {theirs:.4f}")
        print(
            f"ratios matchkit/econml: policy gain over usual care "
            f"{(ours - usual) / (theirs - usual):.2f}, fit time {seconds / theirs_seconds:.2f}"
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
