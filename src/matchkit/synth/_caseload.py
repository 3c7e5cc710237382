"""Synthetic caseloads: plausible clients on long-term social assistance, no real data.

:func:`generate_caseload` draws a whole caseload at once (vectorised, one
``np.random.Generator(np.random.PCG64(seed))``) as a :class:`~matchkit.Caseload` whose frame
has matchkit's columnar contract form. It first
draws a complete *truth* for every client, then hides facts at the rates real case files
have; ``return_truth=True`` hands back both, so the planted outcome model
(:mod:`matchkit.synth._outcome`) can score what is really there rather than what is recorded.

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
import pyarrow as pa
import pyarrow.compute as pc

from matchkit._caseload import Caseload
from matchkit._fields import FIELDS, INTERESTS, STORED_FIELDS, ZRM_DOMAINS, Kind
from matchkit._types import BoolArray, FloatArray, IntArray
from matchkit.errors import ParameterError

__all__ = [
    "CALIBRATION_TARGETS",
    "DEFAULT_UNKNOWN_RATES",
    "REGIONS",
    "CalibrationTarget",
    "Region",
    "generate_caseload",
]


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

    @property
    def kind_is_rural(self) -> float:
        """1.0 for a rural municipality, else 0.0."""
        return float(self.kind == "rural")


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
        raise ParameterError(f"n={n!r} is not allowed; expected a whole number >= 0")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed={seed!r} is not allowed; expected a whole number >= 0")
    if municipality is not None and (not isinstance(municipality, str) or not municipality):
        raise ParameterError(
            f"municipality={municipality!r} is not allowed; expected a municipality name "
            "or None for the national mix"
        )
    if unknown_rates is not None and not isinstance(unknown_rates, Mapping):
        raise TypeError(
            f"unknown_rates={unknown_rates!r} is not allowed; expected a mapping of field "
            "name to a number from 0 to 1"
        )
    rates = dict(DEFAULT_UNKNOWN_RATES)
    for name, rate in (unknown_rates or {}).items():
        if name in _REQUIRED:
            raise ParameterError(
                f"unknown_rates[{name!r}] is not allowed; {name} is required and always known"
            )
        if name not in rates:
            raise ParameterError(
                f"unknown_rates[{name!r}] is not allowed; expected a contract field other "
                "than client_id and age, or 'zrm' for the whole ZRM"
            )
        ok = isinstance(rate, float | int | np.floating | np.integer) and not isinstance(rate, bool)
        if not ok or not 0.0 <= float(rate) <= 1.0:
            raise ParameterError(
                f"unknown_rates[{name!r}]={rate!r} is not allowed; expected a number from 0 to 1"
            )
        rates[name] = float(rate)
    return rates


def _ordinal(latent: FloatArray, shares: tuple[float, ...]) -> npt.NDArray[np.int8]:
    return np.searchsorted(_cuts(shares), latent).astype(np.int8)


class _Draw:
    """Draws the complete truth, stage by stage, into NumPy arrays.

    Enums are level codes, list fields indices into decoding tables, structurally absent
    values NaN (floats) or flagged in ``_absent_<field>`` (ints). The stages run in a fixed
    order on one generator, so a seed fixes the whole caseload.
    """

    def __init__(self, n: int, rng: np.random.Generator, regions: tuple[Region, ...]) -> None:
        self.n, self.rng, self.regions = n, rng, regions
        self.t: dict[str, npt.NDArray[Any]] = {}
        weights = np.array([r.weight for r in regions])
        self.reg = rng.choice(len(regions), size=n, p=weights / weights.sum())
        self.t["_region"] = self.reg
        latent = rng.standard_normal((n, 4)) @ np.linalg.cholesky(_LATENT_CORR).T
        # Human capital, wellbeing (health), social strength, drive.
        self.h, self.w, self.s, self.m = latent.T

    def normal(self) -> FloatArray:
        return self.rng.standard_normal(self.n)

    def chance(self, log_odds: FloatArray | float) -> BoolArray:
        """Draw a Bernoulli outcome per client with these log-odds."""
        return self.rng.random(self.n) < _expit(np.asarray(log_odds, dtype=np.float64))

    def regional(self, attribute: str) -> FloatArray:
        return np.array([getattr(r, attribute) for r in self.regions], dtype=np.float64)[self.reg]

    def run(self) -> dict[str, npt.NDArray[Any]]:
        self.demography()
        self.household()
        self.language_and_education()
        self.health_and_drive()
        self.conditions()
        self.work_history()
        self.interests()
        self.zrm()
        offsets = np.cumsum([0] + [len(r.neighbourhoods) for r in self.regions])
        sizes = np.diff(offsets)[self.reg]
        local = np.floor(self.rng.random(self.n) * sizes).astype(np.int64)
        self.t["neighbourhood"] = offsets[self.reg] + local
        return self.t

    def demography(self) -> None:
        n, rng, t = self.n, self.rng, self.t
        u = rng.random(n)
        p_female = CALIBRATION_TARGETS["female"].value
        gender = np.where(u < p_female, 0, np.where(u < p_female + _P_OTHER_GENDER, 2, 1))
        self.female = gender == 0
        t["gender"] = gender.astype(np.int8)

        p_nw = _expit(_C_NON_WESTERN + self.regional("non_western"))
        u = rng.random(n)
        mig = np.where(u < p_nw, 2, np.where(u < p_nw + (1 - p_nw) * _P_WESTERN_OF_REST, 1, 0))
        self.nw, self.west = mig == 2, mig == 1
        t["migration_background"] = mig.astype(np.int8)

        older = self.chance(_C_OLDER + self.regional("older"))
        u = rng.random(n)
        young_cdf = np.cumsum(_YOUNG_PMF) / _YOUNG_PMF.sum()
        old_cdf = np.cumsum(_OLD_PMF) / _OLD_PMF.sum()
        age = np.where(
            older,
            _OLD_AGES[np.minimum(np.searchsorted(old_cdf, u), len(_OLD_AGES) - 1)],
            _YOUNG_AGES[np.minimum(np.searchsorted(young_cdf, u), len(_YOUNG_AGES) - 1)],
        ).astype(np.int64)
        self.age = t["age"] = age

        # Older clients and clients with little human capital stay longer (report §1.1).
        x = (
            _C_LONG_TERM
            + self.regional("long_term")
            + _LT_AGE_SLOPE * (age - 45) / 10
            + _LT_HUMAN_CAPITAL * self.h
        )
        long_term = self.chance(x) & (age >= 20)
        extra_years = rng.gamma(1.3, 1.2 + 0.11 * (age - 20))
        months = np.where(
            long_term,
            np.minimum(24 + np.floor(extra_years * 12), (age - 18) * 12),
            np.floor(rng.random(n) * np.minimum(24, (age - 18) * 12 + 1)),
        ).astype(np.int64)
        self.months = t["months_on_assistance"] = months

    def household(self) -> None:
        n, rng, t, age = self.n, self.rng, self.t, self.age
        self.couple = self.chance(-1.7 + 1.0 * self.nw + 0.4 * self.west + 0.01 * (age - 40))
        t["household"] = self.couple.astype(np.int8)
        # Children under 18 only; a parent was 18-45 when the youngest was born.
        lo, hi = np.clip(age - 45, 0, 17), np.minimum(17, age - 18)
        base = np.where(self.couple, 0.65, np.where(self.female, 0.55, 0.07))
        by_age = np.interp(age, [18, 25, 45, 55, 62], [0.25, 1.0, 1.0, 0.3, 0.0]) * (lo <= hi)
        has_children = rng.random(n) < base * by_age
        extra_children = np.minimum(rng.poisson(0.5 + 0.6 * self.nw), 7)
        t["children"] = np.where(has_children, 1 + extra_children, 0).astype(np.int8)
        youngest = lo + np.floor(rng.random(n) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
        t["youngest_child_age"] = np.where(has_children, youngest, 0).astype(np.int8)
        t["_absent_youngest_child_age"] = ~has_children
        self.has_children = has_children
        self.single_parent_young_child = ~self.couple & has_children & (youngest < 5)

    def language_and_education(self) -> None:
        n, rng, t, nw, west = self.n, self.rng, self.t, self.nw, self.west
        u = rng.random(n)
        lang = np.zeros(n, dtype=np.int64)
        for code, background in enumerate(("none", "western", "non_western")):
            shares = _LANG_SHARES[background]
            probs = np.array([shares.get(c, 0.0) for c in _LANG_COMBOS])
            cdf = np.cumsum(probs) / probs.sum()
            pick = np.minimum(np.searchsorted(cdf, u), len(_LANG_COMBOS) - 1)
            lang = np.where(t["migration_background"] == code, pick, lang)
        t["other_languages"] = lang

        edu = 0.8 * self.h + 0.6 * self.normal() - 0.45 * nw + 0.15 * west
        edu = edu - 0.008 * (self.age - 40)
        t["education"] = _ordinal(edu, (0.07, 0.15, 0.20, 0.08, 0.15, 0.08, 0.10, 0.07, 0.07, 0.03))
        dutch = (
            np.where(nw, -0.4, np.where(west, 0.8, 2.6))
            + 0.5 * self.h
            + 0.8 * self.normal()
            + 2.2 * (nw & (lang == 0))  # Surinamese and Antillean Dutch speakers
            - 0.012 * (self.age - 40) * nw
        )
        levels = np.searchsorted([-1.6, -0.9, -0.2, 0.5, 1.1, 1.9], dutch)
        t["dutch_level"] = levels.astype(np.int8)

    def health_and_drive(self) -> None:
        t, age, h, w, s, m = self.t, self.age, self.h, self.w, self.s, self.m
        psych = _ordinal(-0.85 * w + 0.53 * self.normal(), (0.45, 0.25, 0.20, 0.10))
        phys = _ordinal(-0.6 * w + 0.035 * (age - 45) + 0.75 * self.normal(), (0.55, 0.33, 0.12))
        self.psych, self.phys = t["psych_complaints"], t["physical_limitations"] = psych, phys
        cap_x = (
            1.4 + 0.9 * w - 0.9 * (phys == 2) - 0.35 * (phys == 1) - 1.0 * (psych == 3)
            - 0.35 * (psych == 2) - 0.02 * (age - 45) + 0.5 * self.normal()
        )  # fmt: skip
        capacity = (np.rint(10 * _expit(cap_x)) * 10).astype(np.int16)
        disabled = (capacity <= 10) & (self.rng.random(self.n) < 0.6)
        capacity = np.where(disabled, 0, capacity)
        t["work_capacity_pct"], self.disabled = capacity, disabled
        t["fully_disabled"] = disabled

        t["motivation"] = _ordinal(m + 0.45 * self.normal(), (0.10, 0.25, 0.35, 0.30))
        x = 0.2 + 1.1 * m + 0.4 * w - 0.08 * np.maximum(age - 55, 0) - 2.0 * disabled
        t["wants_paid_work"] = self.chance(x)
        t["social_skills"] = _ordinal(s + 0.5 * self.normal(), (0.30, 0.45, 0.25))
        ind = 0.5 * s + 0.5 * w + 0.3 * h + 0.7 * self.normal()
        t["independence"] = _ordinal(ind, (0.30, 0.45, 0.25))
        t["can_work_in_group"] = self.chance(0.6 + 1.2 * s + 0.4 * w)
        t["has_help_question"] = self.chance(
            -0.3 + 0.6 * m + 0.5 * (psych >= 1) + 0.3 * (phys >= 1)
        )

        # The Participatieladder follows health, drive, social strength, capacity, duration.
        ladder_x = (
            0.5 * w + 0.35 * m + 0.3 * s + 0.25 * h + 1.5 * (capacity / 100 - 0.6)
            - 0.25 * np.log1p(self.months / 12) + 0.6 * self.normal()
        )  # fmt: skip
        ladder = 1 + np.searchsorted([-1.93, -0.59, 0.42, 1.32, 1.73], ladder_x)
        ladder = np.where(disabled, np.minimum(ladder, 2), ladder).astype(np.int8)
        self.ladder = t["participation_ladder"] = ladder

    def conditions(self) -> None:
        t, age = self.t, self.age
        x = -3.2 + 1.5 * (age >= 60) + 2.0 * (self.psych == 3) + 3.5 * self.disabled
        t["exempt_from_work_obligation"] = self.chance(x + 1.2 * self.single_parent_young_child)
        t["in_other_trajectory"] = self.chance(-1.8 + 0.3 * (self.ladder - 3))
        t["uses_minimum_schemes"] = self.chance(0.3 + 0.6 * self.has_children - 0.3 * self.h)
        rural = self.regional("kind_is_rural")
        male = t["gender"] == 1
        t["has_transport"] = self.chance(0.8 + 0.4 * male + 0.6 * rural - 0.3 * (age >= 60))
        childcare = self.chance(-0.3 + 0.4 * self.m + 0.3 * self.couple)
        t["has_childcare"] = self.has_children & childcare

    def work_history(self) -> None:
        t, age, ladder = self.t, self.age, self.ladder
        working = self.rng.random(self.n) < np.select([ladder == 6, ladder == 5], [0.9, 0.4], 0.04)
        income = np.exp(np.log(5000) + 0.6 * self.normal())
        t["part_time_income_eur"] = np.where(working, np.rint(income / 10) * 10, 0.0)
        x = -2.0 + 0.9 * self.nw + 0.5 * (self.female & self.couple) - 0.7 * self.h
        never = ~working & self.chance(x - 0.04 * (age - 30))
        since = np.minimum(self.months / 12 + self.rng.exponential(1.0, self.n), age - 18)
        since = np.where(working, 0.0, np.round(since, 1))
        t["years_since_last_job"] = np.where(never, np.nan, since)
        frac = _expit(-0.3 + 0.8 * self.h - 0.5 * self.female + 0.6 * self.normal())
        experience = np.round(np.maximum(age - 18 - np.where(never, 0, since), 0) * frac, 1)
        t["work_experience_years"] = np.where(never, 0.0, experience)

    def interests(self) -> None:
        mask = np.zeros(self.n, dtype=np.int64)
        for bit, name in enumerate(INTERESTS):
            b0, female, aged_50, capital, nw, kids = _INTEREST_MODEL[name]
            x = b0 + female * self.female + aged_50 * (self.age >= 50) + capital * self.h
            x = x + nw * self.nw + kids * self.has_children
            mask |= self.chance(x).astype(np.int64) << bit
        self.t["interests"] = mask

    def zrm(self) -> None:
        h, w, s, m, ladder = self.h, self.w, self.s, self.m, self.ladder
        zrm: dict[str, tuple[FloatArray, float]] = {
            "finances": (2.6 + 0.4 * (w + h) / 2, 0.6),
            "work_education": (1.0 + 0.55 * (ladder - 1), 0.5),
            "time_use": (2.0 + 0.4 * (ladder - 1) + 0.3 * m, 0.6),
            "housing": (4.0 + 0.4 * w, 0.7),
            "domestic_relations": (3.8 + 0.4 * s + 0.3 * w, 0.7),
            "mental_health": (np.array([4.5, 3.6, 2.8, 1.8])[self.psych], 0.5),
            "physical_health": (np.array([4.3, 3.3, 2.2])[self.phys], 0.5),
            "substance_use": (4.4 + 0.4 * w, 0.8),
            "basic_adl": (4.7 + 0.3 * w - 0.8 * (self.phys == 2), 0.4),
            "instrumental_adl": (4.0 + 0.4 * w + 0.3 * h, 0.6),
            "social_network": (3.2 + 0.7 * s, 0.7),
            "community_participation": (1.8 + 0.45 * (ladder - 1) + 0.3 * s, 0.6),
            "justice": (np.full(self.n, 4.6), 0.7),
        }
        for domain in ZRM_DOMAINS:
            mu, sd = zrm[domain]
            # On assistance, Financiën is at most 3 (4 = basic needs met without benefits).
            top = 3 if domain == "finances" else 5
            score = np.clip(np.rint(mu + sd * self.normal()), 1, top)
            self.t[f"zrm_{domain}"] = score.astype(np.int8)


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


def _string_column(labels: list[str], codes: IntArray, missing: BoolArray | None) -> pd.Series[str]:
    """Build a "string" column by taking labels by code (Arrow does it without a loop)."""
    taken = pa.array(labels, type=pa.string()).take(pa.array(codes, mask=missing))
    return pd.Series(pd.arrays.ArrowStringArray(taken), copy=False)


def _client_ids(n: int) -> pd.Series[str]:
    """Return ``syn-0000001``, ``syn-0000002``, ... (at least seven digits)."""
    numbers = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    padded = pc.utf8_lpad(numbers, max(7, len(str(n))), "0")
    ids = pc.binary_join_element_wise("syn-", padded, "")
    return pd.Series(pd.arrays.ArrowStringArray(ids), copy=False)


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
    columns["client_id"] = _client_ids(n)
    names = [r.name for r in regions]
    columns["municipality"] = _string_column(names, t["_region"], unknown.get("municipality"))
    hoods = [h for r in regions for h in r.neighbourhoods]
    columns["neighbourhood"] = _string_column(
        hoods, t["neighbourhood"], unknown.get("neighbourhood")
    )
    for name in STORED_FIELDS:
        if name in columns:
            continue
        spec = FIELDS[name]
        missing = unknown.get(name, none)
        values = t[name]
        if spec.kind is Kind.INT:
            missing = missing | t.get(f"_absent_{name}", none)
            # Small ints are kept narrow in the truth arrays; widening copies, so the observed
            # and the truth frame never share a buffer.
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
) -> Caseload: ...
@overload
def generate_caseload(
    n: int,
    *,
    seed: int = ...,
    unknown_rates: Mapping[str, float] | None = ...,
    municipality: str | None = ...,
    return_truth: Literal[True],
) -> tuple[Caseload, Caseload]: ...
def generate_caseload(
    n: int,
    *,
    seed: int = 0,
    unknown_rates: Mapping[str, float] | None = None,
    municipality: str | None = None,
    return_truth: bool = False,
) -> Caseload | tuple[Caseload, Caseload]:
    """Generate a synthetic caseload of ``n`` clients.

    Parameters
    ----------
    n : int
        Number of clients (>= 0).
    seed : int, default 0
        Seed of the single ``PCG64`` generator; the same seed gives the same caseload.
    unknown_rates : mapping of str to float, optional
        Per-field probability (0-1) that a fact is unknown, overriding
        :data:`DEFAULT_UNKNOWN_RATES`. ``"zrm"`` is the share without any ZRM; a
        ``zrm_<domain>`` rate applies to the clients who have one. ``client_id`` and ``age``
        are required and cannot be made unknown.
    municipality : str, optional
        Draw every client from this municipality. A name in :data:`REGIONS` brings its own
        mix (matched case-insensitively); another name gets the national intercepts and
        generic neighbourhoods. ``None``
        draws the national mix of :data:`REGIONS`, the one the calibration targets hold for.
    return_truth : bool, default False
        Also return the complete truth, before facts were hidden.

    Returns
    -------
    Caseload or tuple of two Caseloads
        The observed caseload; its ``.frame`` has the columns ``STORED_FIELDS`` in order,
        unknown facts as ``pd.NA``/``NaN``/``None``. With ``return_truth``,
        ``(observed, truth)``; the truth lacks only structurally absent values. The frames are
        built in the contract form directly, so they are not validated a second time.

    Raises
    ------
    ParameterError
        For a negative ``n`` or ``seed``, an empty municipality name, or an unknown rate that
        names a non-field, a required field, or lies outside [0, 1].
    TypeError
        When ``n`` is not a whole number or ``unknown_rates`` not a mapping.

    Examples
    --------
    >>> caseload = generate_caseload(3, seed=1)
    >>> caseload.client_ids
    ['syn-0000001', 'syn-0000002', 'syn-0000003']
    >>> observed, truth = generate_caseload(100, seed=1, return_truth=True)
    >>> bool(truth.frame["motivation"].notna().all())
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
    truth = _Draw(n, rng, regions).run()
    unknown = _draw_unknown(n, rng, rates)
    # The frames are assembled in the contract form (tests/synth/test_synth_frame.py checks
    # that validating them again changes nothing), so the caseload skips validation.
    observed = Caseload(_frame(truth, unknown, regions, n), _validated=True)
    if not return_truth:
        return observed
    return observed, Caseload(_frame(truth, {}, regions, n), _validated=True)
