"""The rule language: parser, printer and three-valued vectorised evaluation.

Rules are parsed by a hand-written recursive-descent parser into an immutable syntax tree,
checked against the field registry and compiled into numpy operations; nothing in a rule is
ever executed as Python. The grammar and semantics are in ``docs/rules.md``.

>>> rule = compile_rule("age >= 50 and interests contains 'care'")
>>> to_text(rule.node)
'age >= 50 and interests contains "care"'
>>> rule.evaluate(ArraySource({"age": [55, 55, 40], "interests": [["care"], None, None]}))
Tri(['true', 'unknown', 'false'])
"""

from matchkit.rules._ast import (
    And,
    Compare,
    Contains,
    Known,
    Member,
    Node,
    Not,
    Or,
    Test,
    Value,
)
from matchkit.rules._compile import CompiledRule, compile_rule
from matchkit.rules._flat import RulePlan
from matchkit.rules._parser import parse_rule
from matchkit.rules._printer import to_text
from matchkit.rules._source import ArraySource, ColumnSource
from matchkit.rules._tri import Tri

__all__ = [
    "And",
    "ArraySource",
    "ColumnSource",
    "Compare",
    "CompiledRule",
    "Contains",
    "Known",
    "Member",
    "Node",
    "Not",
    "Or",
    "RulePlan",
    "Test",
    "Tri",
    "Value",
    "compile_rule",
    "parse_rule",
    "to_text",
]
