"""The public value labels: every closed value of the contract has a word in both languages."""

from __future__ import annotations

import pytest

from matchkit.errors import ParameterError
from matchkit.recommend import value_label


def _closed_fields():
    import matchkit as mk

    schema = mk.ClientProfile.model_json_schema()
    out = []
    for name, prop in schema["properties"].items():
        body = next((b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"), prop)
        if "$ref" in body:
            body = schema["$defs"][body["$ref"].rsplit("/", 1)[1]]
        if body.get("type") == "array":
            body = body.get("items", {})
            if "$ref" in body:
                body = schema["$defs"][body["$ref"].rsplit("/", 1)[1]]
        if "enum" in body:
            out.append((name, tuple(body["enum"])))
    return out


def test_every_closed_value_of_the_contract_has_a_label():
    fields = _closed_fields()
    assert {"dutch_level", "education", "motivation", "interests"} <= {n for n, _ in fields}
    for name, values in fields:
        for value in values:
            nl, en = value_label(name, value, "nl"), value_label(name, value, "en")
            assert nl and en and "_" not in nl and "_" not in en, (name, value)


def test_labels_explain_codes_in_the_language_asked_for():
    assert value_label("dutch_level", "A2", "nl") == "A2 (basis)"
    assert value_label("dutch_level", "A2", "en") == "A2 (elementary)"
    assert value_label("motivation", "low", "nl") == "laag"
    assert value_label("motivation", "low", "en") == "low"
    assert value_label("migration_background", "non_western", "nl") == "niet-westers"
    assert value_label("education", "mbo2", "nl") == "mbo niveau 2"
    assert value_label("interests", "care", "nl") == "zorg"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("nope", "low", "nl"), "name="),
        (("age", "30", "nl"), "name="),
        (("motivation", "enormous", "nl"), "value="),
        (("motivation", "low", "de"), "lang="),
    ],
)
def test_bad_arguments_name_the_parameter(args, named):
    with pytest.raises(ParameterError, match=named):
        value_label(*args)
