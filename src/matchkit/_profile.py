"""ClientProfile: one person on social assistance, as the contract describes them.

Every field but ``client_id`` and ``age`` may be unknown (``None``); unknown stays distinct
from ``False``, ``0`` and ``[]`` all the way to the result. Ordered enums compare by their
order (``DutchLevel.B1 > DutchLevel.A2``).
"""

from __future__ import annotations

import re
import warnings
from enum import StrEnum
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from matchkit._fields import FIELDS, FIP_LEEFGEBIEDEN, ZRM_DOMAINS, ZRM_LEGACY_11
from matchkit.errors import DataQualityWarning

__all__ = [
    "ClientProfile",
    "DutchLevel",
    "Education",
    "Gender",
    "Household",
    "Independence",
    "Interest",
    "MigrationBackground",
    "Motivation",
    "PhysicalLimitations",
    "PsychComplaints",
    "SocialSkills",
    "leefgebieden_from_zrm",
    "zrm_from_legacy",
]

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
LANGUAGE_CODE_PATTERN = re.compile(r"^[a-z]{2}$")


class _OrderedEnum(StrEnum):
    """A string enum whose members compare by their declaration order."""

    @property
    def rank(self) -> int:
        """Position of the member in the order (0-based)."""
        return list(type(self)).index(self)

    def _check(self, other: object) -> _OrderedEnum:
        if type(other) is not type(self):
            other = type(self)(str(other))
        assert isinstance(other, _OrderedEnum)
        return other

    def __lt__(self, other: object) -> bool:
        return self.rank < self._check(other).rank

    def __le__(self, other: object) -> bool:
        return self.rank <= self._check(other).rank

    def __gt__(self, other: object) -> bool:
        return self.rank > self._check(other).rank

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._check(other).rank

    def __str__(self) -> str:
        return str(self.value)


class Gender(StrEnum):
    """Gender: an audit dimension only."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Household(StrEnum):
    """Household composition."""

    SINGLE = "single"
    COUPLE = "couple"


class MigrationBackground(StrEnum):
    """CBS migration background: an audit dimension only."""

    NONE = "none"
    WESTERN = "western"
    NON_WESTERN = "non_western"


class DutchLevel(_OrderedEnum):
    """CEFR level of Dutch; the taaleis (referentieniveau 1F) is about A2."""

    NONE = "none"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class Education(_OrderedEnum):
    """Highest education; ``mbo2`` or higher is a startkwalificatie."""

    NONE = "none"
    PRIMARY = "primary"
    VMBO = "vmbo"
    MBO1 = "mbo1"
    MBO2 = "mbo2"
    MBO3 = "mbo3"
    MBO4 = "mbo4"
    HAVO_VWO = "havo_vwo"
    HBO = "hbo"
    WO = "wo"


class Motivation(_OrderedEnum):
    """Motivation; ``some`` is "wants something, whatever it is" (report §3.7)."""

    NONE = "none"
    LOW = "low"
    SOME = "some"
    HIGH = "high"


class PsychComplaints(_OrderedEnum):
    """Psychological complaints; mild and moderate are common mental disorders."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class PhysicalLimitations(_OrderedEnum):
    """Physical limitations."""

    NONE = "none"
    MILD = "mild"
    SEVERE = "severe"


class SocialSkills(_OrderedEnum):
    """Social and communicative skills."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Independence(_OrderedEnum):
    """Independence and self-reflection."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Interest(StrEnum):
    """Work interests."""

    CARE = "care"
    SUSTAINABILITY = "sustainability"
    TECHNICAL = "technical"
    LOGISTICS = "logistics"
    HOSPITALITY = "hospitality"
    RETAIL = "retail"
    CLEANING = "cleaning"
    ADMINISTRATION = "administration"
    CHILDCARE = "childcare"
    EDUCATION = "education"
    CREATIVE = "creative"
    ENTREPRENEURSHIP = "entrepreneurship"


def zrm_from_legacy(scores: dict[str, int]) -> dict[str, int]:
    """Translate scores on the older 11-domain ZRM to the 13 domains of the current one.

    Parameters
    ----------
    scores : dict
        Keys of the 11-domain ZRM (``finances``, ``day_activities``, ``housing``,
        ``domestic_relations``, ``mental_health``, ``physical_health``, ``addiction``,
        ``adl``, ``social_network``, ``community_participation``, ``justice``) to 1-5.

    Returns
    -------
    dict
        13-domain keys to scores. A domain that the 2017 revision split in two
        (Dagbesteding, ADL-vaardigheden) carries its score to both halves.

    Examples
    --------
    >>> zrm_from_legacy({"day_activities": 2, "addiction": 5})
    {'work_education': 2, 'time_use': 2, 'substance_use': 5}
    """
    out: dict[str, int] = {}
    for key, value in scores.items():
        if key not in ZRM_LEGACY_11:
            allowed = ", ".join(ZRM_LEGACY_11)
            raise ValueError(f"zrm11.{key}={value!r}: unknown domain; expected one of {allowed}")
        for new in ZRM_LEGACY_11[key]:
            out[new] = value
    return out


def leefgebieden_from_zrm(zrm: dict[str, int]) -> dict[str, int | None]:
    """Summarise ZRM scores into the eight FIP life areas (leefgebieden, report §3.5.2).

    Each life area scores the lowest of its known ZRM domains; ``None`` when none is known.

    Examples
    --------
    >>> leefgebieden_from_zrm({"housing": 2, "finances": 3})["wonen"]
    2
    """
    out: dict[str, int | None] = {}
    for area, domains in FIP_LEEFGEBIEDEN.items():
        known = [zrm[d] for d in domains if d in zrm]
        out[area] = min(known) if known else None
    return out


