"""Off-line policy evaluation and a shallow policy tree.

A *policy* says, for each client of a history, which approach they would get (or usual
care). Its value is estimated doubly robustly from the logged data: the mean over clients of
the AIPW score of the arm the policy picks, ``mu_pi(x) + 1[T = pi(x)] (Y - mu_pi(x)) /
e_pi(x)``, with propensities floored at ``trim`` times the arm's share. The value of current
practice is the mean observed outcome. Differences between two policies use the per-client
differences of scores, so their interval accounts for the shared noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._fields import FIELDS, Kind
from matchkit.errors import ParameterError
from matchkit.learn._data import arms_of
from matchkit.learn._effects import EffectModel, fit_effects
from matchkit.learn._estimate import Estimate, mean_estimate
from matchkit.learn._history import TREATMENT_COLUMN, History

if TYPE_CHECKING:  # scikit-learn is imported where it is used: `import matchkit` stays quick
    from sklearn.tree import DecisionTreeClassifier

__all__ = ["PolicyTree", "PolicyValue", "evaluate_policy", "fit_policy_tree", "policy_value"]

Policy = Any  # BatchResult, Plan, callable, or a sequence of approach ids


@dataclass(frozen=True)
class PolicyValue:
    """The estimated value of a policy, of current practice, and the differences.

    Attributes
    ----------
    value : Estimate
        Mean outcome had the history's clients been assigned by the policy.
    current : Estimate
        Mean outcome under current practice (the logged assignment).
    vs_current : Estimate
        ``value - current``.
    difference : Estimate or None
        ``value`` minus the value of ``against``, when given.
    against : Estimate or None
        The value of ``against``.
    assigned : dict
        How many clients the policy gives each approach (and usual care).
    """

    value: Estimate
    current: Estimate
    vs_current: Estimate
    difference: Estimate | None = None
    against: Estimate | None = None
    assigned: dict[str, int] | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return the estimates as a table."""
        rows = {"policy": self.value, "current practice": self.current}
        rows["policy - current"] = self.vs_current
        if self.against is not None and self.difference is not None:
            rows["against"] = self.against
            rows["policy - against"] = self.difference
        return pd.DataFrame({k: v.to_dict() for k, v in rows.items()}).T.drop(columns="label")


def _policy_labels(model: EffectModel, policy: Policy) -> pd.Series:
    """Approach ids (NA = usual care) per row of the fitted history's input."""
    from matchkit.planning import Plan
    from matchkit.recommend import BatchResult

    source = model.source_input_
    n = len(source)
    ids = source.client_ids if isinstance(source, Caseload) else None
    if isinstance(policy, BatchResult):
        if ids is None or policy.client_ids != ids:
            raise ParameterError(
                "policy: the BatchResult is not for the history's clients (client ids differ)"
            )
        top = policy.top1()
        names = np.asarray(policy.approach_ids, dtype=object)
        return pd.Series([names[t] if t >= 0 else None for t in top], dtype="string")
    if isinstance(policy, Plan):
        if ids is None:
            raise ParameterError("policy: a Plan needs a history of clients with client ids")
        table = policy.assignments.set_index("client_id")["approach_id"]
        unknown = sorted(set(ids) - set(table.index.astype(str)))
        if unknown:
            raise ParameterError(
                f"policy: the Plan lacks {len(unknown)} client(s) of the history, e.g. "
                f"{unknown[0]!r}"
            )
        return pd.Series(table.reindex(ids).to_numpy(), dtype="string")
    values = policy(source) if callable(policy) else policy
    labels = pd.Series(np.asarray(values, dtype=object)).astype("string")
    if len(labels) != n:
        raise ParameterError(
            f"policy: expected one approach id (or None) per client, {n} in all; got {len(labels)}"
        )
    return labels.mask(labels == "", pd.NA)


def _arms(model: EffectModel, policy: Policy) -> npt.NDArray[np.int64]:
    labels = _policy_labels(model, policy).iloc[model.rows_].reset_index(drop=True)
    arm = arms_of(labels, model.approach_ids_)
    if (arm < 0).any():
        bad = labels[arm < 0].value_counts()
        raise ParameterError(
            "policy assigns approaches the history holds too little of to evaluate: "
            + ", ".join(f"{a!r} ({c} clients)" for a, c in bad.items())
            + f"; estimable: {', '.join(model.approach_ids_)}"
        )
    return arm


def evaluate_policy(model: EffectModel, policy: Policy, against: Policy = None) -> PolicyValue:
    """Value a policy with the nuisances of a model fitted in this session."""
    if not hasattr(model, "mu_"):
        raise ParameterError(
            "policy_value needs a model fitted in this session (a loaded model has no nuisances)"
        )
    g = model.scores()
    rows = np.arange(len(g))
    arm = _arms(model, policy)
    g_pi = g[rows, arm]
    value = mean_estimate(g_pi, label="policy value")
    current = mean_estimate(model.y_, label="current practice")
    vs = mean_estimate(g_pi - model.y_, label="policy - current practice")
    labels = ("usual care", *model.approach_ids_)
    counts = np.bincount(arm, minlength=len(labels))
    assigned = {labels[i]: int(c) for i, c in enumerate(counts)}
    if against is None:
        return PolicyValue(value, current, vs, assigned=assigned)
    g_b = g[rows, _arms(model, against)]
    return PolicyValue(
        value,
        current,
        vs,
        difference=mean_estimate(g_pi - g_b, label="policy - against"),
        against=mean_estimate(g_b, label="against"),
        assigned=assigned,
    )


