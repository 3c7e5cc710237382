"""Compare matching strategies on a synthetic caseload with a planted truth.

Each strategy picks at most one approach per client from what a case manager would see (the
observed, partly unknown caseload). The truth is the planted effect model of histories
(:class:`matchkit.synth.PlantedWorld`), written from profile facts independently of the
catalog's rules and target profiles, so a wrong catalog preference shows up as a loss. (The
earlier evaluation judged strategies with :mod:`matchkit.synth._outcome`, whose fit reuses
the catalog's own criteria: circular.) A pick only counts when the client truly meets the
approach's hard rules: a ``verify`` pick for someone who turns out not to qualify is turned
away at intake. Metrics are defined in ``docs/evaluation.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._catalog import Catalog
from matchkit._check import check_instance, check_int
from matchkit._types import FloatArray, IntArray
from matchkit.errors import ParameterError
from matchkit.planning import group_masks, group_table
from matchkit.recommend._recommender import Recommender
from matchkit.recommend._scoring import ELIGIBLE, INELIGIBLE, VERIFY, ScoringModel
from matchkit.synth._caseload import generate_caseload
from matchkit.synth._history import HISTORY_APPROACH_IDS, PlantedWorld

__all__ = [
    "STRATEGIES",
    "Evaluation",
    "audit_groups",
    "evaluate",
    "evaluate_picks",
    "group_masks",
    "planted_gain",
]

STRATEGIES: Final = ("recommender", "rules_only", "similarity_only", "random", "oracle")
"""The strategies compared by :func:`evaluate`, in report order."""


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    metrics : DataFrame
        One row per strategy: ``expected_gain``, ``top1_agreement``, ``coverage``,
        ``verify_share``, ``turned_away``.
    groups : DataFrame
        Expected gain per strategy and audit group, with the gap between the levels of each
        group dimension.
    picks : dict of str to int array
        Each strategy's pick per client (approach index, -1 for none).
    n : int
        Number of clients.
    """

    metrics: pd.DataFrame
    groups: pd.DataFrame
    picks: dict[str, IntArray]
    n: int


def audit_groups(
    values: dict[str, FloatArray],
    caseload: Caseload | pd.DataFrame,
    *,
    value_name: str = "expected_gain",
) -> pd.DataFrame:
    """Mean of per-client values per strategy and audit group, and the gap per dimension.

    Parameters
    ----------
    values : dict of str to float array
        Per-client values (e.g. outcome gain) keyed by strategy or column name.
    caseload : Caseload or DataFrame
        The caseload the values belong to (for the group attributes).
    """
    table = group_table(
        group_masks(caseload),
        lambda mask: {
            "clients": int(mask.sum()),
            **{name: float(v[mask].mean()) if mask.any() else np.nan for name, v in values.items()},
        },
    )
    gaps: list[dict[str, object]] = []
    for dimension, part in table.groupby("dimension", sort=False):
        known = part[part["group"] != "unknown"]
        gap: dict[str, object] = {
            "dimension": str(dimension),
            "group": "gap (max - min)",
            "clients": int(known["clients"].sum()),
        }
        for name in values:
            gap[name] = float(known[name].max() - known[name].min())
        gaps.append(gap)
    return pd.concat([table, pd.DataFrame(gaps)], ignore_index=True).sort_values(
        ["dimension"], kind="stable", ignore_index=True
    )


def _random_pick(candidates: npt.NDArray[np.bool_], rng: np.random.Generator) -> IntArray:
    """Pick uniformly among each row's True columns; -1 for rows with none."""
    keys = np.where(candidates, rng.random(candidates.shape), -1.0)
    pick: IntArray = np.argmax(keys, axis=1).astype(np.int64)
    pick[~candidates.any(axis=1)] = -1
    return pick


