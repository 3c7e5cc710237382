"""Compiling rules: field resolution, type checks, sensitive fields and error positions."""

from __future__ import annotations

import pytest

from matchkit.errors import RuleError, RuleSyntaxError, UnknownFieldError
from matchkit.rules import And, Compare, CompiledRule, compile_rule, parse_rule, to_text


def caret_line(position: int) -> str:
    return "    " + " " * position + "^"


@pytest.mark.parametrize(
    "text",
    [
        "age >= 50",
        "age < 30.5",
        "work_experience_years > 0.5",
        "age in [18, 19, 20]",
        "zrm.housing <= 2",
        "zrm_min < 3 and zrm_problem_domains >= 2",
        "dutch_level >= 'B1'",
        "education in ['mbo2', 'hbo'] or dutch_level < \"A2\"",
        "motivation != 'none'",
        "household == 'single'",
        "household not in ['couple']",
        "wants_paid_work",
        "wants_paid_work == false",
        "not has_transport",
        "fully_disabled != true",
        "single_parent in [true]",
        "municipality == 'Utrecht'",
        "neighbourhood in ['Overvecht', 'Kanaleneiland']",
        "interests contains 'care'",
        "other_languages contains 'ar'",
        "interests is unknown",
        "municipality is known",
        "dutch_level is known",
    ],
)
def test_well_typed_rules_compile(text):
    rule = compile_rule(text)
    assert isinstance(rule, CompiledRule)
    assert rule.text == text


def test_dotted_zrm_fields_resolve_to_their_canonical_name():
    rule = compile_rule("zrm.housing >= 3")
    assert rule.node == Compare("zrm_housing", ">=", 3)
    assert rule.fields == frozenset({"zrm_housing"})
    assert to_text(rule.node) == "zrm_housing >= 3"


def test_the_compiled_tree_keeps_positions():
    rule = compile_rule("age > 1 and  zrm.housing >= 3")
    assert isinstance(rule.node, And)
    second = rule.node.items[1]
    assert isinstance(second, Compare)
    assert second.pos == 13
    assert second.literal_pos == 28


def test_fields_list_every_field_read_with_derived_fields_as_written():
    rule = compile_rule("single_parent and (zrm_min <= 2 or age > 50) and interests is known")
    assert rule.fields == frozenset({"single_parent", "zrm_min", "age", "interests"})


def test_stored_fields_expand_derived_fields():
    rule = compile_rule("single_parent or long_term")
    assert rule.stored_fields == frozenset({"household", "children", "months_on_assistance"})


def test_an_unknown_field_is_reported_at_the_field_with_a_suggestion():
    with pytest.raises(UnknownFieldError) as info:
        compile_rule("age > 1 and zrm.hosing < 2")
    assert info.value.position == 12
    assert "did you mean 'zrm_housing'" in info.value.reason
    assert caret_line(12) in str(info.value).splitlines()


def test_an_upper_case_keyword_is_reported_as_an_unknown_field_with_a_hint():
    with pytest.raises(UnknownFieldError, match="lower case") as info:
        compile_rule("age > 50 or TRUE")
    assert info.value.position == 12


@pytest.mark.parametrize(("text", "position"), [("NOT wants_paid_work", 4), ("age > 1 AND x", 8)])
def test_an_upper_case_keyword_in_a_syntax_error_gets_a_hint(text, position):
    with pytest.raises(RuleSyntaxError, match="lower case") as info:
        compile_rule(text)
    assert info.value.position == position


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("age", 0, "bare field is allowed only for true/false fields"),
        ("age > 1 or dutch_level", 11, "bare field"),
        ("age == 'fifty'", 7, 'age: "fifty" is not allowed; expected a whole number'),
        ("age == true", 7, "age: true is not allowed"),
        ("age in [1, 'b']", 11, 'age: "b" is not allowed'),
        ("work_experience_years > '2'", 24, "expected a number"),
        ("dutch_level >= 'B3'", 15, 'dutch_level: "B3" is not allowed; expected one of none < A1'),
        ("dutch_level >= 'b1'", 15, "did you mean 'B1'"),
        ("dutch_level >= 3", 15, "dutch_level: 3 is not allowed"),
        ("household < 'single'", 0, "household has no order"),
        ("household == 'alone'", 13, "expected one of single, couple"),
        ("wants_paid_work > false", 0, "has no order"),
        ("wants_paid_work == 1", 19, "expected true or false"),
        ("wants_paid_work == 'yes'", 19, "expected true or false"),
        ("municipality > 'A'", 0, "has no order"),
        ("municipality == 3", 16, "expected a string"),
        ("municipality not in ['Utrecht', false]", 32, "expected a string"),
        ("interests == 'care'", 0, "list field; test it with 'contains'"),
        ("interests in ['care']", 0, "list field"),
        ("interests contains 'cars'", 19, "expected one of care, sustainability"),
        ("interests contains 3", 19, "not allowed"),
        ("other_languages contains true", 25, "expected a string"),
        ("age contains 'x'", 0, "'contains' needs a list field"),
        ("municipality contains 'x'", 0, "'contains' needs a list field"),
    ],
)
def test_type_errors_point_at_the_spot(text, position, fragment):
    with pytest.raises(RuleError) as info:
        compile_rule(text)
    err = info.value
    assert type(err) is RuleError
    assert err.position == position
    assert fragment in err.reason
    assert caret_line(position) in str(err).splitlines()


@pytest.mark.parametrize(
    "text", ["gender == 'female'", "age > 1 and migration_background is known"]
)
def test_sensitive_fields_are_refused_by_default(text):
    with pytest.raises(RuleError, match="sensitive") as info:
        compile_rule(text)
    assert type(info.value) is RuleError
    assert info.value.position == text.index("gender" if "gender" in text else "migration")


def test_sensitive_fields_are_allowed_on_request():
    rule = compile_rule("gender == 'female'", allow_sensitive=True)
    assert rule.fields == frozenset({"gender"})


def test_sensitive_fields_are_type_checked_too():
    with pytest.raises(RuleError, match="not allowed"):
        compile_rule("gender == 'f'", allow_sensitive=True)


@pytest.mark.parametrize(
    ("text", "error"),
    [("age >", RuleSyntaxError), ("agee > 1", UnknownFieldError), ("age == 'x'", RuleError)],
)
def test_errors_name_the_context(text, error):
    with pytest.raises(error) as info:
        compile_rule(text, context="energiebox/age-50-plus")
    assert type(info.value) is error
    assert info.value.context == "energiebox/age-50-plus"
    assert str(info.value).startswith("energiebox/age-50-plus: ")


def test_compile_keeps_the_tree_parse_gives_apart_from_field_names():
    text = "(age >= 50 or not wants_paid_work) and dutch_level in ['B1', 'B2']"
    assert compile_rule(text).node == parse_rule(text)
