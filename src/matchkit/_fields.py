"""The client-profile contract as data: one registry every other module reads.

Validation, the columnar caseload, the rule language, scoring and the synthetic generator
all look fields up here, so a field is defined once. The registry follows
``docs/spec/client-profile.md`` exactly; ZRM domains appear flat as ``zrm_<key>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Kind(StrEnum):
    """How a field's values look."""

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    ENUM = "enum"
    STR = "str"
    LIST = "list"


@dataclass(frozen=True)
class FieldSpec:
    """One field of the client-profile contract.

    Attributes
    ----------
    name : str
        Contract name, also the column name in flat tables.
    kind : Kind
        Value type.
    values : tuple of str
        Enum levels (in order when ``ordered``) or the closed vocabulary of a list field;
        empty for an open list such as ``other_languages``.
    ordered : bool
        Whether enum levels compare by order.
    minimum, maximum : float or None
        Inclusive numeric bounds.
    sensitive : bool
        An audit dimension that may not drive a score (gender, migration background).
    derived : bool
        Computed from other fields, never stored or read from input.
    label_en, label_nl : str
        Short human labels used in reasons.
    """

    name: str
    kind: Kind
    label_en: str
    label_nl: str
    values: tuple[str, ...] = ()
    ordered: bool = False
    minimum: float | None = None
    maximum: float | None = None
    sensitive: bool = False
    derived: bool = False
    required: bool = False

    @property
    def numeric(self) -> bool:
        """Whether the field compares as a number (ints, floats, ordered enums)."""
        return self.kind in (Kind.INT, Kind.FLOAT) or (self.kind is Kind.ENUM and self.ordered)

    def allowed(self) -> str:
        """Describe the allowed values, for error messages."""
        if self.kind is Kind.ENUM:
            sep = " < " if self.ordered else ", "
            return "one of " + sep.join(self.values)
        if self.kind is Kind.LIST:
            if self.values:
                return "a list drawn from " + ", ".join(self.values)
            return "a list of ISO 639-1 language codes (two lowercase letters)"
        if self.kind is Kind.BOOL:
            return "true or false"
        if self.kind is Kind.STR:
            if self.name == "client_id":
                return "1-64 characters of A-Za-z0-9._-"
            return "text"
        kind = "a whole number" if self.kind is Kind.INT else "a number"
        if self.minimum is not None and self.maximum is not None:
            return f"{kind} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{kind} >= {self.minimum:g}"
        return kind


ZRM_DOMAINS: Final[tuple[str, ...]] = (
    "finances",
    "work_education",
    "time_use",
    "housing",
    "domestic_relations",
    "mental_health",
    "physical_health",
    "substance_use",
    "basic_adl",
    "instrumental_adl",
    "social_network",
    "community_participation",
    "justice",
)
"""The 13 domains of the current Zelfredzaamheid-Matrix, in the order of the ZRM."""

ZRM_DOMAINS_NL: Final = MappingProxyType(
    {
        "finances": "Financiën",
        "work_education": "Werk & opleiding",
        "time_use": "Tijdsbesteding",
        "housing": "Huisvesting",
        "domestic_relations": "Huiselijke relaties",
        "mental_health": "Geestelijke gezondheid",
        "physical_health": "Lichamelijke gezondheid",
        "substance_use": "Middelengebruik",
        "basic_adl": "Basale ADL",
        "instrumental_adl": "Instrumentele ADL",
        "social_network": "Sociaal netwerk",
        "community_participation": "Maatschappelijke participatie",
        "justice": "Justitie",
    }
)

ZRM_LEGACY_11: Final = MappingProxyType(
    {
        # Older 11-domain ZRM -> domains of the 13-domain ZRM that replaced it. The 2017
        # revision split Dagbesteding and ADL-vaardigheden in two and renamed Verslaving; an
        # old score is carried to both halves of a split domain.
        "finances": ("finances",),
        "day_activities": ("work_education", "time_use"),
        "housing": ("housing",),
        "domestic_relations": ("domestic_relations",),
        "mental_health": ("mental_health",),
        "physical_health": ("physical_health",),
        "addiction": ("substance_use",),
        "adl": ("basic_adl", "instrumental_adl"),
        "social_network": ("social_network",),
        "community_participation": ("community_participation",),
        "justice": ("justice",),
    }
)
"""Keys of the 11-domain ZRM and the 13-domain keys each maps to."""

