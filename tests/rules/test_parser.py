"""The tokenizer and parser: every construct, every error, positions and limits."""

from __future__ import annotations

import pytest

from matchkit.errors import RuleError, RuleSyntaxError
from matchkit.rules import (
    And,
    Compare,
    Contains,
    Known,
    Member,
    Not,
    Or,
    parse_rule,
)
from matchkit.rules._ast import MAX_DEPTH, MAX_LENGTH


def cmp(field, op, literal):
    return Compare(field, op, literal)


def flag(field):
    return Compare(field, "==", True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age == 50", cmp("age", "==", 50)),
        ("age != 50", cmp("age", "!=", 50)),
        ("age < 50", cmp("age", "<", 50)),
        ("age <= 50", cmp("age", "<=", 50)),
        ("age > 50", cmp("age", ">", 50)),
        ("age >= 50", cmp("age", ">=", 50)),
        ("age>=50", cmp("age", ">=", 50)),
        ("\tage\n>=\r\n50 ", cmp("age", ">=", 50)),
        ("x > -3", cmp("x", ">", -3)),
        ("x > 007", cmp("x", ">", 7)),
        ("x > 2.5", cmp("x", ">", 2.5)),
        ("x > -0.25", cmp("x", ">", -0.25)),
        ('x == "B1"', cmp("x", "==", "B1")),
        ("x == 'B1'", cmp("x", "==", "B1")),
        ('x == "it\'s"', cmp("x", "==", "it's")),
        ("x == 'say \"hi\"'", cmp("x", "==", 'say "hi"')),
        ('x == ""', cmp("x", "==", "")),
        ("x == true", cmp("x", "==", True)),
        ("x == false", cmp("x", "==", False)),
        ("zrm.housing >= 3", cmp("zrm.housing", ">=", 3)),
        ("zrm_housing >= 3", cmp("zrm_housing", ">=", 3)),
        ("wants_paid_work", flag("wants_paid_work")),
        ("x in [1]", Member("x", (1,))),
        ("x in [1, 'a', true, 2.5,]", Member("x", (1, "a", True, 2.5))),
        ("x not in ['a', 'b']", Member("x", ("a", "b"), negated=True)),
        ("interests contains 'care'", Contains("interests", "care")),
        ("x is known", Known("x", want_known=True)),
        ("x is unknown", Known("x", want_known=False)),
        ("not x", Not(flag("x"))),
        ("not not x", Not(Not(flag("x")))),
        ("not x in [1]", Not(Member("x", (1,)))),
        ("a and b", And((flag("a"), flag("b")))),
        ("a and b and c", And((flag("a"), flag("b"), flag("c")))),
        ("a or b or c", Or((flag("a"), flag("b"), flag("c")))),
        ("a or b and c", Or((flag("a"), And((flag("b"), flag("c")))))),
        ("a and b or c", Or((And((flag("a"), flag("b"))), flag("c")))),
        ("not a and b", And((Not(flag("a")), flag("b")))),
        ("(a or b) and c", And((Or((flag("a"), flag("b"))), flag("c")))),
        ("(a and b) and c", And((And((flag("a"), flag("b"))), flag("c")))),
        ("not (a or b)", Not(Or((flag("a"), flag("b"))))),
        ("((x))", flag("x")),
        ("and_more or notable", Or((flag("and_more"), flag("notable")))),
    ],
)
def test_each_construct_parses_to_its_tree(text, expected):
    assert parse_rule(text) == expected


def test_positions_are_kept_on_nodes():
    node = parse_rule("  age >= 50 or x in [1, 'a'] or y contains 'z' or not w is known")
    assert isinstance(node, Or)
    compare, member, contains, negation = node.items
    assert isinstance(compare, Compare) and isinstance(member, Member)
    assert isinstance(contains, Contains) and isinstance(negation, Not)
    assert (node.pos, compare.pos, compare.literal_pos) == (2, 2, 9)
    assert (member.pos, member.value_pos) == (15, (21, 24))
    assert (contains.pos, contains.item_pos) == (32, 43)
    assert (negation.pos, negation.operand.pos) == (50, 54)


def test_a_bare_field_has_its_literal_at_the_field():
    node = parse_rule("  wants_paid_work")
    assert isinstance(node, Compare)
    assert (node.pos, node.literal_pos) == (2, 2)


def test_positions_do_not_count_for_equality_or_hashing():
    tight, loose = parse_rule("age>=50 and x"), parse_rule("   age  >=  50   and    x")
    assert tight == loose
    assert hash(tight) == hash(loose)


def test_nodes_are_immutable():
    node = parse_rule("age >= 50")
    with pytest.raises(AttributeError):
        node.field = "x"  # type: ignore[misc,union-attr]


