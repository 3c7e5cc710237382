"""Evaluation plans: compiled rules as trees of numpy operations over a ColumnSource.

A plan is built once per rule by the compiler with every literal already turned into what the
columns hold (an enum level into its index), so evaluating it is array arithmetic only: no
Python loop over clients and no look-up of field specs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, cast

import numpy as np
import numpy.typing as npt

from matchkit.rules._source import BoundedSource, ColumnSource
from matchkit.rules._tri import Tri

__all__ = [
    "AllOf",
    "AnyOf",
    "Invert",
    "IsKnown",
    "ListContains",
    "ScalarCompare",
    "ScalarIn",
    "Step",
    "TextCompare",
    "TextIn",
]

_COMPARE: Final[dict[str, Callable[..., Any]]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


class Step(Protocol):
    """A compiled rule or part of one."""

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        ...


def _scalar(
    source: ColumnSource, name: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    values, known = source.scalar(name)
    # NaN is unknown whatever the mask says: a comparison with NaN is not a known "false".
    return values, known & ~np.isnan(values)


def _bounds(
    source: ColumnSource, name: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """Interval bounds of a partly known aggregate (see ``ColumnSource`` notes), if any."""
    # The runtime Protocol check costs more than the comparison itself when one client is
    # evaluated, so its answer is kept per source type.
    kind = type(source)
    bounded = _BOUNDED.get(kind)
    if bounded is None:
        bounded = _BOUNDED[kind] = isinstance(source, BoundedSource)
    if bounded:
        return cast(BoundedSource, source).bounds(name)
    return None


_BOUNDED: dict[type, bool] = {}


@dataclass(frozen=True, slots=True)
class ScalarCompare:
    """``name op value`` on a number, bool (0/1) or enum index.

    For an aggregate the source can bound (``zrm_problem_domains``: at least the known
    problems, at most those plus the unknown domains), the test is true when it holds for
    every value in the bounds, false when it holds for none, and unknown otherwise; so
    learning a missing fact never turns a true result false or a false one true.
    """

    name: str
    op: str
    value: float

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        bounds = _bounds(source, self.name)
        if bounds is not None:
            lo, hi = bounds
            c = self.value
            if self.op in (">", ">="):
                holds = _COMPARE[self.op]
                return Tri(holds(lo, c), ~holds(hi, c))
            if self.op in ("<", "<="):
                holds = _COMPARE[self.op]
                return Tri(holds(hi, c), ~holds(lo, c))
            exact = (lo == c) & (hi == c)
            outside = (c < lo) | (c > hi)
            return Tri(exact, outside) if self.op == "==" else Tri(outside, exact)
        values, known = _scalar(source, self.name)
        hit: npt.NDArray[np.bool_] = _COMPARE[self.op](values, self.value)
        return Tri.from_mask(hit, known)


@dataclass(frozen=True, slots=True)
class ScalarIn:
    """``name in values`` (or ``not in``) on a number, bool or enum index."""

    name: str
    values: tuple[float, ...]
    negated: bool

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        bounds = _bounds(source, self.name)
        if bounds is not None:
            lo, hi = bounds
            members = np.asarray(self.values, dtype=np.float64)
            exact_in = (lo == hi) & np.isin(lo, members)
            none_in = ~np.any(
                (members[None, :] >= lo[:, None]) & (members[None, :] <= hi[:, None]), axis=1
            )
            return Tri(none_in, exact_in) if self.negated else Tri(exact_in, none_in)
        values, known = _scalar(source, self.name)
        hit = np.isin(values, np.asarray(self.values, dtype=np.float64))
        return Tri.from_mask(~hit if self.negated else hit, known)


def _text_equal(values: npt.NDArray[np.object_], value: str) -> npt.NDArray[np.bool_]:
    hit: npt.NDArray[np.bool_] = np.equal(values, value).astype(np.bool_)
    return hit


@dataclass(frozen=True, slots=True)
class TextCompare:
    """``name == value`` or ``name != value`` on a text field."""

    name: str
    op: Literal["==", "!="]
    value: str

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        values, known = source.text(self.name)
        hit = _text_equal(values, self.value)
        return Tri.from_mask(hit if self.op == "==" else ~hit, known)


@dataclass(frozen=True, slots=True)
class TextIn:
    """``name in values`` (or ``not in``) on a text field."""

    name: str
    values: tuple[str, ...]
    negated: bool

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        values, known = source.text(self.name)
        hit = np.zeros(len(values), dtype=np.bool_)
        for value in self.values:  # a loop over the literals, not over the clients
            hit |= _text_equal(values, value)
        return Tri.from_mask(~hit if self.negated else hit, known)


@dataclass(frozen=True, slots=True)
class ListContains:
    """``name contains item`` on a list field: unknown for an unknown list only."""

    name: str
    item: str

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        hit, known = source.contains(self.name, self.item)
        return Tri.from_mask(hit, known)


@dataclass(frozen=True, slots=True)
class IsKnown:
    """``name is known`` / ``is unknown``: always true or false."""

    name: str
    access: Literal["scalar", "text", "list"]
    want_known: bool

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        if self.access == "scalar":
            known = _scalar(source, self.name)[1]
        elif self.access == "text":
            known = source.text(self.name)[1]
        else:
            # The protocol has no separate known-mask for lists; any item reports it.
            known = source.contains(self.name, "")[1]
        hit = known if self.want_known else ~known
        return Tri(hit.copy(), ~hit)


@dataclass(frozen=True, slots=True)
class Invert:
    """``not operand``."""

    operand: Step

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        return ~self.operand.evaluate(source)


@dataclass(frozen=True, slots=True)
class AllOf:
    """Kleene conjunction of two or more plans."""

    items: tuple[Step, ...]

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        result = self.items[0].evaluate(source)
        for item in self.items[1:]:
            result = result & item.evaluate(source)
        return result


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Kleene disjunction of two or more plans."""

    items: tuple[Step, ...]

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate for every client of ``source``."""
        result = self.items[0].evaluate(source)
        for item in self.items[1:]:
            result = result | item.evaluate(source)
        return result