FIP_LEEFGEBIEDEN: Final = MappingProxyType(
    {
        # The eight life areas of the FIP approach (report §3.5.2, footnote 13) and the ZRM
        # domains that describe each; a life area scores the lowest of its known domains.
        "zingeving": ("time_use", "community_participation"),
        "wonen": ("housing",),
        "financien": ("finances",),
        "sociale_relaties": ("domestic_relations", "social_network"),
        "lichamelijke_gezondheid": ("physical_health", "basic_adl"),
        "psychische_gezondheid": ("mental_health",),
        "verslaving": ("substance_use",),
        "werk_activiteiten": ("work_education", "time_use", "instrumental_adl"),
    }
)

DUTCH_LEVELS: Final = ("none", "A1", "A2", "B1", "B2", "C1", "C2")
EDUCATION_LEVELS: Final = (
    "none",
    "primary",
    "vmbo",
    "mbo1",
    "mbo2",
    "mbo3",
    "mbo4",
    "havo_vwo",
    "hbo",
    "wo",
)
INTERESTS: Final = (
    "care",
    "sustainability",
    "technical",
    "logistics",
    "hospitality",
    "retail",
    "cleaning",
    "administration",
    "childcare",
    "education",
    "creative",
    "entrepreneurship",
)


def _f(name: str, kind: Kind, en: str, nl: str, **kw: object) -> FieldSpec:
    return FieldSpec(name, kind, en, nl, **kw)  # type: ignore[arg-type]


_PROFILE: tuple[FieldSpec, ...] = (
    _f("client_id", Kind.STR, "client id", "cliënt-id", required=True),
    _f("age", Kind.INT, "age", "leeftijd", minimum=18, maximum=67, required=True),
    _f("gender", Kind.ENUM, "gender", "gender", values=("female", "male", "other"), sensitive=True),
    _f("municipality", Kind.STR, "municipality", "gemeente"),
    _f("neighbourhood", Kind.STR, "neighbourhood", "wijk"),
    _f(
        "months_on_assistance",
        Kind.INT,
        "months on assistance",
        "maanden in de bijstand",
        minimum=0,
        maximum=600,
    ),
    _f("household", Kind.ENUM, "household", "huishouden", values=("single", "couple")),
    _f(
        "children",
        Kind.INT,
        "children at home",
        "thuiswonende kinderen",
        minimum=0,
        maximum=20,
    ),
    _f(
        "youngest_child_age",
        Kind.INT,
        "age of youngest child",
        "leeftijd jongste kind",
        minimum=0,
        maximum=17,
    ),
    _f(
        "migration_background",
        Kind.ENUM,
        "migration background",
        "migratieachtergrond",
        values=("none", "western", "non_western"),
        sensitive=True,
    ),
    _f(
        "dutch_level",
        Kind.ENUM,
        "Dutch level",
        "taalniveau Nederlands",
        values=DUTCH_LEVELS,
        ordered=True,
    ),
    _f("other_languages", Kind.LIST, "other languages", "andere talen"),
    _f("education", Kind.ENUM, "education", "opleiding", values=EDUCATION_LEVELS, ordered=True),
    _f(
        "work_experience_years",
        Kind.FLOAT,
        "years of work experience",
        "jaren werkervaring",
        minimum=0,
        maximum=60,
    ),
    _f(
        "years_since_last_job",
        Kind.FLOAT,
        "years since last job",
        "jaren sinds laatste baan",
        minimum=0,
        maximum=60,
    ),
    _f(
        "participation_ladder",
        Kind.INT,
        "Participatieladder step",
        "trede Participatieladder",
        minimum=1,
        maximum=6,
    ),
    _f(
        "work_capacity_pct",
        Kind.INT,
        "work capacity (%)",
        "arbeidsvermogen (%)",
        minimum=0,
        maximum=100,
    ),
    _f(
        "part_time_income_eur",
        Kind.FLOAT,
        "part-time income (EUR/year)",
        "inkomsten uit deeltijdwerk (EUR/jaar)",
        minimum=0,
        maximum=100_000,
    ),
    _f("wants_paid_work", Kind.BOOL, "wants paid work", "wil betaald werk"),
    _f(
        "motivation",
        Kind.ENUM,
        "motivation",
        "motivatie",
        values=("none", "low", "some", "high"),
        ordered=True,
    ),
    _f("interests", Kind.LIST, "interests", "interesses", values=INTERESTS),
    _f(
        "psych_complaints",
        Kind.ENUM,
        "psychological complaints",
        "psychische klachten",
        values=("none", "mild", "moderate", "severe"),
        ordered=True,
    ),
    _f(
        "physical_limitations",
        Kind.ENUM,
        "physical limitations",
        "lichamelijke beperkingen",
        values=("none", "mild", "severe"),
        ordered=True,
    ),
    _f(
        "social_skills",
        Kind.ENUM,
        "social skills",
        "sociale vaardigheden",
        values=("low", "medium", "high"),
        ordered=True,
    ),
    _f(
        "independence",
        Kind.ENUM,
        "independence",
        "zelfstandigheid",
        values=("low", "medium", "high"),
        ordered=True,
    ),
    _f("can_work_in_group", Kind.BOOL, "can work in a group", "kan in een groep werken"),
    _f("has_help_question", Kind.BOOL, "has a help question", "heeft een hulpvraag"),
    _f("has_transport", Kind.BOOL, "has transport", "heeft vervoer"),
    _f("has_childcare", Kind.BOOL, "has childcare", "heeft kinderopvang"),
    _f(
        "exempt_from_work_obligation",
        Kind.BOOL,
        "exempt from the work obligation",
        "ontheven van de arbeidsverplichting",
    ),
    _f("fully_disabled", Kind.BOOL, "fully disabled", "volledig afgekeurd"),
    _f(
        "in_other_trajectory",
        Kind.BOOL,
        "in another re-integration programme",
        "in een ander re-integratietraject",
    ),
    _f(
        "uses_minimum_schemes",
        Kind.BOOL,
        "uses minimum-income schemes",
        "gebruikt minimaregelingen",
    ),
)
_ZRM: tuple[FieldSpec, ...] = tuple(
    _f(
        f"zrm_{d}",
        Kind.INT,
        f"ZRM {d.replace('_', ' ')}",
        f"ZRM {ZRM_DOMAINS_NL[d]}",
        minimum=1,
        maximum=5,
    )
    for d in ZRM_DOMAINS
)
_STORED: tuple[FieldSpec, ...] = (*_PROFILE, *_ZRM)