def policy_value(
    history: History | pd.DataFrame,
    policy: Policy,
    *,
    outcome: str,
    treatment: str = TREATMENT_COLUMN,
    against: Policy = None,
    model: EffectModel | None = None,
    **fit_options: Any,
) -> PolicyValue:
    """Doubly robust value of a policy from logged data, with 95% intervals.

    Parameters
    ----------
    history : History or DataFrame
        The logged data.
    policy : BatchResult, Plan, callable or sequence
        A BatchResult (each client's rank-1 approach; none eligible means usual care), a Plan
        (its assignment), a function from the history's Caseload (or DataFrame) to an array
        of approach ids with None for usual care, or such an array.
    outcome : str
        The outcome column.
    treatment : str
        The treatment column of a DataFrame.
    against : policy, optional
        A second policy; the result then holds the difference with its interval.
    model : EffectModel, optional
        A model fitted in this session on the same history, whose cross-fitted nuisances are
        reused (saves a fit); by default one is fitted with ``fit_options``.
    **fit_options
        Passed to :func:`fit_effects` (``folds``, ``random_state``, models, ``trim``...).

    Returns
    -------
    PolicyValue
    """
    if model is None:
        model = fit_effects(history, outcome, treatment, **fit_options)
    elif model.outcome != outcome:
        raise ParameterError(f"model is for outcome {model.outcome!r}, not outcome={outcome!r}")
    return evaluate_policy(model, policy, against)


@dataclass(frozen=True)
class PolicyTree:
    """A shallow decision tree that assigns approaches; readable as text, usable as a policy.

    Attributes
    ----------
    text : str
        The tree, with the features' names (``export_text``) and a legend of ordered levels.
    gain_kept : float
        On the data it was fitted on: the estimated gain over usual care of following the
        tree, as a share of the gain of giving every client their estimated best approach.
    approach_ids : tuple of str
        Class labels (``""`` is usual care).
    """

    text: str
    gain_kept: float
    tree: DecisionTreeClassifier
    model: EffectModel

    def predict(self, source: Caseload | pd.DataFrame) -> npt.NDArray[np.object_]:
        """Return the approach id the tree gives each client (None for usual care)."""
        raw = self.model.encoder_.raw(source)
        labels = self.tree.predict(raw)
        return np.asarray([None if v == "" else str(v) for v in labels], dtype=object)

    def __call__(self, source: Caseload | pd.DataFrame) -> npt.NDArray[np.object_]:
        return self.predict(source)

    def __str__(self) -> str:
        return self.text


def fit_policy_tree(
    model: EffectModel,
    depth: int,
    data: Caseload | pd.DataFrame | None,
    allowed: npt.NDArray[np.bool_] | None = None,
) -> PolicyTree:
    """Fit a depth-``depth`` tree to each client's estimated best arm, weighted by regret.

    ``allowed`` (n, K) in ``model.approach_ids_`` order restricts each client's best arm to
    the approaches they may get (usual care is always allowed).
    """
    if not isinstance(depth, int) or depth < 1:
        raise ParameterError(f"depth={depth!r}: expected a whole number >= 1")
    if data is None:
        if not hasattr(model, "raw_"):
            raise ParameterError("data: a loaded model needs the clients to fit the tree on")
        raw = model.raw_
    else:
        raw = model.encoder_.raw(data.caseload if isinstance(data, History) else data)
    est, _ = model.effect_matrix_raw(raw)
    usable = np.array([a not in model.thin_ for a in model.approach_ids_])
    open_ = usable[None, :] if allowed is None else usable[None, :] & np.asarray(allowed, bool)
    if open_.shape[1:] != (len(model.approach_ids_),) or open_.shape[0] not in (1, len(est)):
        raise ParameterError(
            f"allowed: expected a ({len(est)}, {len(model.approach_ids_)}) boolean array"
        )
    gains = np.hstack([np.zeros((len(est), 1)), np.where(open_, est, -np.inf)])
    labels = np.array(["", *model.approach_ids_], dtype=object)
    best = np.argmax(gains, axis=1)
    finite = np.where(np.isfinite(gains), gains, np.nan)
    weight = np.nanmax(finite, axis=1) - np.nanmin(finite, axis=1)
    from sklearn.tree import DecisionTreeClassifier, export_text

    tree = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(20, len(raw) // 100), random_state=0
    )
    if weight.sum() <= 0:
        weight = np.ones_like(weight)
    tree.fit(raw, labels[best].astype(str), sample_weight=weight)
    chosen = tree.predict(raw)
    lookup = {str(v): i for i, v in enumerate(labels)}
    pick = np.array([lookup[str(c)] for c in chosen])
    rows = np.arange(len(raw))
    optimal = float(np.mean(finite[rows, best]))
    kept = float(np.mean(np.nan_to_num(finite[rows, pick], nan=0.0)))
    share = kept / optimal if optimal > 0 else float("nan")
    names = model.encoder_.raw_names_
    class_names = [str(c) or "usual care" for c in tree.classes_]
    if tree.tree_.node_count == 1:  # export_text prints a lone leaf's class as its index
        text = f"|--- class: {class_names[0]}\n"
    else:
        text = export_text(tree, feature_names=names, class_names=class_names)
    legend = [
        f"  {name}: " + ", ".join(f"{i}={v}" for i, v in enumerate(FIELDS[name].values))
        for name in names
        if name in FIELDS
        and FIELDS[name].kind is Kind.ENUM
        and FIELDS[name].ordered
        and name in text
    ]
    if legend:
        text += "levels:\n" + "\n".join(legend) + "\n"
    return PolicyTree(text, share, tree, model)
