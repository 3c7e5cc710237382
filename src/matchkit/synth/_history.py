"""Synthetic histories with a planted truth: who got what (chosen by case managers), what followed.

:func:`generate_history` draws a caseload (:func:`generate_caseload`), lets case managers of
the past assign approaches by their own judgement (confounded, with overlap), and draws the
outcomes from a planted effect model. The model is written here on its own, from profile
facts, and deliberately NOT from the catalog's rules or target profiles (nothing of
``matchkit.synth._outcome`` or the catalog is used to compute an effect): some effects
contradict the catalog's target profiles, so that a wrong catalog preference shows up as a
loss and a learner can beat the hand-written score. Every assumption is documented in
``docs/synthetic.md`` ("The planted effect model of histories").

On the log-odds scale, for client ``i`` and approach ``a``::

    logit P(exit_12m | usual care)  = baseline(i)
    logit P(exit_12m | approach a)  = baseline(i) + effect_a(i)

and for the numeric ``ladder_change`` (steps on the Participatieladder after a year)::

    E[ladder_change | usual care]   = ladder_base(i)
    E[ladder_change | approach a]   = ladder_base(i) + ladder_effect_a(i)

The outcome depends on the complete (true) facts of a client; case managers and learners
see only the observed file, in which soft facts are often unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._catalog import Catalog, load_catalog
from matchkit._fields import FIELDS
from matchkit._math import expit
from matchkit._types import BoolArray, FloatArray, IntArray
from matchkit.errors import ParameterError
from matchkit.learn import TREATMENT_COLUMN, History, HistoryTruth
from matchkit.recommend import INELIGIBLE, Recommender
from matchkit.synth._caseload import generate_caseload

__all__ = [
    "HISTORY_APPROACH_IDS",
    "LIFE_FIRST",
    "PlantedWorld",
    "generate_history",
    "planted_world",
]

HISTORY_APPROACH_IDS: Final = (
    "aandacht-doet-bewegen",
    "app",
    "buurt-mv",
    "energiebox",
    "fip",
    "opleiden-in-de-zorg",
    "top",
)
"""The seven approaches of the report (the built-in catalog), in catalog order."""

LIFE_FIRST: Final = frozenset({"aandacht-doet-bewegen", "app", "fip"})
"""Approaches that work on life domains first; they move clients up the ladder more."""

BASELINE_INTERCEPT: Final = -2.1
"""Log-odds of leaving assistance within 12 months for the reference client (about 11%)."""

ASSIGNMENT_SHARES: Final = {
    "aandacht-doet-bewegen": -1.3,
    "app": -0.6,
    "buurt-mv": -1.2,
    "energiebox": -1.0,
    "fip": -0.2,
    "opleiden-in-de-zorg": -1.1,
    "top": -0.9,
}
"""Log-odds intercept of each approach in the case managers' choice (size of the programme)."""

USUAL_CARE_WEIGHT: Final = 2.2
"""Log-odds weight of usual care in the case managers' choice (most clients get usual care)."""

EXPLORATION: Final = 0.15
"""Share of choices spread evenly over the options a client could be given (overlap)."""