def _bounded(name: str) -> Any:
    """Return a model field with the registry's bounds (one source for model and validator)."""
    spec = FIELDS[name]
    return Field(default=None, ge=spec.minimum, le=spec.maximum, allow_inf_nan=False)


class ClientProfile(BaseModel):
    """What a municipality knows about one person on social assistance.

    Field names and values follow ``docs/spec/client-profile.md``. Every field but
    ``client_id`` and ``age`` may be ``None`` (unknown). ``zrm`` maps ZRM domains to 1-5;
    a missing domain is unknown. Scores on the older 11-domain ZRM may be given as ``zrm11``
    and are translated (see :func:`zrm_from_legacy`).

    Examples
    --------
    >>> p = ClientProfile(client_id="c-1", age=56, dutch_level="B1", children=0,
    ...                   household="single", zrm={"housing": 2})
    >>> p.dutch_level >= "A2", p.single_parent, p.motivation is None
    (True, False, True)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    client_id: str = Field(pattern=CLIENT_ID_PATTERN.pattern)
    age: StrictInt = Field(ge=18, le=67)
    gender: Gender | None = None
    municipality: str | None = Field(default=None, min_length=1)
    neighbourhood: str | None = Field(default=None, min_length=1)
    months_on_assistance: StrictInt | None = _bounded("months_on_assistance")
    household: Household | None = None
    children: StrictInt | None = _bounded("children")
    youngest_child_age: StrictInt | None = _bounded("youngest_child_age")
    migration_background: MigrationBackground | None = None
    dutch_level: DutchLevel | None = None
    other_languages: list[str] | None = None
    education: Education | None = None
    work_experience_years: StrictFloat | None = _bounded("work_experience_years")
    years_since_last_job: StrictFloat | None = _bounded("years_since_last_job")
    participation_ladder: StrictInt | None = _bounded("participation_ladder")
    work_capacity_pct: StrictInt | None = _bounded("work_capacity_pct")
    part_time_income_eur: StrictFloat | None = _bounded("part_time_income_eur")
    wants_paid_work: StrictBool | None = None
    motivation: Motivation | None = None
    interests: list[Interest] | None = None
    psych_complaints: PsychComplaints | None = None
    physical_limitations: PhysicalLimitations | None = None
    social_skills: SocialSkills | None = None
    independence: Independence | None = None
    can_work_in_group: StrictBool | None = None
    has_help_question: StrictBool | None = None
    has_transport: StrictBool | None = None
    has_childcare: StrictBool | None = None
    exempt_from_work_obligation: StrictBool | None = None
    fully_disabled: StrictBool | None = None
    in_other_trajectory: StrictBool | None = None
    uses_minimum_schemes: StrictBool | None = None
    zrm: dict[str, StrictInt] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _legacy_zrm(cls, data: Any) -> Any:
        if isinstance(data, dict) and "zrm11" in data:
            data = dict(data)
            legacy = data.pop("zrm11") or {}
            if data.get("zrm"):
                raise ValueError("give zrm (13 domains) or zrm11 (11 domains), not both")
            data["zrm"] = zrm_from_legacy(legacy)
        return data

    @field_validator("other_languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            bad = [v for v in value if not LANGUAGE_CODE_PATTERN.match(v)]
            if bad:
                raise ValueError(f"{bad!r} are not ISO 639-1 codes; expected two lowercase letters")
        return value

    @field_validator("zrm")
    @classmethod
    def _zrm(cls, value: dict[str, int]) -> dict[str, int]:
        for key, score in value.items():
            if key not in ZRM_DOMAINS:
                raise ValueError(f"zrm.{key}: unknown domain; expected one of {list(ZRM_DOMAINS)}")
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                raise ValueError(f"zrm.{key}={score!r}: expected a whole number from 1 to 5")
        return value

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        if self.children == 0 and self.youngest_child_age is not None:
            raise ValueError(
                f"youngest_child_age={self.youngest_child_age!r} must be absent when children is 0"
            )
        finances = self.zrm.get("finances")
        if finances is not None and finances > 3:
            warnings.warn(
                f"client {self.client_id}: zrm.finances={finances} means basic needs are met "
                "without benefits; a client on assistance scores at most 3",
                DataQualityWarning,
                stacklevel=2,
            )
        return self

    @property
    def single_parent(self) -> bool | None:
        """Single with children at home; None when that is unknown."""
        if self.household is Household.COUPLE or self.children == 0:
            return False
        if self.household is None or self.children is None:
            return None
        return True

    @property
    def long_term(self) -> bool | None:
        """On assistance for 24 months or more (report §1.1); None when unknown."""
        if self.months_on_assistance is None:
            return None
        return self.months_on_assistance >= 24

    def leefgebieden(self) -> dict[str, int | None]:
        """Return the ZRM summarised into the eight FIP life areas."""
        return leefgebieden_from_zrm(self.zrm)

    def to_record(self) -> dict[str, Any]:
        """Return a flat record (``zrm_<domain>`` keys, plain values, None for unknown)."""
        data = self.model_dump(mode="json", exclude={"zrm"})
        for domain in ZRM_DOMAINS:
            data[f"zrm_{domain}"] = self.zrm.get(domain)
        return data
