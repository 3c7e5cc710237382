"""matchkit: match people on long-term social assistance to the approaches most likely to help.

The public API. The data (profiles, caseloads, the catalog) lives in private modules here;
each stage of the flow has its own subpackage: ``rules``, ``recommend``, ``planning``,
``learn`` and ``synth``.

>>> import matchkit as mk
>>> catalog = mk.load_catalog()
>>> rec = mk.Recommender(catalog)
>>> client = mk.ClientProfile(client_id="c-1", age=56, social_skills="high")
>>> [r.status for r in rec.recommend(client, include_ineligible=True)][:1]
['verify']
"""

from matchkit._caseload import Caseload, read_caseload, validate_caseload, write_caseload
from matchkit._catalog import Approach, Catalog, load_catalog
from matchkit._offering import Offering, load_offering
from matchkit._profile import (
    ClientProfile,
    DutchLevel,
    Education,
    Gender,
    Household,
    Independence,
    Interest,
    MigrationBackground,
    Motivation,
    PhysicalLimitations,
    PsychComplaints,
    SocialSkills,
    leefgebieden_from_zrm,
    zrm_from_legacy,
)
from matchkit.errors import (
    AssignmentError,
    CatalogError,
    DataQualityWarning,
    MatchkitError,
    MissingColumnsError,
    OverlapError,
    OverlapWarning,
    ParameterError,
    RecordError,
    RecordErrors,
    RuleError,
    RuleSyntaxError,
    UnknownFieldError,
    UnreadableFileError,
)
from matchkit.learn import (
    EffectModel,
    Estimate,
    History,
    HistoryTruth,
    PolicyTree,
    PolicyValue,
    fit_effects,
    load_effects,
    policy_value,
    read_history,
    validate_history,
    write_history,
)
from matchkit.planning import (
    Plan,
    Pools,
    candidate_pools,
    group_names,
    plan_assignment,
    render_report,
    write_report,
)
from matchkit.recommend import (
    BatchResult,
    Recommendation,
    Recommender,
    ScoringModel,
    reference_caseload,
)
from matchkit.synth import Evaluation, evaluate, generate_caseload, generate_history

__version__ = "0.1.0"

__all__ = [
    "Approach",
    "AssignmentError",
    "BatchResult",
    "Caseload",
    "Catalog",
    "CatalogError",
    "ClientProfile",
    "DataQualityWarning",
    "DutchLevel",
    "Education",
    "EffectModel",
    "Estimate",
    "Evaluation",
    "Gender",
    "History",
    "HistoryTruth",
    "Household",
    "Independence",
    "Interest",
    "MatchkitError",
    "MigrationBackground",
    "MissingColumnsError",
    "Motivation",
    "Offering",
    "OverlapError",
    "OverlapWarning",
    "ParameterError",
    "PhysicalLimitations",
    "Plan",
    "PolicyTree",
    "PolicyValue",
    "Pools",
    "PsychComplaints",
    "Recommendation",
    "Recommender",
    "RecordError",
    "RecordErrors",
    "RuleError",
    "RuleSyntaxError",
    "ScoringModel",
    "SocialSkills",
    "UnknownFieldError",
    "UnreadableFileError",
    "candidate_pools",
    "evaluate",
    "fit_effects",
    "generate_caseload",
    "generate_history",
    "group_names",
    "leefgebieden_from_zrm",
    "load_catalog",
    "load_effects",
    "load_offering",
    "plan_assignment",
    "policy_value",
    "read_caseload",
    "read_history",
    "reference_caseload",
    "render_report",
    "validate_caseload",
    "validate_history",
    "write_caseload",
    "write_history",
    "write_report",
    "zrm_from_legacy",
]
