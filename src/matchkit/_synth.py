"""Synthetic caseloads: plausible clients on long-term social assistance, no real data.

:func:`generate_caseload` draws a whole caseload at once (vectorised, one
``np.random.Generator(np.random.PCG64(seed))``) in matchkit's columnar contract form. It first
draws a complete *truth* for every client, then hides facts at the rates real case files
have; ``return_truth=True`` hands back both, so the planted outcome model
(:mod:`matchkit._outcome`) can score what is really there rather than what is recorded.

Each calibration target is listed in :data:`CALIBRATION_TARGETS` with its source; the rest of
the generative story (correlations, regions, unknown rates) is in ``docs/synthetic.md``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType
from typing import Any, Final, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._fields import FIELDS, INTERESTS, STORED_FIELDS, ZRM_DOMAINS, Kind

__all__ = [
    "CALIBRATION_TARGETS",
    "DEFAULT_UNKNOWN_RATES",
    "REGIONS",
    "CalibrationTarget",
    "Region",
    "generate_caseload",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CalibrationTarget:
    """A population figure the generator reproduces on its national mix.

    Attributes
    ----------
    description : str
        The statistic, in terms of contract fields.
    value : float
        The target share.
    tolerance : float
        The absolute deviation the tests allow at n = 40,000.
    source : str
        Where the figure comes from.
    """

    description: str
    value: float
    tolerance: float
    source: str


CALIBRATION_TARGETS: Final = MappingProxyType(
    {
        "long_term": CalibrationTarget(
            "share with months_on_assistance >= 24",
            0.71,
            0.015,
            "report §1.1: 71% of recipients on assistance for more than two years at the end "
            "of 2016 (CBS 2018, Uitstroom uit de langdurige bijstand)",
        ),
        "female": CalibrationTarget(
            "share with gender == female",
            0.57,
            0.015,
            "CBS, public statistics on social-assistance recipients by sex (report silent)",
        ),
        "non_western": CalibrationTarget(
            "share with migration_background == non_western",
            0.50,
            0.015,
            "CBS, public statistics: about half of recipients have a non-western migration "
            "background (report silent; §3.1e notes it for Zaanstad's APP area)",
        ),
        "aged_55_plus": CalibrationTarget(
            "share with age >= 55",
            0.44,
            0.015,
            "CBS, public statistics on recipients by age, 2022 (report silent)",
        ),
    }
)
"""Calibration targets of the national mix (``municipality=None``), with their sources."""


@dataclass(frozen=True)
class Region:
    """A municipality of the synthetic national mix and how its caseload differs.

    Shifts are on the log-odds scale, relative to the national intercept that the
    generator solves so that the weighted mix hits :data:`CALIBRATION_TARGETS`.

    Attributes
    ----------
    name : str
        Municipality name as the report spells it.
    weight : float
        Share of the synthetic national mix (illustrative, not a CBS count).
    kind : str
        ``student_city``, ``midsize``, ``suburban`` or ``rural``: outflow differs by kind
        (report §1.1: rural 7%, student cities and mid-sized municipalities 4%).
    non_western, older, long_term : float
        Log-odds shifts of the non-western, aged-55+ and long-term shares.
    neighbourhoods : tuple of str
        Neighbourhoods or villages drawn uniformly for clients of this municipality.
    """

    name: str
    weight: float
    kind: str
    non_western: float
    older: float
    long_term: float
    neighbourhoods: tuple[str, ...]


REGIONS: Final[tuple[Region, ...]] = (
    # The municipalities of the report's seven approaches (§3.1). Zaanstad's APP area is
    # mostly non-western (§3.1e); South Limburg and the Veluwe villages are older and less
    # migrant; Sittard-Geleen's FIP file has 9% of long-term clients past 15 years (fn. 12).
    Region("Utrecht", 0.26, "student_city", 0.55, -0.45, -0.10,
           ("Kanaleneiland", "Overvecht", "Zuilen", "Hoograven", "Lunetten", "Leidsche Rijn")),
    Region("Zaanstad", 0.12, "midsize", 0.90, -0.05, 0.25,
           ("Poelenburg", "Peldersveld", "Kogerveld", "Rosmolenwijk", "Westerwatering")),
    Region("Apeldoorn", 0.12, "midsize", -0.25, 0.10, 0.00,
           ("Zevenhuizen", "De Maten", "Zuidbroek", "Kerschoten", "Osseveld")),
    Region("Maastricht", 0.11, "student_city", -0.30, 0.05, 0.05,
           ("Malberg", "Wittevrouwenveld", "Caberg", "Mariaberg", "Heer")),
    Region("Sittard-Geleen", 0.10, "midsize", -0.70, 0.40, 0.30,
           ("Lindenheuvel", "Kluis", "Limbrichterveld", "Ophoven", "Overhoven")),
    Region("Roermond", 0.08, "midsize", -0.35, 0.30, 0.10,
           ("Donderberg", "Roermond-Oost", "Kapel in 't Zand", "Maasniel", "Leeuwen")),
    Region("Ridderkerk", 0.05, "suburban", -0.10, 0.20, -0.10,
           ("Bolnes", "Slikkerveer", "Drievliet", "Centrum")),
    Region("Barendrecht", 0.04, "suburban", 0.00, 0.00, -0.20,
           ("Carnisselande", "Centrum", "Buitenoord", "Portland")),
    Region("Albrandswaard", 0.03, "suburban", -0.15, 0.10, -0.20,
           ("Rhoon", "Poortugaal", "Portland")),
    Region("Echt-Susteren", 0.04, "rural", -1.00, 0.45, 0.00,
           ("Echt", "Susteren", "Pey", "Nieuwstadt")),
    Region("Epe", 0.03, "rural", -1.30, 0.35, -0.25, ("Epe", "Vaassen", "Emst", "Oene")),
    Region("Heerde", 0.02, "rural", -1.50, 0.35, -0.25, ("Heerde", "Wapenveld", "Veessen")),
)  # fmt: skip
"""The synthetic national mix: the municipalities the report names, with their own mixes."""

_OTHER_NEIGHBOURHOODS: Final = ("Centrum", "Noord", "Oost", "Zuid", "West")

DEFAULT_UNKNOWN_RATES: Final = MappingProxyType(
    {
        # Hard facts come from the benefit administration and are nearly always there.
        "gender": 0.02,
        "municipality": 0.0,
        "neighbourhood": 0.15,
        "months_on_assistance": 0.01,
        "household": 0.01,
        "children": 0.02,
        "youngest_child_age": 0.05,
        "migration_background": 0.10,
        "dutch_level": 0.20,
        "other_languages": 0.30,
        "education": 0.15,
        "work_experience_years": 0.25,
        "years_since_last_job": 0.15,
        "participation_ladder": 0.10,
        "work_capacity_pct": 0.25,
        "part_time_income_eur": 0.02,
        "wants_paid_work": 0.25,
        # Soft facts: what a client wants and can is what municipalities know least (§1.2).
        "motivation": 0.40,
        "interests": 0.45,
        "psych_complaints": 0.30,
        "physical_limitations": 0.25,
        "social_skills": 0.40,
        "independence": 0.40,
        "can_work_in_group": 0.45,
        "has_help_question": 0.35,
        "has_transport": 0.20,
        "has_childcare": 0.30,
        "exempt_from_work_obligation": 0.03,
        "fully_disabled": 0.05,
        "in_other_trajectory": 0.03,
        "uses_minimum_schemes": 0.10,
        # "zrm": share of clients without any ZRM; zrm_<domain>: share of the clients who
        # have a ZRM in whom that one domain was not scored.
        "zrm": 0.25,
        **{f"zrm_{d}": 0.05 for d in ZRM_DOMAINS},
        "zrm_substance_use": 0.12,
        "zrm_justice": 0.15,
    }
)
"""Default probability that a fact is unknown (missing completely at random).