_DERIVED: tuple[FieldSpec, ...] = (
    _f("single_parent", Kind.BOOL, "single parent", "alleenstaande ouder", derived=True),
    _f(
        "long_term",
        Kind.BOOL,
        "long-term on assistance (24+ months)",
        "langdurig in de bijstand (24+ maanden)",
        derived=True,
    ),
    _f(
        "startkwalificatie",
        Kind.BOOL,
        "has a startkwalificatie",
        "heeft een startkwalificatie",
        derived=True,
    ),
    _f(
        "zrm_problem_domains",
        Kind.INT,
        "ZRM domains with problems (score 1-3)",
        "ZRM-domeinen met problemen (score 1-3)",
        minimum=0,
        maximum=13,
        derived=True,
    ),
    _f(
        "zrm_min",
        Kind.INT,
        "lowest ZRM score",
        "laagste ZRM-score",
        minimum=1,
        maximum=5,
        derived=True,
    ),
)

FIELDS: Final = MappingProxyType({f.name: f for f in _STORED + _DERIVED})
"""Every field by name: the stored contract fields followed by the derived ones."""

STORED_FIELDS: Final[tuple[str, ...]] = tuple(f.name for f in _STORED)
"""Contract column names in their canonical order (flat: ``zrm_<key>``)."""

DERIVED_FIELDS: Final[tuple[str, ...]] = tuple(f.name for f in _DERIVED)

ZRM_COLUMNS: Final[tuple[str, ...]] = tuple(f"zrm_{d}" for d in ZRM_DOMAINS)

SENSITIVE_FIELDS: Final[frozenset[str]] = frozenset(f.name for f in _STORED if f.sensitive)

DERIVED_FROM: Final = MappingProxyType(
    {
        "single_parent": ("household", "children"),
        "long_term": ("months_on_assistance",),
        "startkwalificatie": ("education",),
        "zrm_problem_domains": ZRM_COLUMNS,
        "zrm_min": ZRM_COLUMNS,
    }
)
"""The stored fields a derived field is computed from (what to verify when it is unknown)."""


def canonical_field(name: str) -> str | None:
    """Return the registry name for a field reference, or None if there is none.

    ``zrm.housing`` and ``zrm_housing`` both name the ZRM housing domain.
    """
    if name.startswith("zrm."):
        name = "zrm_" + name[4:]
    return name if name in FIELDS else None
