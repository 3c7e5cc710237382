"""A catalog's rules evaluated together, for any number of clients.

:class:`CatalogPlan` puts the hard rules, the rule preferences and the conditions to arrange of
every approach into one :class:`matchkit.rules.RulePlan` (per group of approaches, so the
arrays stay bounded on a large caseload), evaluates it once per caseload, and hands each
approach its rule states and preference matches. For one client this replaces some twenty
small numpy calls per comparison with a few per catalog; for a large caseload it does the
same work as evaluating the rules one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach
from matchkit._columns import CaseloadColumns
from matchkit._types import FloatArray
from matchkit.rules import CompiledRule, RulePlan

__all__ = ["ApproachStates", "CatalogPlan"]

_CELLS: Final = 1 << 22
"""At most this many (rule, client) cells per group of approaches evaluated together."""

_MATCH: Final = np.array([np.nan, 0.0, 1.0])
"""Preference match by rule state + 1: unknown NaN, false 0, true 1."""


@dataclass(frozen=True)
class ApproachStates:
    """One approach's rules evaluated on a caseload.

    Attributes
    ----------
    rule_state : int8 array (n, n_rules)
        Per hard rule: 1 true, 0 false, -1 unknown.
    target_rule_match : float array (n, n_rule_preferences)
        Per preference written as a rule (``compiled_target`` not None, in order): 1, 0 or
        NaN when unknown.
    arrange_state : int8 array (n, n_arrange)
        Per condition to arrange: 1 nothing to arrange, 0 to arrange, -1 unknown.
    """

    rule_state: npt.NDArray[np.int8]
    target_rule_match: FloatArray
    arrange_state: npt.NDArray[np.int8]


class CatalogPlan:
    """Evaluate the rules of many approaches together.

    Parameters
    ----------
    approaches : sequence of Approach
    """

    def __init__(self, approaches: Sequence[Approach]) -> None:
        self._approaches = tuple(approaches)
        self._sizes = [
            (
                len(a.compiled_rules),
                sum(c is not None for c in a.compiled_target),
                len(a.compiled_arrange),
            )
            for a in self._approaches
        ]
        self._plans: dict[tuple[int, int], RulePlan] = {}

    def _groups(self, n: int) -> Iterator[tuple[int, int]]:
        """Consecutive approaches whose rules times ``n`` clients stay within the budget."""
        budget = max(1, _CELLS // max(n, 1))
        start, rules = 0, 0
        for j, size in enumerate(self._sizes):
            k = sum(size)
            if j > start and rules + k > budget:
                yield start, j
                start, rules = j, 0
            rules += k
        if start < len(self._sizes):
            yield start, len(self._sizes)

    def _plan(self, start: int, stop: int) -> RulePlan:
        plan = self._plans.get((start, stop))
        if plan is None:
            rules: list[CompiledRule] = []
            for a in self._approaches[start:stop]:
                rules += a.compiled_rules
                rules += [c for c in a.compiled_target if c is not None]
                rules += a.compiled_arrange
            if len(self._plans) >= 4_096:
                self._plans.clear()
            plan = self._plans[start, stop] = RulePlan(rules)
        return plan

    def evaluate(self, cols: CaseloadColumns) -> list[ApproachStates]:
        """Return the states of every approach's rules on ``cols``, in catalog order."""
        out: list[ApproachStates] = []
        for start, stop in self._groups(cols.n):
            true, false = self._plan(start, stop).evaluate(cols)
            # 1 true, 0 false, -1 unknown: 2 * true + false - 1.
            state = true.view(np.int8) * np.int8(2)
            state += false.view(np.int8)
            state -= np.int8(1)
            row = 0
            for n_rules, n_target, n_arrange in self._sizes[start:stop]:
                a, b = row + n_rules, row + n_rules + n_target
                out.append(
                    ApproachStates(
                        np.ascontiguousarray(state[row:a].T),
                        # Matches of the preference rows only, made (clients, rules)
                        # at once: no float copy of the whole group's states.
                        np.ascontiguousarray(_MATCH[state[a:b].T + 1]),
                        np.ascontiguousarray(state[b : b + n_arrange].T),
                    )
                )
                row = b + n_arrange
        return out
