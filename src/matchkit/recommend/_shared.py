"""Criteria that many approaches share, counted once on the reference population.

A large catalog repeats itself: 10,000 generated approaches hold about 60,000 criteria but
fewer than 2,500 distinct rule texts, and a national guide reuses "age <= 64" or
"wants_paid_work" across hundreds of instruments. A rule's value for a client depends on its
text alone (compilation is deterministic), so the reference counts behind the evidence
weights are taken once per distinct text. (Evaluating a caseload shares work the same way:
``CatalogPlan`` evaluates each distinct comparison once.)
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["CriterionCounts"]


class CriterionCounts:
    """How many reference clients meet each distinct criterion, and how many are known.

    The reference shares of :func:`evidence_weights` are such counts divided; a rule's
    counts are integers, exact in any order of summation, so they are computed once per
    distinct text and reused.
    """

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}

    def get(self, text: str, compute: Callable[[], tuple[int, int]]) -> tuple[int, int]:
        """Return ``(matching, known)`` for the rule ``text``, computed once."""
        counts = self._counts.get(text)
        if counts is None:
            counts = self._counts[text] = compute()
        return counts
