"""Many compiled rules evaluated together: a flat plan of column operations.

Evaluating rules one by one costs a handful of numpy calls per comparison, which is nothing
for a large caseload and most of the time for one client. A :class:`RulePlan` walks the
compiled plans of many rules once (an approach catalog's hard rules, preferences and
conditions), keeps each distinct comparison once, and evaluates:

- every ``field op number`` comparison on a field without interval bounds with a few
  broadcast operations over a (comparisons, clients) array, one per operator;
- every other leaf (text, lists, membership, ``is known``, bounded aggregates) with its own
  step, as :meth:`CompiledRule.evaluate` does;
- ``not`` by swapping true and false (no operation), ``and``/``or`` as Kleene reductions.

The semantics are those of the steps in ``_evaluate``: a comparison is known where the value
is known and not NaN, ``and`` is true where all items are and false where any is, ``or`` the
other way round. ``tests/rules/test_flat.py`` holds the plan to the rule-by-rule evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from matchkit.rules._compile import CompiledRule
from matchkit.rules._evaluate import (
    _COMPARE,
    AllOf,
    AnyOf,
    Invert,
    ScalarCompare,
    Step,
    _bounds,
)
from matchkit.rules._source import ColumnSource

__all__ = ["RulePlan"]

_CELLS: Final = 1 << 16
"""About this many (comparison, client) cells per block of clients (a cache's worth)."""

# A literal: (column, negated). Columns number the distinct leaves first, then the nodes.
_Lit = tuple[int, bool]


class RulePlan:
    """Evaluate many compiled rules at once, with few numpy calls per caseload.

    Parameters
    ----------
    rules : sequence of CompiledRule
        The rules, in the order of the result's rows.

    Examples
    --------
    >>> from matchkit.rules import ArraySource, compile_rule
    >>> rules = [compile_rule("age >= 50"), compile_rule("not (age >= 50 or has_transport)")]
    >>> true, false = RulePlan(rules).evaluate(
    ...     ArraySource({"age": [60, 40, None], "has_transport": [False, False, True]})
    ... )
    >>> true.tolist(), false.tolist()
    ([[True, False, False], [False, True, False]], [[False, True, False], [True, False, True]])
    """

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self._leaves: list[Step] = []
        self._leaf_index: dict[Step, int] = {}
        # Nodes by their key (conjunction?, literals); a literal's column is ~k for node k
        # until the leaves are counted.
        self._node_index: dict[tuple[bool, tuple[_Lit, ...]], int] = {}
        raw = [self._walk(rule._plan) for rule in rules]
        n_leaves = len(self._leaves)

        def resolve(lit: _Lit) -> _Lit:
            column, negated = lit
            return (column if column >= 0 else n_leaves + ~column), negated

        self._nodes = [
            (conj, np.array([resolve(x)[0] for x in lits], dtype=np.intp),
             np.array([resolve(x)[1] for x in lits], dtype=np.intp))
            for conj, lits in self._node_index
        ]  # fmt: skip
        self._columns = n_leaves + len(self._nodes)
        out = [resolve(lit) for lit in raw]
        self._out_col = np.array([c for c, _ in out], dtype=np.intp)
        self._out_neg = np.array([g for _, g in out], dtype=np.intp)
        compares = [
            (i, step) for i, step in enumerate(self._leaves) if isinstance(step, ScalarCompare)
        ]
        self._compares = compares
        self._fields = sorted({step.name for _, step in compares})
        self._groups: dict[frozenset[str], _Group] = {}

    def __len__(self) -> int:
        return len(self._out_col)

    def _walk(self, step: Step) -> _Lit:
        if isinstance(step, Invert):
            column, negated = self._walk(step.operand)
            return column, not negated
        if isinstance(step, AllOf | AnyOf):
            key = (isinstance(step, AllOf), tuple(self._walk(item) for item in step.items))
            node = self._node_index.setdefault(key, len(self._node_index))
            return ~node, False
        index = self._leaf_index.setdefault(step, len(self._leaves))
        if index == len(self._leaves):
            self._leaves.append(step)
        return index, False

    def evaluate(self, source: ColumnSource) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Evaluate every rule for every client of ``source``.

        Parameters
        ----------
        source : ColumnSource
            The caseload's columns.

        Returns
        -------
        true, false : bool arrays (rules, clients)
            Where each rule is true and where it is false (neither: unknown), as
            :meth:`CompiledRule.evaluate` gives them row by row.
        """
        n = source.n
        values = np.empty((2, self._columns, n), dtype=np.bool_)  # [0] true, [1] false
        bounded = frozenset(name for name in self._fields if _bounds(source, name) is not None)
        group = self._groups.get(bounded)
        if group is None:
            group = self._groups[bounded] = _Group(self._compares, self._fields, bounded)
        for i, step in enumerate(self._leaves):
            if i not in group.covered:
                tri = step.evaluate(source)
                values[0, i] = tri.true
                values[1, i] = tri.false
        group.evaluate(source, values)
        if self._nodes:
            # A block of clients at a time, so the gathered literals stay in the cache.
            widest = max(len(cols) for _, cols, _ in self._nodes)
            rows = max(1, _CELLS // widest)
            for begin in range(0, n, rows):
                block = slice(begin, min(begin + rows, n))
                for k, (conj, cols, negs) in enumerate(self._nodes):
                    trues = values[negs, cols, block]  # the true side of each literal
                    falses = values[1 - negs, cols, block]
                    column = len(self._leaves) + k
                    if conj:
                        values[0, column, block] = trues.all(axis=0)
                        values[1, column, block] = falses.any(axis=0)
                    else:
                        values[0, column, block] = trues.any(axis=0)
                        values[1, column, block] = falses.all(axis=0)
        true = values[self._out_neg, self._out_col]
        false = values[1 - self._out_neg, self._out_col]
        return true, false


class _Group:
    """The ``field op number`` leaves on fields without bounds, compared by broadcast."""

    def __init__(
        self,
        compares: Sequence[tuple[int, ScalarCompare]],
        fields: Sequence[str],
        bounded: frozenset[str],
    ) -> None:
        self.fields = [name for name in fields if name not in bounded]
        position = {name: f for f, name in enumerate(self.fields)}
        kept = [(i, step) for i, step in compares if step.name not in bounded]
        self.covered = frozenset(i for i, _ in kept)
        self.columns = np.array([i for i, _ in kept], dtype=np.intp)
        self.field_of = np.array([position[step.name] for _, step in kept], dtype=np.intp)
        self.value = np.array([step.value for _, step in kept], dtype=np.float64)[:, None]
        self.ops = [
            (_COMPARE[op], np.array([k for k, (_, s) in enumerate(kept) if s.op == op]))
            for op in sorted({step.op for _, step in kept})
        ]

    def evaluate(self, source: ColumnSource, values: npt.NDArray[np.bool_]) -> None:
        """Write the true and false sides of the covered leaves into ``values``."""
        if not len(self.columns):
            return
        n = source.n
        data = np.empty((len(self.fields), n), dtype=np.float64)
        known = np.empty((len(self.fields), n), dtype=np.bool_)
        for f, name in enumerate(self.fields):
            data[f], known[f] = source.scalar(name)
        # NaN is unknown whatever the mask says (as in the single comparison).
        known &= ~np.isnan(data)
        # Every comparison at once on a block of clients: the (comparisons, clients) arrays
        # of a block stay in the processor's cache.
        rows = max(1, _CELLS // len(self.columns))
        columns, field_of, value = self.columns, self.field_of, self.value
        hit = np.empty((len(columns), min(rows, n)), dtype=np.bool_)
        for begin in range(0, n, rows):
            block = slice(begin, min(begin + rows, n))
            x = data[field_of, block]
            part = hit[:, : x.shape[1]]
            for compare, ops in self.ops:
                part[ops] = compare(x[ops], value[ops])
            k = known[field_of, block]
            values[0, columns, block] = k & part
            values[1, columns, block] = k & ~part
