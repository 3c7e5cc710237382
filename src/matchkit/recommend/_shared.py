"""Criteria that many approaches share, evaluated once per caseload.

A large catalog repeats itself: 10,000 generated approaches hold about 60,000 criteria but
fewer than 2,500 distinct rule texts, and a national guide reuses "age <= 64" or
"wants_paid_work" across hundreds of instruments. A rule's value for a client depends on its
text alone (compilation is deterministic), so approaches with the same text may share one
evaluation. The results are the arrays the per-approach path computes, reused, so every
figure stays bit for bit the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

import numpy.typing as npt

from matchkit._catalog import Approach

__all__ = ["SHARED_BUDGET", "CriterionCounts", "SharedCriteria", "criterion_keys", "shared_uses"]

Key = tuple[str, str]
"""("rule" or "target", the rule text): a hard rule's state or a preference's match."""

ArrayT = TypeVar("ArrayT", bound="npt.NDArray[Any]")

SHARED_BUDGET: Final = 256 * 1024 * 1024
"""Bytes of evaluated criteria :class:`SharedCriteria` keeps at most at any time."""


def criterion_keys(approach: Approach) -> list[Key]:
    """Return the keys of an approach's rule-based criteria: hard rules, then target rules."""
    keys: list[Key] = [("rule", c.text) for c in approach.compiled_rules]
    keys += [("target", c.text) for c in approach.compiled_target if c is not None]
    return keys


def shared_uses(approaches: Iterable[Approach]) -> dict[Key, int]:
    """Count the uses of each criterion that occurs more than once among ``approaches``."""
    uses = Counter(key for a in approaches for key in criterion_keys(a))
    return {key: count for key, count in uses.items() if count > 1}


class SharedCriteria:
    """Evaluated criteria kept for the approaches that use them again, within a byte budget.

    Only texts that occur in more than one approach are kept, each until its last use; a
    text that does not fit the budget is evaluated again where it is used, as before.

    Parameters
    ----------
    uses : dict
        Uses left per shared key (:func:`shared_uses`); copied, not changed.
    budget : int
        Most bytes kept at once.
    """

    def __init__(self, uses: dict[Key, int], budget: int = SHARED_BUDGET) -> None:
        self._left = dict(uses)
        self._kept: dict[Key, Any] = {}
        self._bytes = 0
        self._budget = budget

    def get(self, key: Key, compute: Callable[[], ArrayT]) -> ArrayT:
        """Return the evaluated criterion ``key``, computed by ``compute`` unless kept.

        The array returned may be shared: callers copy it (stack it), never change it.
        """
        value: ArrayT | None = self._kept.get(key)
        if value is None:
            value = compute()
        left = self._left.get(key)
        if left is None:
            return value
        if left == 1:
            del self._left[key]
            if self._kept.pop(key, None) is not None:
                self._bytes -= value.nbytes
            return value
        self._left[key] = left - 1
        if key not in self._kept and self._bytes + value.nbytes <= self._budget:
            value.flags.writeable = False
            self._kept[key] = value
            self._bytes += value.nbytes
        return value


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
