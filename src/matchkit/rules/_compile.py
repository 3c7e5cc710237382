"""Compile a rule: parse, resolve fields against the registry, type-check, build a plan."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from functools import lru_cache
from typing import Final, Literal

from matchkit._fields import DERIVED_FROM, FIELDS, FieldSpec, Kind, canonical_field
from matchkit.errors import RuleError, UnknownFieldError
from matchkit.rules._ast import KEYWORDS, ORDER_OPS, And, Compare, Contains, Member, Node, Not, Or
from matchkit.rules._ast import Value as LiteralValue
from matchkit.rules._evaluate import (
    AllOf,
    AnyOf,
    Invert,
    IsKnown,
    ListContains,
    ScalarCompare,
    ScalarIn,
    Step,
    TextCompare,
    TextIn,
)
from matchkit.rules._parser import parse_rule
from matchkit.rules._printer import format_literal
from matchkit.rules._source import ColumnSource
from matchkit.rules._tri import Tri

__all__ = ["CompiledRule", "compile_rule"]

COMPILED_CACHE_SIZE: Final = 65_536
"""Distinct (rule text, sensitive allowed) pairs whose compiled rule is kept for reuse."""

_LIST_FIELDS: Final = tuple(name for name, spec in FIELDS.items() if spec.kind is Kind.LIST)


@dataclass(frozen=True)
class CompiledRule:
    """A parsed, resolved and type-checked rule, ready to evaluate over a caseload.

    Build it with :func:`compile_rule`.

    Attributes
    ----------
    text : str
        The rule as written.
    node : Node
        The syntax tree with canonical field names (``zrm_housing`` for ``zrm.housing``).
    fields : frozenset of str
        Canonical names of the fields the rule reads; derived fields by their own name.

    Examples
    --------
    >>> rule = compile_rule("dutch_level >= 'B1' and zrm.housing > 2")
    >>> sorted(rule.fields)
    ['dutch_level', 'zrm_housing']
    >>> from matchkit.rules import ArraySource
    >>> source = ArraySource({"dutch_level": ["B2", "A2", None], "zrm_housing": [3, 4, 5]})
    >>> rule.evaluate(source)
    Tri(['true', 'false', 'unknown'])
    """

    text: str
    node: Node
    fields: frozenset[str]
    _plan: Step = dc_field(repr=False, compare=False)

    @property
    def stored_fields(self) -> frozenset[str]:
        """The stored fields the rule depends on, derived fields expanded to their sources."""
        out: set[str] = set()
        for name in self.fields:
            out.update(DERIVED_FROM.get(name, (name,)))
        return frozenset(out)

    def evaluate(self, source: ColumnSource) -> Tri:
        """Evaluate the rule for every client of ``source`` in three-valued logic.

        Parameters
        ----------
        source : ColumnSource
            The caseload's columns.

        Returns
        -------
        Tri
            True, false or unknown per client.
        """
        result = self._plan.evaluate(source)
        if len(result) != source.n:
            raise ValueError(f"the source gave {len(result)} values for {source.n} clients")
        return result


def compile_rule(text: str, *, context: str = "", allow_sensitive: bool = False) -> CompiledRule:
    """Parse a rule and check it against the client-profile contract.

    Parameters
    ----------
    text : str
        The rule (grammar in ``docs/rules.md``).
    context : str, optional
        Where the rule comes from (approach and rule id), prefixed to error messages.
    allow_sensitive : bool, default False
        Allow reading sensitive fields (``gender``, ``migration_background``); pass True only
        for a rule with a written justification.

    Returns
    -------
    CompiledRule
        The checked rule.

    Raises
    ------
    RuleSyntaxError
        When the text does not follow the grammar.
    UnknownFieldError
        For a field that is not in the contract, pointing at the field.
    RuleError
        For a literal or operator that does not fit the field's type, or a sensitive field
        without ``allow_sensitive``, pointing at the spot.
    """
    try:
        return _compile(text, allow_sensitive)
    except RuleError as err:
        if context:
            raise err.with_context(context) from None
        raise


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def _compile(text: str, allow_sensitive: bool) -> CompiledRule:
    # A compiled rule is immutable and depends on its text alone, so a catalog that repeats
    # a rule (thousands of approaches share "age <= 64") parses it once. Errors are not
    # cached: each is raised again, with the caller's context.
    node = parse_rule(text)
    compiler = _Compiler(text, allow_sensitive)
    resolved, plan = compiler.visit(node)
    return CompiledRule(text, resolved, frozenset(compiler.fields), plan)


class _Compiler:
    def __init__(self, text: str, allow_sensitive: bool) -> None:
        self.text = text
        self.allow_sensitive = allow_sensitive
        self.fields: set[str] = set()

    def fail(self, message: str, pos: int) -> RuleError:
        return RuleError(message, self.text, pos)

    def visit(self, node: Node) -> tuple[Node, Step]:
        if isinstance(node, Or | And):
            compiled = [self.visit(item) for item in node.items]
            items = tuple(n for n, _ in compiled)
            plans = tuple(p for _, p in compiled)
            if isinstance(node, Or):
                return Or(items, pos=node.pos), AnyOf(plans)
            return And(items, pos=node.pos), AllOf(plans)
        if isinstance(node, Not):
            operand, plan = self.visit(node.operand)
            return Not(operand, pos=node.pos), Invert(plan)
        spec = self.resolve(node.field, node.pos)
        resolved = replace(node, field=spec.name)
        if isinstance(node, Compare):
            return resolved, self.compare(spec, node)
        if isinstance(node, Member):
            return resolved, self.member(spec, node)
        if isinstance(node, Contains):
            return resolved, self.contains(spec, node)
        return resolved, IsKnown(spec.name, _access(spec), node.want_known)

    def resolve(self, name: str, pos: int) -> FieldSpec:
        canonical = canonical_field(name)
        if canonical is None:
            close = difflib.get_close_matches(name.replace(".", "_"), FIELDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            if name.lower() in KEYWORDS:
                hint = "; keywords are written in lower case"
            raise UnknownFieldError(f"unknown field {name!r}{hint}", self.text, pos)
        spec = FIELDS[canonical]
        if spec.sensitive and not self.allow_sensitive:
            raise self.fail(
                f"{canonical} is a sensitive field; a rule may read it only with a written "
                "justification",
                pos,
            )
        self.fields.add(canonical)
        return spec

    def compare(self, spec: FieldSpec, node: Compare) -> Step:
        if spec.kind is Kind.LIST:
            raise self.fail(f"{spec.name} is a list field; test it with 'contains'", node.pos)
        bare = node.literal_pos == node.pos and node.op == "==" and node.literal is True
        if bare and spec.kind is not Kind.BOOL:
            raise self.fail(
                f"a bare field is allowed only for true/false fields; compare {spec.name} "
                f"with {spec.allowed()}",
                node.pos,
            )
        if node.op in ORDER_OPS and not spec.numeric:
            raise self.fail(
                f"{spec.name} has no order, so {node.op!r} does not apply; use ==, != or in "
                f"with {spec.allowed()}",
                node.pos,
            )
        if spec.kind is Kind.STR:
            op: Literal["==", "!="] = "==" if node.op == "==" else "!="
            return TextCompare(spec.name, op, self.string(spec, node.literal, node.literal_pos))
        return ScalarCompare(spec.name, node.op, self.code(spec, node.literal, node.literal_pos))

    def member(self, spec: FieldSpec, node: Member) -> Step:
        if spec.kind is Kind.LIST:
            raise self.fail(f"{spec.name} is a list field; test it with 'contains'", node.pos)
        positions = node.value_pos or (node.pos,) * len(node.values)
        pairs = zip(node.values, positions, strict=True)
        if spec.kind is Kind.STR:
            strings = tuple(self.string(spec, value, pos) for value, pos in pairs)
            return TextIn(spec.name, strings, node.negated)
        codes = tuple(self.code(spec, value, pos) for value, pos in pairs)
        return ScalarIn(spec.name, codes, node.negated)

    def contains(self, spec: FieldSpec, node: Contains) -> Step:
        if spec.kind is not Kind.LIST:
            raise self.fail(
                f"'contains' needs a list field ({', '.join(_LIST_FIELDS)}); {spec.name} takes "
                f"{spec.allowed()}",
                node.pos,
            )
        item = node.item
        if not isinstance(item, str) or (spec.values and item not in spec.values):
            expected = "one of " + ", ".join(spec.values) if spec.values else "a string"
            raise self.not_allowed(spec, item, node.item_pos, expected)
        return ListContains(spec.name, item)

    def string(self, spec: FieldSpec, value: LiteralValue, pos: int) -> str:
        if not isinstance(value, str):
            raise self.not_allowed(spec, value, pos, "a string")
        return value

    def code(self, spec: FieldSpec, value: LiteralValue, pos: int) -> float:
        """Turn a literal into the float the field's column holds."""
        if spec.kind is Kind.BOOL:
            if isinstance(value, bool):
                return float(value)
        elif spec.kind is Kind.ENUM:
            if isinstance(value, str) and value in spec.values:
                return float(spec.values.index(value))
            if isinstance(value, str):
                same = [v for v in spec.values if v.lower() == value.lower()]
                if same:
                    raise self.not_allowed(
                        spec, value, pos, f"{spec.allowed()}; did you mean {same[0]!r}?"
                    )
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise self.not_allowed(spec, value, pos, spec.allowed())

    def not_allowed(
        self, spec: FieldSpec, value: LiteralValue, pos: int, expected: str
    ) -> RuleError:
        return self.fail(
            f"{spec.name}: {format_literal(value)} is not allowed; expected {expected}", pos
        )


def _access(spec: FieldSpec) -> Literal["scalar", "text", "list"]:
    if spec.kind is Kind.STR:
        return "text"
    if spec.kind is Kind.LIST:
        return "list"
    return "scalar"
