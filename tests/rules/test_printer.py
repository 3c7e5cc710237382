"""The canonical printer and the parse/print round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from matchkit.errors import RuleSyntaxError
from matchkit.rules import And, Compare, Node, Not, parse_rule, to_text
from matchkit.rules._ast import MAX_DEPTH
from matchkit.rules._printer import format_literal

from .strategies import trees


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("age>=50", "age >= 50"),
        ("wants_paid_work == true", "wants_paid_work"),
        ("wants_paid_work == false", "wants_paid_work == false"),
        ("(a and b) or c", "a and b or c"),
        ("a and (b or c)", "a and (b or c)"),
        ("(a or b) or c", "(a or b) or c"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a and b) and c", "(a and b) and c"),
        ("a and (not b)", "a and not b"),
        ("not (a)", "not a"),
        ("not (a and b)", "not (a and b)"),
        ("not(not(a))", "not not a"),
        ("x in ['a',]", 'x in ["a"]'),
        ("x not in [1,2]", "x not in [1, 2]"),
        ("x == 'say \"hi\"'", "x == 'say \"hi\"'"),
        ("zrm.housing>=3", "zrm.housing >= 3"),
        ("x == 0.5", "x == 0.5"),
        ("x == 1.0", "x == 1.0"),
        ("x == 1.50", "x == 1.5"),
        ("x == 007", "x == 7"),
        ("x == -0.0000001", "x == -0.0000001"),
        ("interests contains 'care'", 'interests contains "care"'),
        ("x is unknown", "x is unknown"),
    ],
)
def test_rules_print_in_canonical_form(text, canonical):
    assert to_text(parse_rule(text)) == canonical


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (-12, "-12"),
        (1e16, "10000000000000000.0"),
        (1.5e-7, "0.00000015"),
        (-2.0, "-2.0"),
        ("it's", '"it\'s"'),
        ('a "b"', "'a \"b\"'"),
    ],
)
def test_literals_print_as_the_grammar_spells_them(value, text):
    assert format_literal(value) == text


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(trees())
def test_a_printed_tree_parses_back_to_the_same_tree(node):
    text = to_text(node)
    again = parse_rule(text)
    assert again == node
    # Equality treats True == 1 == 1.0; the printed form tells them apart.
    assert to_text(again) == text


def test_a_tree_deeper_than_the_limit_prints_but_does_not_parse():
    node: Node = Compare("x", "==", True)
    for _ in range(MAX_DEPTH + 1):
        node = Not(node)
    with pytest.raises(RuleSyntaxError, match="deeper"):
        parse_rule(to_text(node))


def test_printing_rejects_what_is_not_a_node():
    with pytest.raises(TypeError, match="not a rule node"):
        to_text("age >= 50")  # type: ignore[arg-type]


def test_nested_chains_keep_their_parentheses():
    inner = And((Compare("a", "==", True), Compare("b", "==", True)))
    node = And((inner, Compare("c", "==", True)))
    assert parse_rule(to_text(node)) == node
    assert parse_rule(to_text(node)) != And((*inner.items, Compare("c", "==", True)))