def evaluate_picks(
    picks: IntArray,
    gain: FloatArray,
    truly_eligible: npt.NDArray[np.bool_],
    observed_status: npt.NDArray[np.int8],
) -> tuple[FloatArray, dict[str, float]]:
    """Per-client realised gain of a strategy's picks and its summary shares."""
    n = len(picks)
    rows = np.arange(n)
    chosen = picks >= 0
    safe = np.where(chosen, picks, 0)
    enters = chosen & truly_eligible[rows, safe]
    realised = np.where(enters, gain[rows, safe], 0.0)
    status = np.where(chosen, observed_status[rows, safe], -1)
    summary = {
        "expected_gain": float(realised.mean()) if n else 0.0,
        "coverage": float(chosen.mean()) if n else 0.0,
        "verify_share": float((status == VERIFY).mean()) if n else 0.0,
        "turned_away": float((chosen & ~enters).mean()) if n else 0.0,
    }
    return realised, summary


def planted_gain(truth: Caseload, approach_ids: list[str]) -> FloatArray:
    """Each client's true gain in P(exit within 12 months) of each approach over usual care.

    From the planted effect model of histories; 0 for an approach outside the report's seven.
    """
    effects = PlantedWorld(truth.frame).truth("exit_12m").effects
    gain = np.zeros((len(truth), len(approach_ids)))
    for j, a in enumerate(approach_ids):
        if a in HISTORY_APPROACH_IDS:
            gain[:, j] = effects[:, HISTORY_APPROACH_IDS.index(a)]
    return gain


def evaluate(
    catalog: Catalog,
    *,
    n: int = 100_000,
    seed: int = 0,
    model: ScoringModel | None = None,
    observed: Caseload | pd.DataFrame | None = None,
    truth: Caseload | pd.DataFrame | None = None,
) -> Evaluation:
    """Compare matching strategies on a synthetic caseload.

    Parameters
    ----------
    catalog : Catalog
        The approaches to choose from. Ids of the report's seven get their planted effect;
        other ids have none (gain 0): the planted world knows only the seven (see
        ``docs/synthetic.md``).
    n, seed : int
        Size and seed of the generated caseload (ignored when ``observed`` and ``truth``
        are given).
    model : ScoringModel, optional
        Scoring parameters of the recommender under test.
    observed, truth : Caseload or DataFrame, optional
        A caseload and its truth from ``generate_caseload(..., return_truth=True)``; frames
        are validated.

    Returns
    -------
    Evaluation
    """
    check_instance("catalog", catalog, Catalog, "a Catalog (matchkit.load_catalog())")
    if observed is None:
        check_int("n", n, minimum=1)
    if (observed is None) != (truth is None):
        raise ParameterError("give both observed and truth, or neither")
    if observed is None or truth is None:
        observed, truth = generate_caseload(n, seed=seed, return_truth=True)
    if not isinstance(observed, Caseload):
        observed = Caseload.from_frame(observed)
    if not isinstance(truth, Caseload):
        truth = Caseload.from_frame(truth)
    rec = Recommender(catalog, model=model)
    seen = rec.recommend_batch(observed)
    true_status = rec.recommend_batch(truth).status
    truly_eligible = true_status == ELIGIBLE
    gain = planted_gain(truth, catalog.ids)
    rng = np.random.Generator(np.random.PCG64(seed + 1))

    open_ = seen.status != INELIGIBLE
    oracle_gain = np.where(truly_eligible, gain, -np.inf)
    oracle = np.argmax(oracle_gain, axis=1).astype(np.int64)
    oracle[~(np.max(oracle_gain, axis=1) > 0)] = -1
    picks: dict[str, IntArray] = {
        "recommender": seen.top1(),
        "rules_only": _random_pick(open_, rng),
        "similarity_only": np.argmax(seen.score, axis=1).astype(np.int64),
        "random": rng.integers(0, len(catalog), size=len(seen)).astype(np.int64),
        "oracle": oracle,
    }
    metrics = []
    realised: dict[str, FloatArray] = {}
    for name in STRATEGIES:
        per_client, summary = evaluate_picks(picks[name], gain, truly_eligible, seen.status)
        realised[name] = per_client
        summary["top1_agreement"] = float((picks[name] == oracle).mean()) if len(oracle) else 0.0
        metrics.append({"strategy": name, **summary})
    table = pd.DataFrame(metrics).set_index("strategy")[
        ["expected_gain", "top1_agreement", "coverage", "verify_share", "turned_away"]
    ]
    return Evaluation(table, audit_groups(realised, observed), picks, len(seen))