def caret_line(position: int) -> str:
    return "    " + " " * position + "^"


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("age >", 5, "expected a number, a string, true or false"),
        ("age > and", 6, "expected a number"),
        ("age = 5", 4, "use '=='"),
        ("age ! 5", 4, "'!='"),
        ("age => 5", 4, "use '=='"),
        ("age > 5 x", 8, "expected 'and', 'or' or the end"),
        ("wants_paid_work 5", 16, "expected an operator"),
        ("(a or b", 7, "')'"),
        ("(a or b))", 8, "the end of the rule"),
        (")", 0, "expected a field"),
        ("a and", 5, "expected a field, 'not' or '('"),
        ("or a", 0, "expected a field"),
        ("true", 0, "expected a field"),
        ("not", 3, "expected a field"),
        ("a not b", 6, "'in' after 'not'"),
        ("a not", 5, "'in' after 'not'"),
        ("a is not known", 5, "'is unknown'"),
        ("a is", 4, "'known' or 'unknown'"),
        ("a in 1", 5, "expected a list"),
        ("a in []", 6, "at least one"),
        ("a in [1 2]", 8, "',' or ']'"),
        ("a in [1,,]", 8, "expected a number"),
        ("a in [1", 7, "',' or ']'"),
        ("a == [1]", 5, "expected a number"),
        ("a contains", 10, "expected a number"),
        ('a == "abc', 5, "unterminated string"),
        ("a == 'abc\"", 5, "unterminated string"),
        ("a == 1.", 6, "digit after the decimal point"),
        ("a == 1.x", 6, "digit after the decimal point"),
        ("a == 1e5", 5, "malformed number"),
        ("a == 1.5.2", 5, "malformed number"),
        ("a == 12abc", 5, "malformed number"),
        ("a == - 1", 5, "'-' must be followed by a digit"),
        ("a == " + "9" * 400, 5, "out of range"),
        ("zrm.", 3, "name after '.'"),
        ("zrm.1", 3, "name after '.'"),
        ("a.b.c", 3, "at most one '.'"),
        ("age >= 50 && x", 10, "unexpected character '&'"),
        ("age ≥ 50", 4, "unexpected character '≥'"),
        ("a == 5;", 6, "unexpected character ';'"),
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH, "deeper than 32"),
        ("not " * (MAX_DEPTH + 1) + "a", 4 * MAX_DEPTH, "deeper than 32"),
        ("x" * (MAX_LENGTH + 1), MAX_LENGTH, "at most 1000"),
    ],
)
def test_syntax_errors_point_at_the_offending_token(text, position, fragment):
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(text)
    err = info.value
    assert err.position == position
    assert fragment in err.reason
    assert caret_line(position) in str(err).splitlines()


def test_syntax_errors_are_value_errors_and_rule_errors():
    with pytest.raises(ValueError, match="expected") as info:
        parse_rule("age >")
    assert isinstance(info.value, RuleError)


@pytest.mark.parametrize(
    "text",
    [
        "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH,
        "not " * MAX_DEPTH + "a",
        "not (" * (MAX_DEPTH // 2) + "a" + ")" * (MAX_DEPTH // 2),
        "x" * MAX_LENGTH,
        "a" + " " * (MAX_LENGTH - 1),
    ],
)
def test_rules_at_the_limits_parse(text):
    parse_rule(text)


def test_a_long_flat_chain_is_not_nesting():
    parse_rule(" and ".join(["x"] * 150))


def test_deep_nesting_is_a_syntax_error_not_a_recursion_error():
    with pytest.raises(RuleSyntaxError, match="deeper"):
        parse_rule("(" * 499 + "a" + ")" * 499)


def test_a_non_string_rule_is_a_type_error():
    with pytest.raises(TypeError, match="must be a str"):
        parse_rule(b"age > 5")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: Compare("age", "=>", 5), ValueError),  # type: ignore[arg-type]
        (lambda: Compare("and", "==", 5), ValueError),
        (lambda: Compare("a b", "==", 5), ValueError),
        (lambda: Compare("a.b.c", "==", 5), ValueError),
        (lambda: Compare("age", "==", float("nan")), ValueError),
        (lambda: Compare("age", "==", 10**400), ValueError),
        (lambda: Compare("age", "==", None), TypeError),  # type: ignore[arg-type]
        (lambda: Compare("x", "==", "both ' and \""), ValueError),
        (lambda: Member("x", ()), ValueError),
        (lambda: Member("x", [1]), ValueError),  # type: ignore[arg-type]
        (lambda: And((Known("x"),)), ValueError),
        (lambda: Or([Known("x"), Known("y")]), ValueError),  # type: ignore[arg-type]
        (lambda: And((Known("x"), "y")), TypeError),  # type: ignore[arg-type]
        (lambda: Not("x"), TypeError),  # type: ignore[arg-type]
    ],
)
def test_nodes_that_cannot_be_printed_are_refused(build, error):
    with pytest.raises(error):
        build()