class _Facts:
    """Numeric facts of a typed frame: enums as ranks, unknown as NaN (read once)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.cols = Caseload(frame, _validated=True).columns

    def value(self, name: str) -> FloatArray:
        return self.cols.scalar(name)[0]

    def rank(self, name: str, level: str) -> float:
        return float(FIELDS[name].values.index(level))

    def has(self, name: str, item: str) -> BoolArray:
        members, known = self.cols.contains(name, item)
        return members & known

    def problems(self) -> FloatArray:
        """Count the ZRM domains scored 1-3 (unknown domains count as no problem)."""
        zrm = self.cols.zrm_matrix()
        out: FloatArray = np.sum(np.nan_to_num(zrm, nan=5.0) <= 3, axis=1).astype(np.float64)
        return out


def _on(x: FloatArray | BoolArray) -> FloatArray:
    """Return 1.0 where a fact holds, else 0.0; unknown counts as not."""
    out: FloatArray = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return out


class PlantedWorld:
    """The planted truth of histories: baselines and effects per client, from complete facts.

    Parameters
    ----------
    truth : DataFrame
        The complete facts (``generate_caseload(..., return_truth=True)[1]``).
    """

    def __init__(self, truth: pd.DataFrame) -> None:
        f = _Facts(truth)
        self.n = len(truth)
        age = f.value("age")
        years = np.nan_to_num(f.value("months_on_assistance"), nan=60.0) / 12.0
        ladder = np.nan_to_num(f.value("participation_ladder"), nan=3.0)
        dutch = np.nan_to_num(f.value("dutch_level"), nan=f.rank("dutch_level", "A2"))
        motivation = np.nan_to_num(f.value("motivation"), nan=1.0)
        psych = np.nan_to_num(f.value("psych_complaints"), nan=0.0)
        physical = np.nan_to_num(f.value("physical_limitations"), nan=0.0)
        capacity = np.nan_to_num(f.value("work_capacity_pct"), nan=50.0)
        social = np.nan_to_num(f.value("social_skills"), nan=1.0)
        problems = f.problems()
        wants_work = _on(f.value("wants_paid_work"))
        exempt = _on(f.value("exempt_from_work_obligation"))
        single_parent = _on(f.value("single_parent"))
        childcare = _on(f.value("has_childcare"))
        others = f.cols.text("other_languages")[0]
        multilingual = np.fromiter((v is not None and len(v) > 0 for v in others), bool, self.n)
        severe = psych == f.rank("psych_complaints", "severe")

        # Baseline: who leaves assistance within a year without any approach (a prognosis).
        self.baseline_logit: FloatArray = (
            BASELINE_INTERCEPT
            + 0.45 * (ladder - 3.0)
            - 0.035 * np.clip(age - 40.0, 0.0, None)
            - 0.12 * np.clip(years - 2.0, 0.0, 10.0)
            + 0.30 * (motivation - 1.5)
            - 0.30 * psych
            - 0.20 * physical
            + 0.10 * (dutch - 2.0)
            - 0.06 * (problems - 4.0)
            + 0.008 * (capacity - 50.0)
        )
        self.ladder_base: FloatArray = (
            0.10 + 0.10 * (motivation - 1.5) - 0.10 * psych - 0.05 * (ladder - 3.0)
        )
        older = np.clip(age - 55.0, 0.0, None)
        care = f.has("interests", "care").astype(np.float64)
        effect = {
            # Training for care work: for the care-minded, most for those still some steps
            # from work (ladder 2-3); close to nothing for those already at step 5-6, who
            # find work anyway. Education does not matter (the catalog prefers vmbo+ and
            # ladder 3-5).
            "opleiden-in-de-zorg": 0.2
            + 0.9 * care
            + 0.5 * (ladder <= 3)
            - 0.8 * (ladder >= 5)
            - 0.04 * older,
            # A paid qualification job: helps most those on assistance for a short time; the
            # effect fades with every year on assistance (the catalog prefers > 12 months).
            "buurt-mv": 1.3 - 0.25 * np.clip(years, 0.0, 8.0) + 0.4 * (social >= 2),
            # Energy advice at the door: other languages help with tenants; Dutch level does
            # not matter; physical limitations hold it back (none of this is in the catalog).
            "energiebox": 0.7 + 0.6 * multilingual - 0.4 * (physical >= 1) - 0.03 * older,
            # FIP: helps clients with few problems, does nothing or harms with many (the
            # catalog prefers problems in several domains, weight 2).
            "fip": np.clip(0.8 - 0.14 * problems, -0.3, None),
            # Aandacht doet bewegen: helps with complaints, most with severe ones (the
            # catalog marks severe down); little work effect for the exempt.
            "aandacht-doet-bewegen": 0.1 + 0.5 * (psych >= 1) + 0.4 * severe - 0.5 * exempt,
            # APP: the push of the neighbourhood approach works from step 3, not from the
            # isolated steps 1-2 (the catalog prefers 1-2); it harms those with severe
            # complaints ("hard where needed").
            "app": 0.1 + 0.6 * (ladder >= 3) - 0.7 * severe,
            # TOP: for those who want paid work; single parents without childcare cannot keep
            # it up and lose out (the catalog prefers single parents).
            "top": 0.3 + 0.5 * wants_work - 1.0 * (single_parent * (1.0 - childcare)),
        }
        self.effect_logit: FloatArray = np.column_stack(
            [np.asarray(effect[a], dtype=np.float64) for a in HISTORY_APPROACH_IDS]
        )
        life = np.array([a in LIFE_FIRST for a in HISTORY_APPROACH_IDS])
        # Steps up the ladder: life-first approaches move people up even where work is far.
        self.ladder_effect: FloatArray = 0.25 * np.clip(self.effect_logit, -1.0, None) + np.where(
            life, 0.3, 0.0
        )

    def truth(self, outcome: str) -> HistoryTruth:
        """Return the expected outcome under usual care and under every approach, per client."""
        if outcome == "exit_12m":
            base = expit(self.baseline_logit)
            treated = expit(self.baseline_logit[:, None] + self.effect_logit)
        elif outcome == "ladder_change":
            base = self.ladder_base.copy()
            treated = self.ladder_base[:, None] + self.ladder_effect
        else:
            raise ParameterError(
                f"outcome={outcome!r} is not allowed; expected exit_12m or ladder_change"
            )
        return HistoryTruth(HISTORY_APPROACH_IDS, outcome, base, treated)


def planted_world(truth: Caseload | pd.DataFrame) -> PlantedWorld:
    """Return the planted effect model evaluated on complete facts (see :class:`PlantedWorld`)."""
    return PlantedWorld(truth.frame if isinstance(truth, Caseload) else truth)


def _assignment_logits(observed: pd.DataFrame, allowed: BoolArray, score: FloatArray) -> FloatArray:
    """Case managers' preference for usual care and each approach, from the file they see."""
    f = _Facts(observed)
    n = len(observed)
    motivation = f.value("motivation")
    high_drive = _on(motivation >= f.rank("motivation", "high"))
    low_drive = _on(motivation <= f.rank("motivation", "low"))
    ladder = f.value("participation_ladder")
    near_work = _on(ladder >= 4)
    problems_lo = f.cols.bounds("zrm_problem_domains")
    many_problems = (problems_lo[0] >= 4) if problems_lo is not None else np.zeros(n, bool)
    age = f.value("age")
    logits = np.empty((n, len(HISTORY_APPROACH_IDS) + 1))
    logits[:, 0] = USUAL_CARE_WEIGHT + 0.5 * low_drive
    for j, a in enumerate(HISTORY_APPROACH_IDS, start=1):
        judgement = (
            # Partly the catalog's fit (what the hand-written score says) ...
            2.0 * score[:, j - 1]
            # ... partly their own reading of the file: drive and distance to work.
            + (0.8 * high_drive + 0.5 * near_work if a not in LIFE_FIRST else 0.6 * many_problems)
            - 0.4 * (age >= 60)
        )
        logits[:, j] = ASSIGNMENT_SHARES[a] + judgement
    logits[:, 1:][~allowed] = -np.inf
    return logits


