"""A planted outcome model: the "world" in which synthetic clients succeed or not.

Benchmarks of matching strategies need a ground truth to score against. This module is that
ground truth, written down: the probability that a client has a good outcome (paid work, or a
step up the Participatieladder, within about a year) under each approach and under none.
It reads the complete truth of :func:`matchkit.synth.generate_caseload`
(``return_truth=True``), never the observed caseload, and it is deliberately separate from any
recommender: the fit of a client to an approach is coded here from ``approaches.md`` on its
own, so a recommender is not graded against itself.

The model, on the log-odds scale::

    logit p_none     = baseline(client)
    logit p_approach = baseline(client) + fit(client, approach) * lift(approach)

``lift`` is set so that a fully fitting client with the reference baseline
(:data:`REFERENCE_BASELINE`) reaches the result the report gives for the approach;
``fit`` is in [0, 1]. Every number and its source is in :data:`PLANTED_EFFECTS` and
``docs/synthetic.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._fields import FIELDS, STORED_FIELDS, ZRM_COLUMNS
from matchkit._types import BoolArray, FloatArray
from matchkit.synth._caseload import REGIONS

__all__ = [
    "APPROACH_IDS",
    "GENERIC_LIFT",
    "HARD_MISS",
    "PLANTED_EFFECTS",
    "REFERENCE_BASELINE",
    "PlantedEffect",
    "approach_fit",
    "baseline_probability",
    "calibrate_lift",
    "outcome_probabilities",
]


REFERENCE_BASELINE: Final = 0.10
"""Target mean no-approach probability of long-term clients in the national mix.

Report §1.1: 4-7% of long-term clients leave assistance in a year, by region; a good outcome
also counts a step up the ladder, hence about 10%. The baseline intercept is tuned to it.
"""

GENERIC_LIFT: Final = 0.15
"""Log-odds lift of an approach id outside the seven: any attention helps a little.

