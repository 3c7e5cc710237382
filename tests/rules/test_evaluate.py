"""Evaluating compiled rules over an ArraySource, and ArraySource itself."""

from __future__ import annotations

import numpy as np
import pytest

from matchkit.rules import ArraySource, Tri, compile_rule

T, F, U = "true", "false", "unknown"


def run(rule: str, **columns) -> list[str]:
    n = len(next(iter(columns.values())))
    result = compile_rule(rule, allow_sensitive=True).evaluate(ArraySource(columns, n=n))
    assert isinstance(result, Tri)
    return result.labels().tolist()


AGES = [49, 50, 51, None]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("age == 50", [F, T, F, U]),
        ("age != 50", [T, F, T, U]),
        ("age < 50", [T, F, F, U]),
        ("age <= 50", [T, T, F, U]),
        ("age > 50", [F, F, T, U]),
        ("age >= 50", [F, T, T, U]),
        ("age > 49.5", [F, T, T, U]),
        ("age in [49, 51]", [T, F, T, U]),
        ("age not in [49, 51]", [F, T, F, U]),
        ("age is known", [T, T, T, F]),
        ("age is unknown", [F, F, F, T]),
        ("not age is known", [F, F, F, T]),
        ("not age >= 50", [T, F, F, U]),
    ],
)
def test_numbers_compare_as_numbers(rule, expected):
    assert run(rule, age=AGES) == expected


def test_floats_compare_as_numbers():
    years = [0.0, 2.5, np.nan, 10.0]
    assert run("work_experience_years >= 2.5", work_experience_years=years) == [F, T, U, T]


LEVELS = ["A2", "B1", "C2", None, "none"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('dutch_level >= "B1"', [F, T, T, U, F]),
        ('dutch_level < "B1"', [T, F, F, U, T]),
        ('dutch_level == "B1"', [F, T, F, U, F]),
        ('dutch_level > "none"', [T, T, T, U, F]),
        ('dutch_level in ["A2", "C2"]', [T, F, T, U, F]),
        ('dutch_level not in ["A2", "C2"]', [F, T, F, U, T]),
    ],
)
def test_ordered_enums_compare_by_level(rule, expected):
    assert run(rule, dutch_level=LEVELS) == expected


def test_ordered_enums_accept_encoded_columns():
    codes = np.array([2.0, 3.0, 6.0, np.nan, 0.0])
    assert run('dutch_level >= "B1"', dutch_level=codes) == [F, T, T, U, F]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('household == "single"', [T, F, U]),
        ('household != "single"', [F, T, U]),
        ('household in ["couple"]', [F, T, U]),
        ('household not in ["couple"]', [T, F, U]),
    ],
)
def test_unordered_enums_compare_by_equality(rule, expected):
    assert run(rule, household=["single", "couple", None]) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("wants_paid_work", [T, F, U]),
        ("wants_paid_work == true", [T, F, U]),
        ("wants_paid_work == false", [F, T, U]),
        ("wants_paid_work != true", [F, T, U]),
        ("not wants_paid_work", [F, T, U]),
        ("wants_paid_work in [false]", [F, T, U]),
    ],
)
def test_booleans_compare_with_true_and_false(rule, expected):
    assert run(rule, wants_paid_work=[True, False, None]) == expected


INTERESTS = [["care", "retail"], [], None, ["retail"]]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('interests contains "care"', [T, F, U, F]),
        ('not interests contains "care"', [F, T, U, T]),
        ('interests contains "technical"', [F, F, U, F]),
        ("interests is known", [T, T, F, T]),
        ("interests is unknown", [F, F, T, F]),
    ],
)
def test_contains_is_unknown_for_an_unknown_list_and_false_for_an_empty_one(rule, expected):
    assert run(rule, interests=INTERESTS) == expected