def _choose(logits: FloatArray, rng: np.random.Generator) -> IntArray:
    """Draw one option per row from softmax(logits), mixed with an even spread (overlap)."""
    top = np.max(logits, axis=1, keepdims=True)
    w = np.exp(logits - top)
    p = w / w.sum(axis=1, keepdims=True)
    open_ = np.isfinite(logits)
    p = (1.0 - EXPLORATION) * p + EXPLORATION * open_ / open_.sum(axis=1, keepdims=True)
    u = rng.random(len(p))
    choice: IntArray = (np.cumsum(p, axis=1) < u[:, None]).sum(axis=1).astype(np.int64)
    out: IntArray = np.minimum(choice, p.shape[1] - 1)
    return out


def generate_history(
    n: int,
    seed: int = 0,
    *,
    unknown_rates: Mapping[str, float] | None = None,
    municipality: str | None = None,
    catalog: Catalog | None = None,
) -> History:
    """Generate a synthetic history: a caseload, the approaches case managers chose, outcomes.

    Parameters
    ----------
    n : int
        Number of clients (>= 0).
    seed : int, default 0
        The same seed gives the same history.
    unknown_rates, municipality
        Passed to :func:`generate_caseload`.
    catalog : Catalog, optional
        The catalog whose rules say which approaches a client could be given (default the
        built-in one). It must hold the seven approaches of the report.

    Returns
    -------
    History
        Outcomes ``exit_12m`` (0/1) and ``ladder_change`` (steps, numeric), the approach per
        client (``<NA>`` = usual care), start dates in 2019-2022 and, in ``truth``, the
        planted expected ``exit_12m`` per client under usual care and under every approach
        (``truths`` holds ``ladder_change`` too).

    Notes
    -----
    Case managers chose among the approaches that are not ineligible on the observed file,
    or usual care; by the catalog's score, their own reading of drive, distance to work and
    problems, and the size of each programme; 15% of choices are spread evenly, so every
    allowed option has a real chance (overlap). See ``docs/synthetic.md``.

    Examples
    --------
    >>> h = generate_history(1000, seed=1)
    >>> len(h), h.truth.treated.shape
    (1000, (1000, 7))
    """
    catalog = catalog if catalog is not None else load_catalog()
    missing = [a for a in HISTORY_APPROACH_IDS if a not in catalog.ids]
    if missing:
        raise ParameterError(
            f"catalog lacks {missing}; the planted effect model covers the report's seven "
            "approaches (" + ", ".join(HISTORY_APPROACH_IDS) + ")"
        )
    caseload, truth = generate_caseload(
        n, seed=seed, unknown_rates=unknown_rates, municipality=municipality, return_truth=True
    )
    observed = caseload.frame
    world = PlantedWorld(truth.frame)
    result = Recommender(catalog).recommend_batch(caseload)
    cols = [catalog.ids.index(a) for a in HISTORY_APPROACH_IDS]
    allowed = result.status[:, cols] != INELIGIBLE
    score = result.score[:, cols]
    # A separate stream for the history, so the caseload stays that of generate_caseload.
    rng = np.random.Generator(np.random.PCG64([int(seed), 8]))
    choice = _choose(_assignment_logits(observed, allowed, score), rng)
    exit_truth = world.truth("exit_12m")
    ladder_truth = world.truth("ladder_change")
    rows = np.arange(len(choice))
    idx = np.maximum(choice - 1, 0)
    treated = choice > 0
    p = np.where(treated, exit_truth.treated[rows, idx], exit_truth.baseline)
    mean_ladder = np.where(treated, ladder_truth.treated[rows, idx], ladder_truth.baseline)
    exit_12m = (rng.random(len(p)) < p).astype(np.float64)
    ladder_change = mean_ladder + rng.normal(0.0, 0.8, len(p))
    ids = np.array(HISTORY_APPROACH_IDS, dtype=object)
    names = ids[idx]
    names[~treated] = None
    approach = pd.Series(names, dtype="string", name=TREATMENT_COLUMN)
    days = rng.integers(0, 4 * 365, len(p))
    start = pd.Series(
        pd.Timestamp("2019-01-01") + pd.to_timedelta(days, unit="D"), name="start_date"
    )
    outcomes = pd.DataFrame({"exit_12m": exit_12m, "ladder_change": ladder_change})
    return History(
        caseload=caseload,
        approach=approach,
        outcomes=outcomes,
        start_date=start,
        truth=exit_truth,
        truths=(exit_truth, ladder_truth),
    )