About +1.3 percentage points at the reference baseline; an assumption, not from the report.
"""

HARD_MISS: Final = 0.1
"""Factor on the fit for each hard criterion of the approach the client does not meet."""


@dataclass(frozen=True)
class PlantedEffect:
    """The planted effect of one approach.

    Attributes
    ----------
    rate : float
        The report's figure: for ``measure == "rate"`` the mean good-outcome probability of
        fully fitting clients under the approach, for ``"gain"`` their mean gain over no
        approach.
    measure : str
        ``"rate"`` (a participants' result) or ``"gain"`` (a difference with a control group).
    lift : float
        Log-odds lift at fit 1, calibrated so that the fully fitting clients (fit 1) of a
        large national-mix caseload reach ``rate``; see docs/synthetic.md.
    basis : str
        What the number is and where it comes from.
    """

    rate: float
    measure: str
    lift: float
    basis: str


PLANTED_EFFECTS: Final = MappingProxyType(
    {
        "opleiden-in-de-zorg": PlantedEffect(
            10 / 13,
            "rate",
            3.06,
            "§3.2.2: 10 of the 13 participants from assistance still in the course, with a "
            "two-year job guarantee afterwards (§3.2); first outflow only expected in 2020",
        ),
        "buurt-mv": PlantedEffect(
            0.60,
            "rate",
            1.79,
            "assumption: §3.3.3 gives no counts, only a positive MKBA (benefits EUR 250,000 vs "
            "costs EUR 166,000); the qualification job is paid work and nobody needed the "
            "frozen benefit (§3.3.2)",
        ),
        "energiebox": PlantedEffect(
            11 / 13,
            "rate",
            3.82,
            "§3.4.3: of 13 hired, 6 still working at Energiebox and 5 moved on to other work",
        ),
        "fip": PlantedEffect(
            16 / 300,
            "gain",
            0.55,
            "§3.5.3: 71 vs 55 ended benefits among 300 clients and 300 controls (16 more), "
            "the only controlled comparison; no more outflow to work",
        ),
        "app": PlantedEffect(0.30, "rate", 2.57, "§3.6.3: 30% left assistance in year one"),
        "aandacht-doet-bewegen": PlantedEffect(
            5 / 12,
            "rate",
            2.58,
            "§3.7.2: 5 of 12 candidates found suitable; §3.7.3 gives no counts, only that "
            "participants became more active, so the suitable share stands in for the rate",
        ),
        "top": PlantedEffect(
            14 / 22,
            "rate",
            1.89,
            "§3.8.3: Roermond 14 of 22 to paid work, education or an own business "
            "(Echt-Susteren: 14 of 20 in paid work)",
        ),
    }
)
"""Planted effect of each of the seven approaches, with its basis in the report."""

APPROACH_IDS: Final[tuple[str, ...]] = tuple(PLANTED_EFFECTS)

_BASELINE_INTERCEPT: Final = -0.86  # tuned: mean baseline of long-term clients ~ 0.10
_REGION_SHIFT: Final = {"rural": 0.3, "suburban": 0.0, "midsize": -0.3, "student_city": -0.3}
_NEEDED: Final = tuple(n for n in STORED_FIELDS if n not in ("client_id", "neighbourhood"))


class _Facts:
    """The truth frame as NumPy arrays: enum codes, numbers, booleans, interest flags."""

    def __init__(self, frame: Caseload | pd.DataFrame) -> None:
        if isinstance(frame, Caseload):
            frame = frame.frame
        missing = [name for name in _NEEDED if name not in frame.columns]
        if missing:
            raise ValueError(
                f"frame lacks column(s) {', '.join(missing)}; expected the truth frame of "
                "generate_caseload(..., return_truth=True)"
            )
        self.n = len(frame)
        self._frame = frame
        # Absent by nature: no youngest child without children, no last job without work.
        absent_ok = {
            "youngest_child_age": (frame["children"] == 0).fillna(False).to_numpy(dtype=bool),
            "years_since_last_job": (frame["work_experience_years"] == 0).to_numpy(dtype=bool),
        }
        for name in _NEEDED:
            missing_values = frame[name].isna().to_numpy(dtype=bool)
            if name in absent_ok:
                missing_values = missing_values & ~absent_ok[name]
            unknown = int(missing_values.sum())
            if unknown:
                raise ValueError(
                    f"column {name!r} has {unknown} unknown value(s); outcomes depend on true "
                    "values, so pass the truth frame of generate_caseload(..., "
                    "return_truth=True), not the observed one"
                )

    def code(self, name: str) -> npt.NDArray[np.int64]:
        """Level codes of an enum column (0 = first level)."""
        spec = FIELDS[name]
        codes = pd.Categorical(self._frame[name], categories=list(spec.values)).codes
        if (codes < 0).any():
            raise ValueError(f"column {name!r} has values outside {spec.allowed()}")
        return np.asarray(codes, dtype=np.int64)

    def level(self, name: str, value: str) -> int:
        return FIELDS[name].values.index(value)

    def num(self, name: str) -> FloatArray:
        """Return a numeric column as floats (NaN where structurally absent)."""
        return np.asarray(self._frame[name].to_numpy(dtype=np.float64, na_value=np.nan))

    def flag(self, name: str) -> BoolArray:
        return np.asarray(self._frame[name].to_numpy(dtype=bool))

    def interested(self, interest: str) -> BoolArray:
        lists = self._frame["interests"].tolist()
        return np.fromiter((interest in x for x in lists), dtype=bool, count=self.n)

    def region_shift(self) -> FloatArray:
        kinds = {r.name: _REGION_SHIFT[r.kind] for r in REGIONS}
        municipality = pd.Categorical(self._frame["municipality"])
        shifts = np.array([kinds.get(str(c), 0.0) for c in municipality.categories] + [0.0])
        out: FloatArray = shifts[municipality.codes]
        return out

    def zrm(self) -> FloatArray:
        return np.column_stack([self.num(c) for c in ZRM_COLUMNS])


def _baseline_logit(f: _Facts) -> FloatArray:
    """Log-odds of a good outcome without an approach.

    Report §1.1 (CBS): lower outflow for 49+, little education and work experience (a low
    Human Capital Index) and married women under 50; higher in rural municipalities (7%)
    than in student cities and mid-sized ones (4%). "Married" is read as household couple.
    The other terms are plausible assumptions (documented in docs/synthetic.md).
    """
    age = f.num("age")
    education = f.code("education")
    # mbo2 and every level above it (havo_vwo included) is a startkwalificatie.
    no_startkwalificatie = education < f.level("education", "mbo2")
    married_woman_under_50 = (
        (f.code("gender") == f.level("gender", "female"))
        & (f.code("household") == f.level("household", "couple"))
        & (age < 50)
    )
    months = f.num("months_on_assistance")
    x = (
        _BASELINE_INTERCEPT
        - 0.6 * (age >= 49)
        - 0.5 * no_startkwalificatie
        - 0.4 * (f.num("work_experience_years") < 2)
        - 0.5 * married_woman_under_50
        + f.region_shift()
        - 0.3 * np.log2(np.maximum(months, 24) / 24)
        + 0.35 * (f.num("participation_ladder") - 3)
        - np.array([0.0, 0.1, 0.35, 0.7])[f.code("psych_complaints")]
        - np.array([0.0, 0.2, 0.6])[f.code("physical_limitations")]
        - 2.0 * f.flag("fully_disabled")
        - 0.4 * (f.code("dutch_level") < f.level("dutch_level", "A2"))
        + 0.3 * f.flag("wants_paid_work")
        + np.array([-0.3, -0.15, 0.0, 0.3])[f.code("motivation")]
    )
    out: FloatArray = x.astype(np.float64)
    return out


def _fit(hard: Sequence[BoolArray], soft: Sequence[Any], n: int) -> FloatArray:
    """Combine criteria: HARD_MISS per unmet hard one, soft ones average into [0.5, 1]."""
    fit = np.ones(n)
    for met in hard:
        fit = fit * np.where(met, 1.0, HARD_MISS)
    share = np.mean([np.asarray(s, dtype=np.float64) for s in soft], axis=0)
    out: FloatArray = fit * (0.5 + 0.5 * share)
    return out


def _approach_fit(f: _Facts, approach_id: str) -> FloatArray:
    """How well each client fits the intended group of one approach (approaches.md)."""
    n = f.n
    ladder = f.num("participation_ladder")
    months = f.num("months_on_assistance")
    dutch = f.code("dutch_level")
    social = f.code("social_skills")
    motivation = f.code("motivation")
    zrm = f.zrm()
    problem_domains = (zrm <= 3).sum(axis=1)
    children = f.num("children")
    if approach_id == "opleiden-in-de-zorg":
        young = np.nan_to_num(f.num("youngest_child_age"), nan=99.0) < 4
        return _fit(
            [
                dutch >= f.level("dutch_level", "B1"),
                f.interested("care"),
                f.num("work_capacity_pct") >= 80,
            ],
            [
                months >= 24,
                (ladder >= 3) & (ladder <= 5),
                f.code("education") >= f.level("education", "vmbo"),
                ~young | f.flag("has_childcare"),
            ],
            n,
        )
    if approach_id == "buurt-mv":
        since = np.nan_to_num(f.num("years_since_last_job"), nan=99.0)
        return _fit(
            [
                ladder >= 4,
                social >= f.level("social_skills", "medium"),
                f.flag("has_transport"),
                motivation == f.level("motivation", "high"),
                f.interested("care"),
            ],
            [
                f.code("independence") >= f.level("independence", "medium"),
                months > 12,
                since > 1,
            ],
            n,
        )
    if approach_id == "energiebox":
        return _fit(
            [
                f.num("age") >= 50,
                social == f.level("social_skills", "high"),
                f.interested("sustainability"),
                f.flag("wants_paid_work"),
            ],
            [months >= 24, dutch >= f.level("dutch_level", "B2")],
            n,
        )
    if approach_id == "fip":
        age = f.num("age")
        capacity = f.num("work_capacity_pct")
        youngest = np.nan_to_num(f.num("youngest_child_age"), nan=99.0)
        single_parent = (f.code("household") == f.level("household", "single")) & (children > 0)
        subgroup = (
            ~f.flag("uses_minimum_schemes")
            | ((age > 60) & f.flag("exempt_from_work_obligation"))
            | (f.num("part_time_income_eur") > 0)
            | (months > 180)
            | ((age >= 27) & (age <= 45) & (capacity >= 50))
            | (single_parent & (youngest < 4))
        )
        return _fit(
            [~f.flag("in_other_trajectory"), ladder <= 4],
            [np.minimum(problem_domains / 4, 1.0), subgroup],
            n,
        )
    if approach_id == "app":
        return _fit(
            [months >= 24, ladder <= 3, ~f.flag("fully_disabled")],
            [
                ladder <= 2,
                dutch <= f.level("dutch_level", "A2"),
                children > 0,
                problem_domains >= 2,
            ],
            n,
        )
    if approach_id == "aandacht-doet-bewegen":
        psych = f.code("psych_complaints")
        return _fit(
            [
                psych > f.level("psych_complaints", "none"),
                motivation >= f.level("motivation", "some"),
                f.flag("has_help_question"),
            ],
            [
                (psych >= 1) & (psych <= 2),
                f.flag("exempt_from_work_obligation"),
                months >= 24,
            ],
            n,
        )
    if approach_id == "top":
        heavy = zrm[:, [ZRM_COLUMNS.index(f"zrm_{d}") for d in _TOP_HEAVY]]
        single_parent = (f.code("household") == f.level("household", "single")) & (children > 0)
        return _fit(
            [f.flag("wants_paid_work"), f.flag("can_work_in_group")],
            [single_parent, (heavy >= 3).all(axis=1), dutch >= f.level("dutch_level", "A2")],
            n,
        )
    raise KeyError(approach_id)


_TOP_HEAVY: Final = ("substance_use", "housing", "domestic_relations")


def _expit(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def calibrate_lift(frame: Caseload | pd.DataFrame, approach_id: str) -> float:
    """Solve the lift at which the fully fitting clients of ``frame`` reach the report's figure.

    This is how the ``lift`` constants of :data:`PLANTED_EFFECTS` were set (on the truth of
    ``generate_caseload(1_000_000, seed=0)``); rerun it after changing the generator.

    Parameters
    ----------
    frame : Caseload or pandas.DataFrame
        A large truth caseload (or its ``.frame``).
    approach_id : str
        One of :data:`APPROACH_IDS`.

    Returns
    -------
    float
        The log-odds lift, or NaN when no client in ``frame`` fits fully.
    """
    facts = _Facts(frame)
    effect = PLANTED_EFFECTS[approach_id]
    full = _approach_fit(facts, approach_id) >= 1.0
    base = _baseline_logit(facts)[full]
    if not full.any():
        return float("nan")
    lo, hi = 0.0, 12.0
    for _ in range(60):
        mid = (lo + hi) / 2
        value = _expit(base + mid).mean()
        if effect.measure == "gain":
            value -= _expit(base).mean()
        lo, hi = (mid, hi) if value < effect.rate else (lo, mid)
    return round((lo + hi) / 2, 2)


def baseline_probability(frame: Caseload | pd.DataFrame) -> FloatArray:
    """Probability of a good outcome without any approach, from the truth frame.

    Parameters
    ----------
    frame : Caseload or pandas.DataFrame
        The truth of ``generate_caseload(..., return_truth=True)`` (or its ``.frame``).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, values in (0, 1).
    """
    return _expit(_baseline_logit(_Facts(frame)))


def approach_fit(frame: Caseload | pd.DataFrame, approach_id: str) -> FloatArray:
    """How well each client fits the intended group of one of the seven approaches.

    Parameters
    ----------
    frame : Caseload or pandas.DataFrame
        The truth of ``generate_caseload(..., return_truth=True)`` (or its ``.frame``).
    approach_id : str
        One of :data:`APPROACH_IDS`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, values in [0, 1]: 1 when every hard and soft criterion holds.

    Raises
    ------
    KeyError
        When ``approach_id`` is not one of the seven.
    """
    if approach_id not in PLANTED_EFFECTS:
        raise KeyError(f"approach_id={approach_id!r} is not one of {', '.join(APPROACH_IDS)}")
    return _approach_fit(_Facts(frame), approach_id)


def outcome_probabilities(
    frame: Caseload | pd.DataFrame, approach_ids: Sequence[str]
) -> FloatArray:
    """Probability of a good outcome under each approach and, last, under none.

    Parameters
    ----------
    frame : Caseload or pandas.DataFrame
        The truth of ``generate_caseload(..., return_truth=True)`` (or its ``.frame``). An
        observed caseload with unknown facts is refused: outcomes depend on true values.
    approach_ids : sequence of str
        Approach ids. The seven of :data:`APPROACH_IDS` get their planted effect; any
        other id gets the baseline plus :data:`GENERIC_LIFT`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, len(approach_ids) + 1)``; column ``j`` is approach ``approach_ids[j]``,
        the last column is no approach. Deterministic.

    Raises
    ------
    ValueError
        When a column is missing or a needed fact is unknown.

    Examples
    --------
    >>> from matchkit.synth import generate_caseload
    >>> _, truth = generate_caseload(5, seed=3, return_truth=True)
    >>> outcome_probabilities(truth, ["energiebox", "top"]).shape
    (5, 3)
    """
    if isinstance(approach_ids, str):
        raise ValueError(
            f"approach_ids={approach_ids!r} is not allowed; expected a sequence of ids"
        )
    facts = _Facts(frame)
    base = _baseline_logit(facts)
    fits: dict[str, FloatArray] = {}
    columns = []
    for approach_id in approach_ids:
        effect = PLANTED_EFFECTS.get(approach_id)
        if effect is None:
            columns.append(base + GENERIC_LIFT)
            continue
        if approach_id not in fits:
            fits[approach_id] = _approach_fit(facts, approach_id)
        columns.append(base + fits[approach_id] * effect.lift)
    columns.append(base)
    return _expit(np.column_stack(columns))
