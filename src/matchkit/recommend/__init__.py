"""Recommending: rule status, evidence-weighted score and explanations per client × approach.

The catalog's compiled rules and target profiles are evaluated over a whole caseload at once
(:class:`Recommender.recommend_batch`); one client is a caseload of one. The result stays
columnar (:class:`BatchResult`) and reasons are rendered only when asked for.
"""

from matchkit.recommend._explain import SCORE_SCALE
from matchkit.recommend._recommender import (
    BatchResult,
    Recommendation,
    Recommender,
    reference_caseload,
)
from matchkit.recommend._scoring import ScoringModel

__all__ = [
    "SCORE_SCALE",
    "BatchResult",
    "Recommendation",
    "Recommender",
    "ScoringModel",
    "reference_caseload",
]
