"""Compare matching policies off-line on a history: catalog, learned, current, random, tree.

Every policy chooses, per client, among usual care and the approaches that are not
ineligible for the client under the catalog's hard rules (on the recorded facts) and that the
history holds enough of to estimate. Values are doubly robust (the mean, over clients, of the
cross-fitted AIPW score of the option the policy picks; see ``docs/learning.md``), overall
and per audit group, with 95% intervals. On a synthetic history the true value is shown too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._catalog import Catalog
from matchkit._types import BoolArray, FloatArray, IntArray
from matchkit.errors import ParameterError
from matchkit.learn._effects import EffectModel, fit_effects
from matchkit.learn._history import History
from matchkit.learn._policy import PolicyTree
from matchkit.planning import group_masks
from matchkit.recommend import INELIGIBLE, Recommender

__all__ = ["POLICIES", "PolicyComparison", "compare_policies"]

POLICIES: Final = ("catalog", "learned", "current practice", "random", "policy tree", "oracle")
"""The policies compared, in report order (``oracle`` only on a history with a planted truth)."""

_Z95: Final = 1.959963984540054


@dataclass(frozen=True)
class PolicyComparison:
    """The result of :func:`compare_policies`.

    Attributes
    ----------
    values : DataFrame
        One row per policy: ``value`` (doubly robust), ``ci_low``, ``ci_high``,
        ``true_value`` (NaN without a planted truth) and ``treated`` (share of clients the
        policy gives an approach).
    groups : DataFrame
        Per audit group (``dimension``, ``group``, ``clients``): each policy's doubly robust
        value, and with a planted truth each policy's true value (``true: <policy>``).
    picks : dict of str to object array
        Each policy's choice per client of the history: an approach id, or None for usual care.
    outcome : str
    n : int
        Clients the values are over (after trimming for overlap).
    model : EffectModel
        The effect model behind the learned policy, the tree and the scores.
    tree : PolicyTree
        The policy tree (fitted on the clients' allowed options).
    """

    values: pd.DataFrame
    groups: pd.DataFrame
    picks: dict[str, npt.NDArray[np.object_]]
    outcome: str
    n: int
    model: EffectModel = field(repr=False)
    tree: PolicyTree = field(repr=False)


def _arms(picks: npt.NDArray[np.object_], options: Sequence[str]) -> IntArray:
    lookup = {a: i + 1 for i, a in enumerate(options)}
    return np.fromiter((lookup.get(p, 0) if p is not None else 0 for p in picks), np.int64)


def _estimate(values: FloatArray) -> tuple[float, float, float]:
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return mean, mean - _Z95 * se, mean + _Z95 * se


def _allowed(history: History, catalog: Catalog, options: Sequence[str]) -> BoolArray:
    """Which (client, approach) pairs a policy may choose: not ineligible, in the catalog."""
    result = Recommender(catalog).recommend_batch(history.caseload)
    allowed = np.zeros((len(history), len(options)), dtype=bool)
    for j, a in enumerate(options):
        if a in catalog.ids:
            allowed[:, j] = result.status[:, catalog.ids.index(a)] != INELIGIBLE
    return allowed


def _best(gain: FloatArray, allowed: BoolArray, options: Sequence[str]) -> npt.NDArray[np.object_]:
    """Each client's allowed option with the highest positive gain; None (usual care) else."""
    out: npt.NDArray[np.object_] = np.full(len(gain), None, dtype=object)
    if not len(options):
        return out
    masked = np.where(allowed, gain, -np.inf)
    best = np.argmax(masked, axis=1)
    top = masked[np.arange(len(gain)), best]
    names = np.asarray(options, dtype=object)
    out[top > 0] = names[best[top > 0]]
    return out


def _catalog_picks(
    history: History, catalog: Catalog, allowed: BoolArray, options: Sequence[str]
) -> npt.NDArray[np.object_]:
    """Return the catalog recommender's first-ranked allowed approach (it always picks one)."""
    result = Recommender(catalog).recommend_batch(history.caseload)
    rank = np.full(allowed.shape, np.iinfo(np.int32).max, dtype=np.int64)
    for j, a in enumerate(options):
        if a in catalog.ids:
            col = result.rank[:, catalog.ids.index(a)].astype(np.int64)
            rank[:, j] = np.where(allowed[:, j] & (col > 0), col, rank[:, j])
    best = np.argmin(rank, axis=1)
    some = rank[np.arange(len(rank)), best] < np.iinfo(np.int32).max
    out: npt.NDArray[np.object_] = np.full(len(rank), None, dtype=object)
    out[some] = np.asarray(options, dtype=object)[best[some]]
    return out


def _learned_picks(
    history: History,
    catalog: Catalog,
    model: EffectModel,
    allowed: BoolArray,
    options: Sequence[str],
) -> npt.NDArray[np.object_]:
    """Return the learned recommender's first choice; usual care where no gain is positive."""
    learned = Recommender(catalog, effects=model).recommend_batch(history.caseload).learned
    if learned is None:  # pragma: no cover - effects were given
        raise ParameterError("effects: the recommender did not use the learned effects")
    gain = np.column_stack([learned.gain[:, catalog.ids.index(a)] for a in options])
    return _best(gain, allowed, options)


def _restrict(picks: npt.NDArray[Any], allowed: BoolArray, options: Sequence[str]) -> Any:
    """Usual care where a policy picks an approach that is not allowed for the client."""
    arm = _arms(np.asarray(picks, dtype=object), options)
    ok = (arm == 0) | allowed[np.arange(len(arm)), np.maximum(arm - 1, 0)]
    out = np.asarray(picks, dtype=object).copy()
    out[~ok] = None
    return out


def compare_policies(
    history: History,
    outcome: str,
    *,
    catalog: Catalog,
    model: EffectModel | None = None,
    seed: int = 0,
    tree_depth: int = 2,
    **fit_options: Any,
) -> PolicyComparison:
    """Value the catalog, learned, current, random and tree policies on a history.

    Parameters
    ----------
    history : History
        The logged data (validated; see :func:`matchkit.read_history`).
    outcome : str
        The outcome column to value the policies by.
    catalog : Catalog
        Its hard rules say which approaches a client may get; its score is the catalog policy.
    model : EffectModel, optional
        An effect model fitted in this session on ``history`` for ``outcome``; by default one
        is fitted with ``fit_options`` (``features``, ``folds``, ...) and ``random_state=seed``.
    seed : int
        Seeds the effect model (when fitted here) and the random policy's draw.
    tree_depth : int
        Depth of the policy tree.

    Returns
    -------
    PolicyComparison

    Notes
    -----
    The learned policy and the tree are learned from the same history they are valued on,
    so their doubly robust values lean optimistic; with a planted truth, ``true_value`` has
    no such lean. ``random`` is the expected value of choosing uniformly among a client's
    allowed options (usual care included). ``oracle`` (planted truth only) picks each
    client's truly best allowed option.
    """
    if not isinstance(history, History):
        raise ParameterError("history: expected a History (see matchkit.read_history)")
    if model is None:
        model = fit_effects(history, outcome, random_state=seed, **fit_options)
    elif model.outcome != outcome:
        raise ParameterError(f"model is for outcome {model.outcome!r}, not outcome={outcome!r}")
    options = tuple(a for a in model.approach_ids_ if a not in model.thin_ and a in catalog.ids)
    rows = np.asarray(model.rows_, dtype=np.intp)
    scores = np.asarray(model.scores(), dtype=np.float64)
    # Score columns: usual care, then model.approach_ids_; keep those of the options.
    keep_cols = [0] + [1 + list(model.approach_ids_).index(a) for a in options]
    g = scores[:, keep_cols]
    allowed = _allowed(history, catalog, options)
    truth = history.truth_for(outcome)

    picks: dict[str, npt.NDArray[np.object_]] = {
        "catalog": _catalog_picks(history, catalog, allowed, options),
        "learned": _learned_picks(history, catalog, model, allowed, options),
        "current practice": _restrict(
            history.approach.astype(object).where(history.approach.notna(), None).to_numpy(),
            allowed,
            options,
        ),
    }
    rng = np.random.Generator(np.random.PCG64([int(seed), 5]))
    open_ = np.column_stack([np.ones(len(history), dtype=bool), allowed])
    keys = np.where(open_, rng.random(open_.shape), -1.0)
    draw = np.argmax(keys, axis=1)
    names = np.asarray((None, *options), dtype=object)
    picks["random"] = names[draw]
    tree_allowed = np.zeros((len(rows), len(model.approach_ids_)), dtype=bool)
    for j, a in enumerate(options):
        tree_allowed[:, list(model.approach_ids_).index(a)] = allowed[rows, j]
    tree = model.policy_tree(
        depth=tree_depth, data=history.caseload.take(rows), allowed=tree_allowed
    )
    picks["policy tree"] = _restrict(tree.predict(history.caseload), allowed, options)

    true_options: FloatArray | None = None
    if truth is not None:
        true_options = np.full((len(history), len(options) + 1), np.nan)
        true_options[:, 0] = truth.baseline
        for j, a in enumerate(options, start=1):
            if a in truth.approach_ids:
                true_options[:, j] = truth.treated[:, truth.approach_ids.index(a)]
        gain = true_options[:, 1:] - true_options[:, :1]
        picks["oracle"] = _best(np.nan_to_num(gain, nan=-np.inf), allowed, options)

    open_kept = open_[rows]
    per_client: dict[str, FloatArray] = {}
    true_client: dict[str, FloatArray] = {}
    for name, pick in picks.items():
        arm = _arms(pick, options)
        if name == "current practice":
            # The logged assignment: its value is the mean observed outcome.
            per_client[name] = np.asarray(model.y_, dtype=np.float64)
        elif name == "random":
            per_client[name] = np.where(open_kept, g, 0.0).sum(axis=1) / open_kept.sum(axis=1)
        else:
            per_client[name] = g[np.arange(len(rows)), arm[rows]]
        if true_options is not None:
            if name == "random":
                true_client[name] = np.nanmean(np.where(open_, true_options, np.nan), axis=1)
            else:
                true_client[name] = true_options[np.arange(len(history)), arm]

    value_rows = []
    for name in picks:
        value, low, high = _estimate(per_client[name])
        true_value = float(np.mean(true_client[name])) if name in true_client else np.nan
        treated = float(np.mean([p is not None for p in picks[name]]))
        value_rows.append(
            {
                "policy": name,
                "value": value,
                "ci_low": low,
                "ci_high": high,
                "true_value": true_value,
                "treated": treated,
            }
        )
    values = pd.DataFrame(value_rows).set_index("policy")
    groups = _group_table(history, rows, per_client, true_client)
    return PolicyComparison(values, groups, picks, outcome, len(rows), model, tree)


def _group_table(
    history: History,
    rows: npt.NDArray[np.intp],
    per_client: Mapping[str, FloatArray],
    true_client: Mapping[str, FloatArray],
) -> pd.DataFrame:
    frame = history.caseload.frame
    table = []
    for dim, levels in group_masks(frame).items():
        for level, mask in levels.items():
            kept = mask[rows]
            row: dict[str, object] = {"dimension": dim, "group": level, "clients": int(kept.sum())}
            for name, v in per_client.items():
                row[name] = float(v[kept].mean()) if kept.any() else np.nan
            for name, v in true_client.items():
                row[f"true: {name}"] = float(v[mask].mean()) if mask.any() else np.nan
            table.append(row)
    return pd.DataFrame(table)
