"""Property tests: robustness on any text, agreement with a per-row reference, monotonicity."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchkit._fields import FIELDS, Kind
from matchkit.errors import RuleError, RuleSyntaxError
from matchkit.rules import (
    And,
    ArraySource,
    Compare,
    Contains,
    Known,
    Member,
    Node,
    Not,
    Or,
    compile_rule,
    parse_rule,
    to_text,
)

from .strategies import (
    EVAL_FIELDS,
    columns,
    field_values,
    rows,
    token_soup,
    trees,
    typed_trees,
)

PROPERTY = settings(max_examples=200, deadline=None)


def check_any_text(text: str) -> None:
    try:
        node = parse_rule(text)
    except RuleSyntaxError:
        return
    # What parses also prints and parses back to the same tree.
    assert parse_rule(to_text(node)) == node
    with contextlib.suppress(RuleError):
        compile_rule(text)


@PROPERTY
@given(st.text(max_size=120))
def test_random_text_raises_only_rule_errors(text):
    check_any_text(text)


@PROPERTY
@given(token_soup)
@pytest.mark.slow
def test_token_soup_raises_only_rule_errors(text):
    check_any_text(text)


@pytest.mark.slow
@PROPERTY
@given(trees())
def test_any_grammatical_rule_compiles_or_raises_a_rule_error(node):
    text = to_text(node)
    parse_rule(text)
    with contextlib.suppress(RuleError):
        compile_rule(text, allow_sensitive=True)


# --- an independent per-row reference evaluator ----------------------------------------------


def _order(name: str, value: Any) -> Any:
    spec = FIELDS[name]
    return spec.values.index(value) if spec.kind is Kind.ENUM else value


def _compare(op: str, a: Any, b: Any) -> bool:
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]


def reference(node: Node, row: dict[str, Any]) -> bool | None:
    """Kleene evaluation of one client, written plainly and with Python values."""
    if isinstance(node, Not):
        value = reference(node.operand, row)
        return None if value is None else not value
    if isinstance(node, And | Or):
        values = [reference(item, row) for item in node.items]
        decisive = isinstance(node, Or)  # `true` decides an or, `false` an and
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    value = row[node.field]
    if isinstance(node, Known):
        return (value is not None) == node.want_known
    if value is None:
        return None
    if isinstance(node, Contains):
        return node.item in value
    if isinstance(node, Member):
        return (value in node.values) != node.negated
    assert isinstance(node, Compare)
    return _compare(node.op, _order(node.field, value), _order(node.field, node.literal))


def labels(values: list[bool | None]) -> list[str]:
    return ["unknown" if v is None else str(v).lower() for v in values]


@pytest.mark.slow
@PROPERTY
@given(typed_trees(), rows())
def test_vectorised_evaluation_agrees_with_a_per_row_reference(node, table):
    rule = compile_rule(to_text(node), allow_sensitive=True)
    result = rule.evaluate(ArraySource(columns(table)))
    assert result.labels().tolist() == labels([reference(node, row) for row in table])


@st.composite
def filled_in(draw, table):
    """The same clients with every unknown value replaced by some known value."""
    return [
        {
            name: draw(field_values(FIELDS[name])) if row[name] is None else row[name]
            for name in EVAL_FIELDS
        }
        for row in table
    ]


@pytest.mark.slow
@PROPERTY
@given(typed_trees(with_known=False), rows(), st.data())
def test_learning_an_unknown_value_never_flips_a_known_result(node, table, data):
    # `is known` / `is unknown` are left out: they are about missingness itself.
    rule = compile_rule(to_text(node), allow_sensitive=True)
    before = rule.evaluate(ArraySource(columns(table)))
    after = rule.evaluate(ArraySource(columns(data.draw(filled_in(table)))))
    assert np.all(after.true[before.true])
    assert np.all(after.false[before.false])
    assert not np.any(after.unknown)
