"""Recommending: rule status, evidence-weighted score and explanations per client × approach.

The catalog's compiled rules and target profiles are evaluated over a whole caseload at once
(:class:`Recommender.recommend_batch`); one client is a caseload of one. The result stays
columnar (:class:`BatchResult`, status codes :data:`INELIGIBLE`, :data:`VERIFY`,
:data:`ELIGIBLE`) and reasons are rendered only when asked for.
"""

from matchkit.recommend._explain import SCORE_SCALE, field_label, value_label
from matchkit.recommend._recommender import (
    BatchResult,
    Recommendation,
    Recommender,
    reference_caseload,
)
from matchkit.recommend._scoring import (
    ELIGIBLE,
    INELIGIBLE,
    STATUS_NAMES,
    VERIFY,
    ScoringModel,
)

__all__ = [
    "ELIGIBLE",
    "INELIGIBLE",
    "SCORE_SCALE",
    "STATUS_NAMES",
    "VERIFY",
    "BatchResult",
    "Recommendation",
    "Recommender",
    "ScoringModel",
    "field_label",
    "reference_caseload",
    "value_label",
]