A structurally absent value (``youngest_child_age`` without children, ``years_since_last_job``
for someone who never worked) is absent in the truth as well and is not counted here.
"""

_REQUIRED: Final = frozenset(name for name in STORED_FIELDS if FIELDS[name].required)

# Latent traits: human capital, wellbeing (health), social strength, drive. Correlated, so
# that for instance good health and drive tend to go together.
_LATENT_CORR: Final = np.array(
    [
        [1.0, 0.2, 0.2, 0.15],
        [0.2, 1.0, 0.3, 0.3],
        [0.2, 0.3, 1.0, 0.25],
        [0.15, 0.3, 0.25, 1.0],
    ]
)
_P_OTHER_GENDER: Final = 0.003
_P_WESTERN_OF_REST: Final = 0.2  # western share among clients without a non-western background

_YOUNG_AGES: Final = np.arange(18, 55)
_OLD_AGES: Final = np.arange(55, 67)
_YOUNG_PMF: Final = np.minimum(0.35 + 0.65 * (_YOUNG_AGES - 18) / 12, 1.0)
_OLD_PMF: Final = np.where(_OLD_AGES == 66, 0.6, 1.0)  # AOW age ~66y7m in 2022
_LT_AGE_SLOPE: Final = 0.35  # log-odds of long-term per 10 years of age
_LT_HUMAN_CAPITAL: Final = -0.35  # log-odds of long-term per SD of human capital

# Other spoken languages by migration background: combinations and their shares. An empty
# tuple among non-western clients stands for Surinamese and Antillean Dutch speakers.
_LANG_COMBOS: Final[tuple[tuple[str, ...], ...]] = (
    (), ("en",), ("en", "de"),
    ("ar",), ("ar", "fr"), ("ar", "en"), ("tr",), ("tr", "en"), ("so",), ("so", "en"),
    ("ti",), ("fa",), ("fa", "en"), ("ur", "en"),
    ("pl",), ("pl", "en"), ("de",), ("ro",), ("bg",), ("es", "en"), ("pt",),
)  # fmt: skip
_LANG_SHARES: Final = {
    "none": {(): 0.88, ("en",): 0.10, ("en", "de"): 0.02},
    "western": {(): 0.12, ("en",): 0.12, ("pl",): 0.30, ("pl", "en"): 0.05, ("de",): 0.12,
                ("ro",): 0.10, ("bg",): 0.08, ("es", "en"): 0.06, ("pt",): 0.05},
    "non_western": {(): 0.12, ("en",): 0.06, ("ar",): 0.18, ("ar", "fr"): 0.07,
                    ("ar", "en"): 0.05, ("tr",): 0.20, ("tr", "en"): 0.05, ("so",): 0.06,
                    ("so", "en"): 0.02, ("ti",): 0.07, ("fa",): 0.06, ("fa", "en"): 0.02,
                    ("ur", "en"): 0.04},
}  # fmt: skip

# Interests: base log-odds, then shifts for female, aged 50+, human capital (per SD),
# non-western background, children at home.
_INTEREST_MODEL: Final = {
    "care": (-1.9, 0.9, 0.0, 0.0, 0.1, 0.2),
    "sustainability": (-2.4, 0.0, 0.5, 0.3, -0.2, 0.0),
    "technical": (-2.3, -1.4, 0.0, 0.2, 0.0, 0.0),
    "logistics": (-2.0, -0.8, -0.2, 0.0, 0.1, 0.0),
    "hospitality": (-1.9, 0.2, -0.4, 0.0, 0.2, 0.0),
    "retail": (-1.9, 0.3, -0.3, 0.0, 0.0, 0.0),
    "cleaning": (-2.1, 0.4, 0.4, -0.4, 0.3, 0.0),
    "administration": (-2.3, 0.4, 0.0, 0.5, -0.2, 0.0),
    "childcare": (-3.2, 1.2, -0.8, 0.0, 0.2, 0.7),
    "education": (-3.0, 0.3, 0.0, 0.6, 0.0, 0.0),
    "creative": (-2.2, 0.3, 0.0, 0.3, 0.0, 0.0),
    "entrepreneurship": (-2.9, -0.3, 0.0, 0.3, 0.5, 0.0),
}


def _cuts(shares: tuple[float, ...]) -> FloatArray:
    """Thresholds that split a standard-normal latent into levels with these shares."""
    cum = np.cumsum(shares)[:-1] / sum(shares)
    return np.array([NormalDist().inv_cdf(float(c)) for c in cum])


def _expit(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _solve(share: Callable[[float], float], target: float) -> float:
    """Find the intercept at which an increasing share function hits the target."""
    lo, hi = -15.0, 15.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if share(mid) < target else (lo, mid)
    return (lo + hi) / 2


def _intercepts() -> tuple[float, float, float]:
    """Solve the national intercepts of the non-western, 55+ and long-term shares."""
    w = np.array([r.weight for r in REGIONS])
    w = w / w.sum()
    nw = np.array([r.non_western for r in REGIONS])
    old = np.array([r.older for r in REGIONS])
    lt = np.array([r.long_term for r in REGIONS])
    c_nw = _solve(lambda c: float(w @ _expit(c + nw)), CALIBRATION_TARGETS["non_western"].value)
    c_old = _solve(lambda c: float(w @ _expit(c + old)), CALIBRATION_TARGETS["aged_55_plus"].value)
    # P(long-term) integrates over the age distribution of each municipality and, with
    # Gauss-Hermite quadrature, over the human-capital latent.
    q = _expit(c_old + old)[:, None]
    ages = np.concatenate([_YOUNG_AGES, _OLD_AGES])
    pmf = np.concatenate(
        [(1 - q) * _YOUNG_PMF / _YOUNG_PMF.sum(), q * _OLD_PMF / _OLD_PMF.sum()], axis=1
    )
    nodes, weights = np.polynomial.hermite_e.hermegauss(24)
    weights = weights / weights.sum()
    age_term = _LT_AGE_SLOPE * (ages - 45) / 10

    def share_lt(c: float) -> float:
        x = c + lt[:, None, None] + age_term[None, :, None] + _LT_HUMAN_CAPITAL * nodes
        p = (_expit(x) @ weights) * (ages >= 20)
        return float(w @ (pmf * p).sum(axis=1))

    return c_nw, c_old, _solve(share_lt, CALIBRATION_TARGETS["long_term"].value)


_C_NON_WESTERN, _C_OLDER, _C_LONG_TERM = _intercepts()


def _check_arguments(
    n: object, seed: object, unknown_rates: Mapping[str, float] | None, municipality: object
) -> dict[str, float]:
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n={n!r} is not allowed; expected a whole number >= 0")
    if n < 0:
        raise ValueError(f"n={n!r} is not allowed; expected a whole number >= 0")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; expected a whole number >= 0")
    if municipality is not None and (not isinstance(municipality, str) or not municipality):
        raise ValueError(
            f"municipality={municipality!r} is not allowed; expected a municipality name "
            "or None for the national mix"
        )
    rates = dict(DEFAULT_UNKNOWN_RATES)
    for name, rate in (unknown_rates or {}).items():
        if name in _REQUIRED:
            raise ValueError(
                f"unknown_rates[{name!r}] is not allowed; {name} is required and always known"
            )
        if name not in rates:
            raise ValueError(
                f"unknown_rates[{name!r}] is not allowed; expected a contract field other "
                "than client_id and age, or 'zrm' for the whole ZRM"
            )
        ok = isinstance(rate, float | int | np.floating | np.integer) and not isinstance(rate, bool)
        if not ok or not 0.0 <= float(rate) <= 1.0:
            raise ValueError(
                f"unknown_rates[{name!r}]={rate!r} is not allowed; expected a number from 0 to 1"
            )
        rates[name] = float(rate)
    return rates


def _ordinal(latent: FloatArray, shares: tuple[float, ...]) -> npt.NDArray[np.int8]:
    return np.searchsorted(_cuts(shares), latent).astype(np.int8)


def _draw_truth(
    n: int, rng: np.random.Generator, regions: tuple[Region, ...]
) -> dict[str, npt.NDArray[Any]]:
    """Draw the complete truth: every fact of every client, as NumPy arrays.

    Enums are level codes, list fields are indices into decoding tables, structurally
    absent values are NaN (floats) or flagged in ``_absent_<field>`` (ints).
    """
    t: dict[str, npt.NDArray[Any]] = {}
    weights = np.array([r.weight for r in regions])
    reg = rng.choice(len(regions), size=n, p=weights / weights.sum())
    t["_region"] = reg
    h, w, s, m = (rng.standard_normal((n, 4)) @ np.linalg.cholesky(_LATENT_CORR).T).T

    u = rng.random(n)
    p_female = CALIBRATION_TARGETS["female"].value
    gender = np.where(u < p_female, 0, np.where(u < p_female + _P_OTHER_GENDER, 2, 1))
    female = gender == 0
    t["gender"] = gender.astype(np.int8)

    p_nw = _expit(_C_NON_WESTERN + np.array([r.non_western for r in regions]))[reg]
    u = rng.random(n)
    mig = np.where(u < p_nw, 2, np.where(u < p_nw + (1 - p_nw) * _P_WESTERN_OF_REST, 1, 0))
    nw, west = mig == 2, mig == 1
    t["migration_background"] = mig.astype(np.int8)

    p_old = _expit(_C_OLDER + np.array([r.older for r in regions]))[reg]
    older = rng.random(n) < p_old
    u = rng.random(n)
    young_cdf = np.cumsum(_YOUNG_PMF) / _YOUNG_PMF.sum()
    old_cdf = np.cumsum(_OLD_PMF) / _OLD_PMF.sum()
    age = np.where(
        older,
        _OLD_AGES[np.minimum(np.searchsorted(old_cdf, u), len(_OLD_AGES) - 1)],
        _YOUNG_AGES[np.minimum(np.searchsorted(young_cdf, u), len(_YOUNG_AGES) - 1)],
    ).astype(np.int64)
    t["age"] = age

    # Older clients and clients with little human capital stay longer (report §1.1).
    lt_shift = np.array([r.long_term for r in regions])[reg]
    x = _C_LONG_TERM + lt_shift + _LT_AGE_SLOPE * (age - 45) / 10 + _LT_HUMAN_CAPITAL * h
    long_term = (rng.random(n) < _expit(x)) & (age >= 20)
    extra_years = rng.gamma(1.3, 1.2 + 0.11 * (age - 20))
    months = np.where(
        long_term,
        np.minimum(24 + np.floor(extra_years * 12), (age - 18) * 12),
        np.floor(rng.random(n) * np.minimum(24, (age - 18) * 12 + 1)),
    ).astype(np.int64)
    t["months_on_assistance"] = months

    couple = rng.random(n) < _expit(-1.7 + 1.0 * nw + 0.4 * west + 0.01 * (age - 40))
    t["household"] = couple.astype(np.int8)
    # Children under 18 only; a parent was 18-45 when the youngest was born.
    lo, hi = np.clip(age - 45, 0, 17), np.minimum(17, age - 18)
    base = np.where(couple, 0.65, np.where(female, 0.55, 0.07))
    age_factor = np.interp(age, [18, 25, 45, 55, 62], [0.25, 1.0, 1.0, 0.3, 0.0]) * (lo <= hi)
    has_children = rng.random(n) < base * age_factor
    extra_children = np.minimum(rng.poisson(0.5 + 0.6 * nw), 7)
    children = np.where(has_children, 1 + extra_children, 0).astype(np.int64)
    youngest = lo + np.floor(rng.random(n) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
    t["children"] = children
    t["youngest_child_age"] = np.where(has_children, youngest, 0)
    t["_absent_youngest_child_age"] = ~has_children

    u = rng.random(n)
    lang = np.zeros(n, dtype=np.int64)
    for code, background in enumerate(("none", "western", "non_western")):
        shares = _LANG_SHARES[background]
        probs = np.array([shares.get(c, 0.0) for c in _LANG_COMBOS])
        cdf = np.cumsum(probs) / probs.sum()
        pick = np.minimum(np.searchsorted(cdf, u), len(_LANG_COMBOS) - 1)
        lang = np.where(mig == code, pick, lang)
    t["other_languages"] = lang
    dutch_at_home = nw & (lang == 0)

    edu = 0.8 * h + 0.6 * rng.standard_normal(n) - 0.45 * nw + 0.15 * west - 0.008 * (age - 40)
    t["education"] = _ordinal(edu, (0.07, 0.15, 0.20, 0.08, 0.15, 0.08, 0.10, 0.07, 0.07, 0.03))
    dutch = (
        np.where(nw, -0.4, np.where(west, 0.8, 2.6))
        + 0.5 * h
        + 0.8 * rng.standard_normal(n)
        + 2.2 * dutch_at_home
        - 0.012 * (age - 40) * nw
    )
    t["dutch_level"] = np.searchsorted([-1.6, -0.9, -0.2, 0.5, 1.1, 1.9], dutch).astype(np.int8)

    psych = _ordinal(-0.85 * w + 0.53 * rng.standard_normal(n), (0.45, 0.25, 0.20, 0.10))
    phys = _ordinal(
        -0.6 * w + 0.035 * (age - 45) + 0.75 * rng.standard_normal(n), (0.55, 0.33, 0.12)
    )
    t["psych_complaints"], t["physical_limitations"] = psych, phys
    cap_x = (
        1.4 + 0.9 * w - 0.9 * (phys == 2) - 0.35 * (phys == 1) - 1.0 * (psych == 3)
        - 0.35 * (psych == 2) - 0.02 * (age - 45) + 0.5 * rng.standard_normal(n)
    )  # fmt: skip
    capacity = (np.rint(10 * _expit(cap_x)) * 10).astype(np.int64)
    disabled = (capacity <= 10) & (rng.random(n) < 0.6)
    capacity = np.where(disabled, 0, capacity)
    t["work_capacity_pct"], t["fully_disabled"] = capacity, disabled

    motivation = _ordinal(m + 0.45 * rng.standard_normal(n), (0.10, 0.25, 0.35, 0.30))
    t["motivation"] = motivation
    x = 0.2 + 1.1 * m + 0.4 * w - 0.08 * np.maximum(age - 55, 0) - 2.0 * disabled
    t["wants_paid_work"] = rng.random(n) < _expit(x)
    t["social_skills"] = _ordinal(s + 0.5 * rng.standard_normal(n), (0.30, 0.45, 0.25))
    ind = 0.5 * s + 0.5 * w + 0.3 * h + 0.7 * rng.standard_normal(n)
    t["independence"] = _ordinal(ind, (0.30, 0.45, 0.25))
    t["can_work_in_group"] = rng.random(n) < _expit(0.6 + 1.2 * s + 0.4 * w)
    x = -0.3 + 0.6 * m + 0.5 * (psych >= 1) + 0.3 * (phys >= 1)
    t["has_help_question"] = rng.random(n) < _expit(x)

    # The Participatieladder follows health, drive, social strength, capacity and duration.
    ladder_x = (
        0.5 * w + 0.35 * m + 0.3 * s + 0.25 * h + 1.5 * (capacity / 100 - 0.6)
        - 0.25 * np.log1p(months / 12) + 0.6 * rng.standard_normal(n)
    )  # fmt: skip
    ladder = 1 + np.searchsorted([-1.93, -0.59, 0.42, 1.32, 1.73], ladder_x)
    ladder = np.where(disabled, np.minimum(ladder, 2), ladder).astype(np.int64)
    t["participation_ladder"] = ladder

    single_parent = ~couple & has_children
    x = -3.2 + 1.5 * (age >= 60) + 2.0 * (psych == 3) + 3.5 * disabled
    x = x + 1.2 * (single_parent & (youngest < 5))
    t["exempt_from_work_obligation"] = rng.random(n) < _expit(x)
    t["in_other_trajectory"] = rng.random(n) < _expit(-1.8 + 0.3 * (ladder - 3))
    t["uses_minimum_schemes"] = rng.random(n) < _expit(0.3 + 0.6 * has_children - 0.3 * h)
    rural = np.array([r.kind == "rural" for r in regions])[reg]
    x = 0.8 + 0.4 * (gender == 1) + 0.6 * rural - 0.3 * (age >= 60)
    t["has_transport"] = rng.random(n) < _expit(x)
    x = -0.3 + 0.4 * m + 0.3 * couple
    t["has_childcare"] = has_children & (rng.random(n) < _expit(x))

    p_income = np.select([ladder == 6, ladder == 5], [0.9, 0.4], 0.04)
    working = rng.random(n) < p_income
    income = np.exp(np.log(5000) + 0.6 * rng.standard_normal(n))
    t["part_time_income_eur"] = np.where(working, np.rint(income / 10) * 10, 0.0)
    x = -2.0 + 0.9 * nw + 0.5 * (female & couple) - 0.7 * h - 0.04 * (age - 30)
    never = ~working & (rng.random(n) < _expit(x))
    since = np.minimum(months / 12 + rng.exponential(1.0, n), age - 18)
    since = np.where(working, 0.0, np.round(since, 1))
    t["years_since_last_job"] = np.where(never, np.nan, since)
    frac = _expit(-0.3 + 0.8 * h - 0.5 * female + 0.6 * rng.standard_normal(n))
    experience = np.round(np.maximum(age - 18 - np.where(never, 0, since), 0) * frac, 1)
    t["work_experience_years"] = np.where(never, 0.0, experience)

    mask = np.zeros(n, dtype=np.int64)
    for bit, name in enumerate(INTERESTS):
        b0, f, a50, hc, nwx, kids = _INTEREST_MODEL[name]
        x = b0 + f * female + a50 * (age >= 50) + hc * h + nwx * nw + kids * has_children
        mask |= (rng.random(n) < _expit(x)).astype(np.int64) << bit
    t["interests"] = mask

    zrm = {
        "finances": (2.6 + 0.4 * (w + h) / 2, 0.6),
        "work_education": (1.0 + 0.55 * (ladder - 1), 0.5),
        "time_use": (2.0 + 0.4 * (ladder - 1) + 0.3 * m, 0.6),
        "housing": (4.0 + 0.4 * w, 0.7),
        "domestic_relations": (3.8 + 0.4 * s + 0.3 * w, 0.7),
        "mental_health": (np.array([4.5, 3.6, 2.8, 1.8])[psych], 0.5),
        "physical_health": (np.array([4.3, 3.3, 2.2])[phys], 0.5),
        "substance_use": (4.4 + 0.4 * w, 0.8),
        "basic_adl": (4.7 + 0.3 * w - 0.8 * (phys == 2), 0.4),
        "instrumental_adl": (4.0 + 0.4 * w + 0.3 * h, 0.6),
        "social_network": (3.2 + 0.7 * s, 0.7),
        "community_participation": (1.8 + 0.45 * (ladder - 1) + 0.3 * s, 0.6),
        "justice": (4.6 + 0.0 * w, 0.7),
    }
    for domain in ZRM_DOMAINS:
        mu, sd = zrm[domain]
        # On assistance, Financiën is at most 3 (4 = basic needs met without benefits).
        top = 3 if domain == "finances" else 5
        score = np.clip(np.rint(mu + sd * rng.standard_normal(n)), 1, top)
        t[f"zrm_{domain}"] = score.astype(np.int64)

    offsets = np.cumsum([0] + [len(r.neighbourhoods) for r in regions])
    sizes = np.diff(offsets)[reg]
    t["neighbourhood"] = offsets[reg] + np.floor(rng.random(n) * sizes).astype(np.int64)
    return t


def _draw_unknown(
    n: int, rng: np.random.Generator, rates: Mapping[str, float]
) -> dict[str, BoolArray]:
    """Draw which facts are unknown, independently of their values.

    A uniform is drawn for every field whatever its rate, so changing one rate never changes
    the truth or the other masks of a seed.
    """
    unknown: dict[str, BoolArray] = {}
    no_zrm = rng.random(n) < rates["zrm"]
    for name in STORED_FIELDS:
        if name in _REQUIRED:
            continue
        u = rng.random(n)
        unknown[name] = u < rates[name]
        if name.startswith("zrm_"):
            unknown[name] |= no_zrm
    return unknown


def _string_array(values: npt.NDArray[Any], missing: BoolArray | None) -> pd.Series[str]:
    series = pd.Series(pd.array(values, dtype="string"), copy=False)
    if missing is not None and missing.any():
        series[missing] = pd.NA
    return series


def _list_column(
    codes: IntArray, decode: Callable[[IntArray], list[tuple[str, ...]]], missing: BoolArray
) -> pd.Series[Any]:
    """Build an object column of fresh lists (None where unknown) from per-client codes."""
    uniq, inverse = np.unique(codes, return_inverse=True)
    table = decode(uniq)
    # A million small lists make the cyclic garbage collector run again and again, which
    # costs four times the building itself; these lists cannot form cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        values = list(map(list, map(table.__getitem__, inverse.ravel().tolist())))
    finally:
        if enabled:
            gc.enable()
    series = pd.Series(values, dtype=object)
    series[missing] = None
    return series


def _decode_languages(codes: IntArray) -> list[tuple[str, ...]]:
    return [_LANG_COMBOS[int(c)] for c in codes]


def _decode_interests(codes: IntArray) -> list[tuple[str, ...]]:
    return [tuple(x for b, x in enumerate(INTERESTS) if int(c) >> b & 1) for c in codes]


def _frame(
    t: Mapping[str, npt.NDArray[Any]],
    unknown: Mapping[str, BoolArray],
    regions: tuple[Region, ...],
    n: int,
) -> pd.DataFrame:
    """Assemble the contract DataFrame from truth arrays and unknown masks."""
    none = np.zeros(n, dtype=bool)
    columns: dict[str, pd.Series[Any]] = {}
    width = max(7, len(str(n)))
    ids = np.strings.add("syn-", np.strings.zfill(np.arange(1, n + 1).astype(str), width))
    columns["client_id"] = _string_array(ids, None)
    names = np.array([r.name for r in regions], dtype=object)
    columns["municipality"] = _string_array(names[t["_region"]], unknown.get("municipality"))
    hoods = np.array([h for r in regions for h in r.neighbourhoods], dtype=object)
    columns["neighbourhood"] = _string_array(
        hoods[t["neighbourhood"]], unknown.get("neighbourhood")
    )
    for name in STORED_FIELDS:
        if name in columns:
            continue
        spec = FIELDS[name]
        missing = unknown.get(name, none)
        values = t[name]
        if spec.kind is Kind.INT:
            missing = missing | t.get(f"_absent_{name}", none)
            ints = pd.arrays.IntegerArray(values.astype(np.int64), missing.copy())
            columns[name] = pd.Series(ints, copy=False)
        elif spec.kind is Kind.FLOAT:
            columns[name] = pd.Series(np.where(missing, np.nan, values), dtype="float64")
        elif spec.kind is Kind.BOOL:
            bools = pd.arrays.BooleanArray(values.astype(bool), missing.copy())
            columns[name] = pd.Series(bools, copy=False)
        elif spec.kind is Kind.ENUM:
            dtype = pd.CategoricalDtype(list(spec.values), ordered=spec.ordered)
            codes = np.where(missing, -1, values).astype(np.int8)
            columns[name] = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype))
        elif name == "other_languages":
            columns[name] = _list_column(values, _decode_languages, missing)
        else:
            columns[name] = _list_column(values, _decode_interests, missing)
    return pd.DataFrame({name: columns[name] for name in STORED_FIELDS}, copy=False)


@overload
def generate_caseload(
    n: int,
    *,
    seed: int = ...,
    unknown_rates: Mapping[str, float] | None = ...,
    municipality: str | None = ...,
    return_truth: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def generate_caseload(
    n: int,
    *,
    seed: int = ...,
    unknown_rates: Mapping[str, float] | None = ...,
    municipality: str | None = ...,
    return_truth: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def generate_caseload(
    n: int,
    *,
    seed: int = 0,
    unknown_rates: Mapping[str, float] | None = None,
    municipality: str | None = None,
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a synthetic caseload of ``n`` clients in the columnar contract form.

    Parameters
    ----------
    n : int
        Number of clients (>= 0).
    seed : int, default 0
        Seed of the single ``PCG64`` generator; the same seed gives the same frame.
    unknown_rates : mapping of str to float, optional
        Per-field probability (0-1) that a fact is unknown, overriding
        :data:`DEFAULT_UNKNOWN_RATES`. ``"zrm"`` is the share without any ZRM; a
        ``zrm_<domain>`` rate applies to the clients who have one. ``client_id`` and ``age``
        are required and cannot be made unknown.
    municipality : str, optional
        Draw every client from this municipality. A name in :data:`REGIONS` brings its own
        mix; another name gets the national intercepts and generic neighbourhoods. ``None``
        draws the national mix of :data:`REGIONS`, the one the calibration targets hold for.
    return_truth : bool, default False
        Also return the complete truth frame, before facts were hidden.

    Returns
    -------
    pandas.DataFrame or tuple of two DataFrames
        The observed caseload: columns ``STORED_FIELDS`` in order, unknown facts as
        ``pd.NA``/``NaN``/``None``. With ``return_truth``, ``(observed, truth)``; the truth
        lacks only structurally absent values.

    Raises
    ------
    ValueError
        For a negative ``n`` or ``seed``, an empty municipality name, or an unknown rate that
        names a non-field, a required field, or lies outside [0, 1].
    TypeError
        When ``n`` is not a whole number.

    Examples
    --------
    >>> frame = generate_caseload(3, seed=1)
    >>> list(frame["client_id"])
    ['syn-0000001', 'syn-0000002', 'syn-0000003']
    >>> observed, truth = generate_caseload(100, seed=1, return_truth=True)
    >>> bool(truth["motivation"].notna().all())
    True
    """
    rates = _check_arguments(n, seed, unknown_rates, municipality)
    n = int(n)
    if municipality is None:
        regions = REGIONS
    else:
        known = {r.name.casefold(): r for r in REGIONS}
        region = known.get(municipality.casefold())
        if region is None:
            region = Region(municipality, 1.0, "suburban", 0.0, 0.0, 0.0, _OTHER_NEIGHBOURHOODS)
        regions = (region,)
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    truth = _draw_truth(n, rng, regions)
    unknown = _draw_unknown(n, rng, rates)
    observed = _frame(truth, unknown, regions, n)
    if not return_truth:
        return observed
    return observed, _frame(truth, {}, regions, n)