def test_contains_works_on_an_open_list():
    languages = [["en", "ar"], [], None]
    assert run('other_languages contains "ar"', other_languages=languages) == [T, F, U]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('municipality == "Utrecht"', [T, F, U]),
        ('municipality != "Utrecht"', [F, T, U]),
        ('municipality in ["Zwolle", "Delft"]', [F, T, U]),
        ('municipality not in ["Zwolle", "Delft"]', [T, F, U]),
        ("municipality is unknown", [F, F, T]),
    ],
)
def test_text_fields_compare_by_equality(rule, expected):
    assert run(rule, municipality=["Utrecht", "Zwolle", None]) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("age >= 50 and wants_paid_work", [T, F, U, F, U]),
        ("age >= 50 or wants_paid_work", [T, T, T, U, U]),
        ("age >= 50 and (wants_paid_work or age > 60)", [T, F, U, F, U]),
    ],
)
def test_rules_combine_tests_in_kleene_logic(rule, expected):
    ages = [55, 55, 55, 40, None]
    wants = [True, False, None, None, None]
    assert run(rule, age=ages, wants_paid_work=wants) == expected


def test_derived_fields_are_read_from_the_source():
    assert run("single_parent and zrm_min <= 2", single_parent=[True, True], zrm_min=[1, 3]) == [
        T,
        F,
    ]


def test_a_field_without_a_column_is_unknown_for_everyone():
    source = ArraySource({"age": [30, 60]})
    assert compile_rule("wants_paid_work or age > 50").evaluate(source).labels().tolist() == [U, T]


def test_an_empty_caseload_gives_an_empty_result():
    result = compile_rule("age > 50 and interests contains 'care'").evaluate(ArraySource({}, n=0))
    assert len(result) == 0


def test_dotted_and_flat_column_names_are_the_same_field():
    source = ArraySource({"zrm.housing": [1, 4]})
    assert compile_rule("zrm_housing <= 2").evaluate(source).labels().tolist() == [T, F]


class NanButKnown:
    """A source whose mask claims a NaN is known."""

    n = 2

    def scalar(self, name):
        return np.array([np.nan, 60.0]), np.array([True, True])

    def text(self, name):
        raise AssertionError("not used")

    def contains(self, name, item):
        raise AssertionError("not used")


def test_a_nan_value_is_unknown_whatever_the_mask_says():
    source = NanButKnown()
    assert compile_rule("age != 50").evaluate(source).labels().tolist() == [U, T]
    assert compile_rule("age is known").evaluate(source).labels().tolist() == [F, T]


class ShortSource(NanButKnown):
    n = 3


def test_a_source_that_returns_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="gave 2 values for 3 clients"):
        compile_rule("age > 50").evaluate(ShortSource())


def test_array_source_serves_natural_values_encoded():
    source = ArraySource(
        {
            "age": [30, None],
            "wants_paid_work": [True, None],
            "dutch_level": ["B1", None],
            "municipality": ["Utrecht", None],
            "interests": [["care"], None],
        }
    )
    values, known = source.scalar("age")
    assert values[0] == 30.0
    assert np.isnan(values[1])
    assert known.tolist() == [True, False]
    assert source.scalar("wants_paid_work")[0][0] == 1.0
    assert source.scalar("dutch_level")[0][0] == 3.0
    assert source.text("municipality")[0].tolist() == ["Utrecht", None]
    assert source.contains("interests", "care")[0].tolist() == [True, False]
    assert source.contains("interests", "retail")[1].tolist() == [True, False]


@pytest.mark.parametrize(
    ("columns", "n", "error", "match"),
    [
        ({"nonsense": [1]}, None, KeyError, "not a field"),
        ({"dutch_level": ["B9"]}, None, ValueError, "'B9' is not allowed"),
        ({"dutch_level": np.array([7.0])}, None, ValueError, "indices 0..6"),
        ({"dutch_level": np.array([1.5])}, None, ValueError, "indices 0..6"),
        ({"age": [1, 2], "children": [1]}, None, ValueError, "differ in length"),
        ({"age": [1, 2]}, 3, ValueError, "differ in length"),
        ({}, None, ValueError, "give n"),
    ],
)
def test_array_source_refuses_bad_columns(columns, n, error, match):
    with pytest.raises(error, match=match):
        ArraySource(columns, n=n)


@pytest.mark.parametrize(
    ("method", "args"),
    [("scalar", ("municipality",)), ("text", ("age",)), ("contains", ("age", "x"))],
)
def test_array_source_refuses_reading_a_field_as_the_wrong_kind(method, args):
    with pytest.raises(TypeError, match="field, not"):
        getattr(ArraySource({}, n=1), method)(*args)
