"""Doubly robust effect estimation: several approaches, each against usual care.

The method (``docs/learning.md`` has the long form):

1. Cross-fit a multiclass propensity model ``e_a(x)`` and per-arm outcome models
   ``mu_a(x)`` (``_crossfit``).
2. Overlap: for approach ``a`` keep the rows where both ``e_a(x)`` and ``e_0(x)`` (usual
   care) are at least ``trim`` times that arm's share of the rows; warn how many were trimmed
   and from which arm. It is an :class:`OverlapError` when fewer than two participants or
   usual-care rows are left, or when fewer than 10% of the participants have a pairwise
   propensity ``e_a / (e_a + e_0)`` within the range of usual care's (separated groups).
3. AIPW scores ``G_a = mu_a + 1[T=a] (Y - mu_a) / e_a``; the ATE of ``a`` is the mean of
   ``G_a - G_0`` over the kept rows, its standard error the scores' standard deviation over
   ``sqrt(n)``. The ATT uses the doubly robust ATT score (participants of ``a`` against usual
   care reweighted by ``e_a / e_0``).
4. Heterogeneity (DR-learner): regress ``G_a - G_0`` on the effect basis (the features
   standardised, missing indicators and step indicators ``x >= t``) with a ridge
   penalty chosen by generalised cross-validation (noisy pseudo-outcomes on few
   participants get a strong penalty, so effects shrink toward the average instead of
   chasing noise); a sandwich (HC1) covariance gives each client's interval
   ``x'b ± 1.96 sqrt(x'Vx)``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits

from matchkit._caseload import Caseload
from matchkit._types import FloatArray
from matchkit.errors import DataQualityWarning, OverlapError, OverlapWarning, ParameterError
from matchkit.learn._crossfit import crossfit
from matchkit.learn._data import prepare, warn_unknown
from matchkit.learn._estimate import Z95, Estimate, mean_estimate
from matchkit.learn._features import FeatureEncoder
from matchkit.learn._history import TREATMENT_COLUMN, History
from matchkit.learn._neighbours import Neighbours

__all__ = ["EffectModel", "fit_effects", "load_effects"]

FORMAT = "matchkit-effects/2"
_READABLE_FORMATS = ("matchkit-effects/1", FORMAT)  # format 1: a final stage without steps
_MIN_INSIDE = (
    0.1  # below this share of participants inside usual care's propensity range: no overlap
)


class EffectModel:
    """Effects of approaches against usual care, learned from a history.

    Build one with :func:`fit_effects`, or :func:`load_effects` from a saved file. Fitted
    attributes end in ``_``; the cross-fitted nuisances (``mu_``, ``propensity_``) exist only
    on a model fitted in this session, not on a loaded one.

    Attributes
    ----------
    approach_ids_ : tuple of str
        The approaches estimated (usual care is the comparison, not listed).
    n_participants_ : dict
        Participants per approach in the history; ``"usual care"`` holds the comparison rows.
    thin_ : tuple of str
        Approaches with fewer than ``min_participants`` participants: their effects are
        uncertain and the recommender falls back to the catalog score for them.
    ate_, att_ : dict of approach id to Estimate
    coef_, cov_ : ndarrays (K, p) and (K, p, p)
        Final-stage coefficients (intercept first) and their sandwich covariance.
    trimmed_ : dict
        Per approach, rows left out for lack of overlap by the arm they took part in.
    """

    def __init__(
        self,
        *,
        outcome: str,
        treatment: str = TREATMENT_COLUMN,
        features: Sequence[str] | None = None,
        controls: Sequence[str] | None = None,
        justifications: Mapping[str, str] | None = None,
        folds: int = 5,
        random_state: int | None = 0,
        propensity_model: Any = None,
        outcome_model: Any = None,
        binary: bool | None = None,
        trim: float = 0.05,
        min_participants: int = 50,
        alpha: float | str = "gcv",
        neighbours: int = 1000,
        n_jobs: int | None = None,
    ) -> None:
        self.outcome = outcome
        self.treatment = treatment
        self.features = features
        self.controls = controls
        self.justifications = justifications
        self.folds = folds
        self.random_state = random_state
        self.propensity_model = propensity_model
        self.outcome_model = outcome_model
        self.binary = binary
        self.trim = trim
        self.min_participants = min_participants
        self.alpha = alpha
        self.neighbours = neighbours
        self.n_jobs = n_jobs

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters (scikit-learn convention)."""
        names = [
            "outcome",
            "treatment",
            "features",
            "controls",
            "justifications",
            "folds",
            "random_state",
            "propensity_model",
            "outcome_model",
            "binary",
            "trim",
            "min_participants",
            "alpha",
            "neighbours",
            "n_jobs",
        ]
        return {k: getattr(self, k) for k in names}

    def __repr__(self) -> str:
        fitted = hasattr(self, "approach_ids_")
        what = f"{len(self.approach_ids_)} approaches" if fitted else "not fitted"
        return f"EffectModel(outcome={self.outcome!r}, {what})"

    # -- fitting -----------------------------------------------------------------------------
    def _check_params(self) -> None:
        if not isinstance(self.folds, int) or self.folds < 2:
            raise ParameterError(f"folds={self.folds!r}: expected a whole number >= 2")
        if not 0.0 <= self.trim < 1.0:
            raise ParameterError(f"trim={self.trim!r}: expected a number in [0, 1)")
        if self.min_participants < 1:
            raise ParameterError(f"min_participants={self.min_participants!r}: expected >= 1")
        if self.n_jobs is not None and (
            not isinstance(self.n_jobs, int) or isinstance(self.n_jobs, bool) or self.n_jobs < 1
        ):
            raise ParameterError(f"n_jobs={self.n_jobs!r}: expected None or a whole number >= 1")
        if self.alpha != "gcv" and not (isinstance(self.alpha, int | float) and self.alpha >= 0):
            raise ParameterError(f"alpha={self.alpha!r}: expected 'gcv' or a number >= 0")

    def fit(self, history: History | pd.DataFrame) -> EffectModel:
        """Estimate the effects from ``history`` (see :func:`fit_effects`)."""
        self._check_params()
        data = prepare(
            history,
            self.outcome,
            self.treatment,
            self.features,
            self.controls,
            self.justifications,
            self.binary,
            min_rows=max(self.folds, 2),
        )
        self.approach_ids_ = data.approach_ids
        self.binary_ = data.binary
        self.features_ = list(data.features)
        self.controls_ = list(data.controls)
        self.source_ = "caseload" if isinstance(data.source, Caseload) else "frame"
        k = len(data.approach_ids)
        counts = np.bincount(data.arm, minlength=k + 1)
        self.n_participants_ = {"usual care": int(counts[0])} | {
            a: int(counts[i + 1]) for i, a in enumerate(data.approach_ids)
        }
        self.thin_ = tuple(
            a for i, a in enumerate(data.approach_ids) if counts[i + 1] < self.min_participants
        )
        if self.thin_:
            warnings.warn(
                f"treatment column {data.treatment!r}: "
                + ", ".join(f"{a!r} has {self.n_participants_[a]} participants" for a in self.thin_)
                + f" (fewer than min_participants={self.min_participants}); their effects are "
                "uncertain and the recommender uses the catalog score for them",
                DataQualityWarning,
                stacklevel=2,
            )
        self.encoder_ = FeatureEncoder(self.features_)
        self.raw_ = self.encoder_.fit_raw(data.source)
        if self.controls_:
            nuisance_enc = FeatureEncoder(self.features_ + self.controls_, steps=False)
            raw_nuis = nuisance_enc.fit_raw(data.source)
        else:  # the same fields: the same encoding
            nuisance_enc, raw_nuis = self.encoder_, self.raw_
        warn_unknown(nuisance_enc.raw_names_, raw_nuis, "features")
        from matchkit.learn._models import (
            default_outcome_model,
            default_propensity_model,
            handles_nan,
        )

        pm = self.propensity_model
        if pm is None:
            pm = default_propensity_model(self.random_state)
        om = self.outcome_model
        if om is None:
            om = default_outcome_model(data.binary, self.random_state)
        for model, name in ((pm, "propensity_model"), (om, "outcome_model")):
            if not hasattr(model, "fit") or not hasattr(model, "get_params"):
                raise ParameterError(f"{name}={model!r}: expected a scikit-learn estimator")
        if not hasattr(pm, "predict_proba"):
            raise ParameterError(
                f"propensity_model={pm!r}: expected a classifier with predict_proba"
            )
        x_pm = raw_nuis if handles_nan(pm) else nuisance_enc.basis(raw_nuis)
        x_om = raw_nuis if handles_nan(om) else nuisance_enc.basis(raw_nuis)
        n_jobs = self.n_jobs if self.n_jobs is not None else _usable_cores()

        def side_work() -> None:
            # What does not need the nuisances: the final stage's basis and the neighbours.
            self.basis_ = self.encoder_.effect_basis(self.raw_)
            self.neighbours_ = Neighbours.sample(
                self.raw_, data.arm, data.y, self.neighbours, self.random_state
            )

        with ThreadPoolExecutor(max_workers=1) as side:
            # With more than one job it runs beside the cross-fitting, which otherwise leaves
            # a core idle at its tail; with one job, after it.
            pending = side.submit(side_work) if n_jobs > 1 else None
            mu, prop = crossfit(
                x_pm,
                x_om,
                data.arm,
                data.y,
                len(data.approach_ids) + 1,
                folds=self.folds,
                random_state=self.random_state,
                propensity_model=pm,
                outcome_model=om,
                n_jobs=n_jobs,
            )
            if pending is None:
                side_work()
            else:
                pending.result()
        self.arm_ = data.arm
        self.y_ = data.y
        self.rows_ = data.rows
        self.mu_ = mu
        self.propensity_ = prop
        self.share_ = counts / counts.sum()
        self.source_input_ = (
            history.caseload if isinstance(history, History) else history.reset_index(drop=True)
        )
        self._estimate(data.treatment)
        self._final_stage(n_jobs)
        return self

    def scores(self) -> FloatArray:
        """Return the AIPW scores ``G`` (n, K+1) with propensities floored at the trim level."""
        e = np.maximum(self.propensity_, self.trim * self.share_[None, :])
        e = np.maximum(e, 1e-6)
        onehot = self.arm_[:, None] == np.arange(self.mu_.shape[1])[None, :]
        return np.asarray(self.mu_ + onehot * (self.y_[:, None] - self.mu_) / e)

    def _estimate(self, treatment: str) -> None:
        e = self.propensity_
        floor = self.trim * self.share_
        g = self.scores()
        self.kept_: dict[str, npt.NDArray[np.bool_]] = {}
        self.trimmed_: dict[str, dict[str, int]] = {}
        self.ate_: dict[str, Estimate] = {}
        self.att_: dict[str, Estimate] = {}
        notes = []
        labels = ("usual care", *self.approach_ids_)
        for i, a in enumerate(self.approach_ids_, start=1):
            kept = (e[:, i] >= floor[i]) & (e[:, 0] >= floor[0])
            n_t = int((kept & (self.arm_ == i)).sum())
            n_c = int((kept & (self.arm_ == 0)).sum())
            inside = _share_inside(e[:, i] / np.maximum(e[:, i] + e[:, 0], 1e-12), self.arm_, i)
            if n_t < 2 or n_c < 2 or inside < _MIN_INSIDE:
                raise OverlapError(
                    f"treatment column {treatment!r}: no overlap between {a!r} and usual care; "
                    f"{n_t} participant(s) and {n_c} usual-care row(s) have a propensity of at "
                    f"least trim={self.trim} times their arm's share, and {inside:.0%} of the "
                    "participants' propensities lie within the range of usual care's. Their "
                    "profiles do not overlap; compare like with like (restrict the rows) or "
                    "drop the approach"
                )
            dropped = ~kept
            by_arm = {
                labels[j]: int((dropped & (self.arm_ == j)).sum())
                for j in range(len(labels))
                if (dropped & (self.arm_ == j)).any()
            }
            self.kept_[a] = kept
            self.trimmed_[a] = by_arm
            if by_arm and (by_arm.get(a, 0) or by_arm.get("usual care", 0)):
                notes.append(
                    f"{a!r}: {int(dropped.sum())} rows ({by_arm.get(a, 0)} of its "
                    f"{self.n_participants_[a]} participants, {by_arm.get('usual care', 0)} "
                    "usual care)"
                )
            psi = g[kept, i] - g[kept, 0]
            label = f"ATE {self.outcome}: {a} vs usual care"
            self.ate_[a] = mean_estimate(psi, n_treated=n_t, n_control=n_c, label=label)
            self.att_[a] = self._att(i, kept, n_t, n_c, a)
        if notes:
            warnings.warn(
                f"trimmed for lack of overlap (propensity below trim={self.trim} times the arm's "
                "share): " + "; ".join(notes),
                OverlapWarning,
                stacklevel=3,
            )

    def _att(self, i: int, kept: npt.NDArray[np.bool_], n_t: int, n_c: int, a: str) -> Estimate:
        rows = kept & ((self.arm_ == i) | (self.arm_ == 0))
        treated = (self.arm_[rows] == i).astype(np.float64)
        y, mu0 = self.y_[rows], self.mu_[rows, 0]
        e = np.maximum(self.propensity_[rows], 1e-6)
        odds = np.minimum(e[:, i] / e[:, 0], 1.0 / max(self.trim * self.share_[0], 1e-6))
        resid = y - mu0
        p = treated.mean()
        theta = float(np.sum(treated * resid - (1 - treated) * odds * resid) / treated.sum())
        psi = (treated * (resid - theta) - (1 - treated) * odds * resid) / p
        se = float(np.std(psi, ddof=1) / np.sqrt(len(psi)))
        return Estimate.from_se(
            theta,
            se,
            n=int(rows.sum()),
            n_treated=n_t,
            n_control=n_c,
            label=f"ATT {self.outcome}: {a} vs usual care",
        )

    def _final_stage(self, n_jobs: int = 1) -> None:
        # Per approach, one pass over the rows for the Gram matrix (penalty by GCV and the
        # solve come from it) and one for the sandwich. The approaches run side by side on
        # n_jobs threads, each matrix product on one BLAS thread: more BLAS threads would sum
        # in another order, so the coefficients would depend on n_jobs.
        g = self.scores()
        z_all = _with_intercept(self.basis_)
        p = z_all.shape[1]
        k = len(self.approach_ids_)
        self.coef_ = np.zeros((k, p))
        self.cov_ = np.zeros((k, p, p))
        self.alpha_: dict[str, float] = {}

        def fit_one(i: int) -> None:
            a = self.approach_ids_[i]
            kept = self.kept_[a]
            z = z_all[kept]
            psi = g[kept, i + 1] - g[kept, 0]
            gram = z.T @ z
            zy = z.T @ psi
            lam = self.alpha if self.alpha != "gcv" else _gcv_alpha(gram, zy, float(psi @ psi))
            penalty = np.full(p, float(lam))
            penalty[0] = 0.0
            a_inv = np.linalg.pinv(gram + np.diag(penalty), hermitian=True)
            b = a_inv @ zy
            r = psi - z @ b
            zr = z * r[:, None]
            n = len(psi)
            hc1 = n / max(n - p, 1)
            self.coef_[i] = b
            self.cov_[i] = hc1 * a_inv @ (zr.T @ zr) @ a_inv
            self.alpha_[a] = float(lam)

        with threadpool_limits(limits=1):
            if n_jobs == 1 or k < 2:
                for i in range(k):
                    fit_one(i)
            else:
                with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                    list(pool.map(fit_one, range(k)))
        # the same key order whatever order the threads finished in
        self.alpha_ = {a: self.alpha_[a] for a in self.approach_ids_}

    # -- using ---------------------------------------------------------------------------------
    def _approach(self, approach: str | None) -> str:
        if approach is None:
            if len(self.approach_ids_) == 1:
                return self.approach_ids_[0]
            raise ParameterError(
                f"approach=None is ambiguous: the model holds {len(self.approach_ids_)} "
                f"approaches; name one of {', '.join(self.approach_ids_)}"
            )
        if approach not in self.approach_ids_:
            raise ParameterError(
                f"approach={approach!r} is not in the model; expected one of "
                f"{', '.join(self.approach_ids_)}"
            )
        return approach

    def ate(self, approach: str | None = None) -> Estimate:
        """Average effect of ``approach`` against usual care, over the overlapping rows."""
        return self.ate_[self._approach(approach)]

    def att(self, approach: str | None = None) -> Estimate:
        """Average effect of ``approach`` on those who took part in it."""
        return self.att_[self._approach(approach)]

    def effect_matrix(self, source: Caseload | pd.DataFrame) -> tuple[FloatArray, FloatArray]:
        """Per-row effects and standard errors, each (n, K) in ``approach_ids_`` order."""
        self.encoder_.check_source(source)
        return self.effect_matrix_raw(self.encoder_.raw(source))

    def effect_matrix_raw(self, raw: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-row effects and standard errors from an encoded raw feature matrix."""
        z = _with_intercept(self.encoder_.effect_basis(raw))
        # einsum, not a matrix product: BLAS may sum in a different order for another batch
        # size, and one client must get exactly its batch result.
        est = np.einsum("ij,kj->ik", z, self.coef_)
        se = (
            np.column_stack(
                [np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", z, v, z), 0.0)) for v in self.cov_]
            )
            if len(self.cov_)
            else np.empty((len(z), 0))
        )
        return est, se

    def effects(self, source: Caseload | pd.DataFrame) -> pd.DataFrame:
        """Return each client's effect of each approach with its 95% interval (a tidy frame).

        Columns: ``client_id`` (``row`` for a DataFrame), ``approach_id``, ``effect``,
        ``std_error``, ``ci_low``, ``ci_high``, ``thin``.
        """
        if isinstance(source, History):
            source = source.caseload
        est, se = self.effect_matrix(source)
        n, k = est.shape
        if isinstance(source, Caseload):
            key, ids = "client_id", np.asarray(source.client_ids, dtype=object)
        else:
            key, ids = "row", np.asarray(source.index)
        thin = np.array([a in self.thin_ for a in self.approach_ids_])
        return pd.DataFrame(
            {
                key: np.repeat(ids, k),
                "approach_id": np.tile(np.asarray(self.approach_ids_, dtype=object), n),
                "effect": est.ravel(),
                "std_error": se.ravel(),
                "ci_low": (est - Z95 * se).ravel(),
                "ci_high": (est + Z95 * se).ravel(),
                "thin": np.tile(thin, n),
            }
        )

    def summary(self) -> pd.DataFrame:
        """Return one row per approach: participants, ATE and ATT with intervals, thin flag."""
        rows = []
        for a in self.approach_ids_:
            ate, att = self.ate_[a], self.att_[a]
            rows.append(
                {
                    "approach_id": a,
                    "participants": self.n_participants_[a],
                    "ate": ate.estimate,
                    "ate_ci_low": ate.ci_low,
                    "ate_ci_high": ate.ci_high,
                    "att": att.estimate,
                    "att_ci_low": att.ci_low,
                    "att_ci_high": att.ci_high,
                    "n": ate.n,
                    "trimmed": sum(self.trimmed_.get(a, {}).values()),
                    "thin": a in self.thin_,
                }
            )
        return pd.DataFrame(rows).set_index("approach_id")

    def policy_tree(
        self,
        depth: int = 2,
        data: Caseload | pd.DataFrame | None = None,
        *,
        allowed: npt.NDArray[np.bool_] | None = None,
    ) -> Any:
        """Fit a shallow, readable policy to the estimated best approach per client.

        See :class:`matchkit.learn.PolicyTree`; ``data`` defaults to the fitted history (a
        loaded model needs it). ``allowed`` (n, K), in ``approach_ids_`` order, limits each
        client's best approach to those they may get.
        """
        from matchkit.learn._policy import fit_policy_tree

        return fit_policy_tree(self, depth, data, allowed)

    def policy_value(self, policy: Any, *, against: Any = None) -> Any:
        """Doubly robust value of a policy on the fitted history (see :func:`policy_value`)."""
        from matchkit.learn._policy import evaluate_policy

        return evaluate_policy(self, policy, against)

    # -- saving ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the fitted model as plain JSON-ready data."""
        return {
            "format": FORMAT,
            "outcome": self.outcome,
            "treatment": self.treatment,
            "binary": self.binary_,
            "features": self.features_,
            "controls": self.controls_,
            "min_participants": self.min_participants,
            "trim": self.trim,
            "approach_ids": list(self.approach_ids_),
            "n_participants": self.n_participants_,
            "thin": list(self.thin_),
            "trimmed": self.trimmed_,
            "ate": {a: e.to_dict() for a, e in self.ate_.items()},
            "att": {a: e.to_dict() for a, e in self.att_.items()},
            "encoder": self.encoder_.to_dict(),
            "coef": self.coef_.tolist(),
            "cov": self.cov_.tolist(),
            "neighbours": self.neighbours_.to_dict(),
        }

    def save(self, path: str | Path) -> None:
        """Write the fitted model as JSON (plain data; loading executes nothing)."""
        Path(path).write_text(json.dumps(self.to_dict()), encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EffectModel:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if data.get("format") not in _READABLE_FORMATS:
            raise ParameterError(
                f"format={data.get('format')!r} is not a matchkit effect model this version "
                f"reads; expected one of {', '.join(map(repr, _READABLE_FORMATS))}"
            )
        m = cls(
            outcome=str(data["outcome"]),
            treatment=str(data["treatment"]),
            features=list(data["features"]),
            controls=list(data["controls"]),
            trim=float(data["trim"]),
            min_participants=int(data["min_participants"]),
        )
        m.binary_ = bool(data["binary"])
        m.features_ = list(data["features"])
        m.controls_ = list(data["controls"])
        m.approach_ids_ = tuple(data["approach_ids"])
        m.n_participants_ = {str(k): int(v) for k, v in data["n_participants"].items()}
        m.thin_ = tuple(data["thin"])
        m.trimmed_ = {
            str(a): {str(k): int(v) for k, v in d.items()} for a, d in data["trimmed"].items()
        }
        m.ate_ = {a: Estimate(**e) for a, e in data["ate"].items()}
        m.att_ = {a: Estimate(**e) for a, e in data["att"].items()}
        m.encoder_ = FeatureEncoder.from_dict(data["encoder"])
        m.source_ = m.encoder_.source_
        k = len(m.approach_ids_)
        p = len(m.encoder_.effect_basis_names_) + 1
        m.coef_ = np.asarray(data["coef"], dtype=np.float64).reshape(k, p)
        m.cov_ = np.asarray(data["cov"], dtype=np.float64).reshape(k, p, p)
        m.neighbours_ = Neighbours.from_dict(data["neighbours"])
        return m


def _share_inside(score: FloatArray, arm: npt.NDArray[np.int64], i: int) -> float:
    """Share of arm ``i``'s rows whose score lies within the range of usual care's scores."""
    control, treated = score[arm == 0], score[arm == i]
    if not len(control) or not len(treated):
        return 0.0
    return float(np.mean((treated >= control.min()) & (treated <= control.max())))


def _gcv_alpha(gram: FloatArray, zy: FloatArray, yy: float) -> float:
    """Ridge penalty minimising generalised cross-validation (intercept unpenalised).

    From the moments of the design ``z`` (intercept first): ``gram = z'z``, ``zy = z'y`` and
    ``yy = y'y``. The centred ``x'x`` (p x p) is eigen-decomposed, so the rows are not
    visited again.
    """
    n = float(gram[0, 0])
    xm = gram[0, 1:] / n
    ym = float(zy[0]) / n
    xtx = gram[1:, 1:] - n * np.outer(xm, xm)
    xty_c = zy[1:] - n * xm * ym
    yy_c = yy - n * ym**2
    ev, vecs = np.linalg.eigh(xtx)
    ev = np.maximum(ev, 0.0)
    xty = vecs.T @ xty_c
    best, best_score = 1.0, np.inf
    for lam in n * np.logspace(-4, 2, 25):
        coef = xty / (ev + lam)
        resid = yy_c - 2.0 * float(coef @ xty) + float(np.sum(ev * coef**2))
        dof = 1.0 + float(np.sum(ev / (ev + lam)))
        score = n * resid / max(n - dof, 1.0) ** 2
        if score < best_score:
            best, best_score = float(lam), score
    return best


def _usable_cores() -> int:
    """Return how many cores this process may run on (its CPU affinity where known)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return max(len(affinity(0)) if affinity is not None else (os.cpu_count() or 1), 1)


def _with_intercept(basis: FloatArray) -> FloatArray:
    return np.hstack([np.ones((len(basis), 1)), basis])


def fit_effects(
    history: History | pd.DataFrame,
    outcome: str,
    treatment: str = TREATMENT_COLUMN,
    features: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    folds: int = 5,
    random_state: int | None = 0,
    propensity_model: Any = None,
    outcome_model: Any = None,
    **options: Any,
) -> EffectModel:
    """Estimate the effect of each approach against usual care from a history.

    Parameters
    ----------
    history : History or DataFrame
        A history, or any DataFrame with a treatment column (0/1, or approach ids with
        empty/NA for usual care) and numeric feature columns.
    outcome : str
        The outcome column (0/1 or numeric).
    treatment : str
        The treatment column of a DataFrame (a History's is ``approach_id``).
    features : sequence of str, optional
        What an effect may vary by. Default: every non-sensitive profile field (History), or
        every numeric column but treatment and outcome (DataFrame). Sensitive fields need
        ``justifications={"gender": "..."}``.
    controls : sequence of str, optional
        Confounders used only for adjustment (sensitive fields allowed). Default: the other
        profile fields (History, so gender and migration background), or the other numeric
        columns (DataFrame).
    folds : int
        Cross-fitting folds.
    random_state : int or None
        Seeds fold assignment, the default models and neighbour sampling.
    propensity_model, outcome_model : scikit-learn estimators, optional
        Any classifier (with ``predict_proba``) and any regressor or classifier; they are
        ``clone``-d. Default: histogram gradient boosting. Estimators other than histogram
        gradient boosting get the imputed basis with missing indicators instead of NaN.
    **options
        ``justifications``, ``binary`` (force or forbid a 0/1 outcome), ``trim`` (default
        0.05), ``min_participants`` (default 50), ``alpha`` (final-stage ridge penalty,
        default ``"gcv"``: chosen by generalised cross-validation), ``neighbours`` (past
        participants kept per arm for explanations, default 1000), ``n_jobs`` (model fits
        run side by side on this many threads, each fit on one thread; default None: the
        cores this process may use; the result does not depend on it).

    Returns
    -------
    EffectModel

    Raises
    ------
    ParameterError
        A missing column, a non-binary value where 0/1 is expected, no usual-care rows.
    OverlapError
        An approach whose participants have no comparable usual-care clients.
    """
    return EffectModel(
        outcome=outcome,
        treatment=treatment,
        features=features,
        controls=controls,
        folds=folds,
        random_state=random_state,
        propensity_model=propensity_model,
        outcome_model=outcome_model,
        **options,
    ).fit(history)


def load_effects(path: str | Path) -> EffectModel:
    """Load a model written by :meth:`EffectModel.save` (JSON; nothing is executed)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"path={str(path)!r} is not a JSON effect model: {exc}") from exc
    if not isinstance(data, dict):
        raise ParameterError(f"path={str(path)!r} is not a JSON effect model")
    return EffectModel.from_dict(data)
