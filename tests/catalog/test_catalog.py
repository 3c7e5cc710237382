"""The approach catalog: the built-in seven of the report, and strict validation of any catalog."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import matchkit as mk
from matchkit.errors import UnknownApproachError
from matchkit.rules import parse_rule, to_text

BUILTIN = Path(__file__).parents[2] / "profiles" / "approaches"

# The hard rules of docs/spec/approaches.md (as corrected for issue 9), per approach id.
SPEC_HARD_RULES = {
    "opleiden-in-de-zorg": [
        'dutch_level >= "B1"',
        'interests contains "care"',
        "work_capacity_pct >= 80",
    ],
    "buurt-mv": [
        "participation_ladder >= 4",
        'social_skills >= "medium"',
        'motivation == "high"',
        'interests contains "care"',
    ],
    "energiebox": [
        "age >= 50",
        'social_skills >= "medium"',
        'interests contains "sustainability"',
        "wants_paid_work",
    ],
    "fip": ["not in_other_trajectory"],
    "app": ["months_on_assistance >= 24", "participation_ladder <= 3", "not fully_disabled"],
    "aandacht-doet-bewegen": [
        'psych_complaints != "none"',
        'motivation >= "some"',
        "has_help_question",
    ],
    "top": ["wants_paid_work", "can_work_in_group", "participation_ladder <= 4"],
}
SPEC_IDS = sorted(SPEC_HARD_RULES)

# A report section: "§3.4", "§3.4.2", "§5", optionally followed by more text.
SECTION = re.compile(r"§\d+(\.\d+)*")

CATALOG = mk.load_catalog()


def _canonical(rule: str) -> str:
    return to_text(parse_rule(rule))


def _sources(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every `source` value in a parsed YAML document, with where it sits."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "source":
                found.append((where, value))
            found += _sources(value, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _sources(value, f"{path}[{i}]")
    return found


# ----------------------------------------------------------------------------- built-in catalog


def test_builtin_catalog_holds_exactly_the_seven_approaches_of_the_spec():
    assert list(CATALOG) == SPEC_IDS


def test_builtin_catalog_has_one_file_per_approach_named_after_its_id():
    assert sorted(p.stem for p in BUILTIN.glob("*.yaml")) == SPEC_IDS


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_hard_rules_are_exactly_those_of_the_spec(approach_id):
    rules = [r.rule for r in CATALOG[approach_id].rules]
    expected = SPEC_HARD_RULES[approach_id]
    assert sorted(map(_canonical, rules)) == sorted(map(_canonical, expected))


@pytest.mark.parametrize("approach_id", SPEC_IDS)
@pytest.mark.parametrize(
    ("kind", "entries"),
    [
        pytest.param("rules", lambda a: a.rules, id="rules"),
        pytest.param("target", lambda a: a.target, id="target"),
        pytest.param("figures", lambda a: a.facts.figures, id="figures"),
    ],
)
def test_every_rule_target_entry_and_figure_cites_a_report_section(approach_id, kind, entries):
    items = entries(CATALOG[approach_id])
    assert items, f"{approach_id} has no {kind}"
    bad = [
        (getattr(e, "id", None) or e.label, e.source) for e in items if not SECTION.match(e.source)
    ]
    assert bad == []


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_every_source_anywhere_in_the_file_cites_a_report_section(approach_id):
    data = yaml.safe_load((BUILTIN / f"{approach_id}.yaml").read_text(encoding="utf-8"))
    sources = _sources(data)
    assert len(sources) > 3
    bad = [(where, s) for where, s in sources if not (isinstance(s, str) and SECTION.match(s))]
    assert bad == []


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_every_approach_offers_a_whole_positive_number_of_places(approach_id):
    places = CATALOG[approach_id].places
    assert type(places) is int
    assert places > 0
    assert SECTION.match(CATALOG[approach_id].facts.capacity.places.source)


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_every_approach_is_described_in_dutch_and_english(approach_id):
    description = CATALOG[approach_id].description
    assert description.nl.strip()
    assert description.en.strip()
    assert description.nl != description.en


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_every_rule_gives_its_reason_in_dutch_and_english(approach_id):
    rules = CATALOG[approach_id].rules
    assert rules
    for rule in rules:
        assert rule.reason.nl.strip(), rule.id
        assert rule.reason.en.strip(), rule.id
        assert rule.reason.nl != rule.reason.en, rule.id


@pytest.mark.parametrize("approach_id", SPEC_IDS)
def test_builtin_rules_read_no_sensitive_field(approach_id):
    assert CATALOG[approach_id].sensitive_rules == []


# ----------------------------------------------------------------------------- Catalog mapping


def test_catalog_behaves_as_a_read_only_mapping_sorted_by_id():
    assert len(CATALOG) == 7
    assert "energiebox" in CATALOG
    assert "nope" not in CATALOG
    assert CATALOG.ids == list(CATALOG.keys()) == SPEC_IDS
    assert [a.id for a in CATALOG.values()] == SPEC_IDS
    assert all(key == a.id for key, a in CATALOG.items())
    assert CATALOG["fip"] is CATALOG.approaches[SPEC_IDS.index("fip")]
    assert CATALOG.get("nope") is None
    assert not hasattr(CATALOG, "__setitem__")


def test_missing_approach_raises_unknown_approach_error_naming_the_id_and_the_choices():
    with pytest.raises(UnknownApproachError) as exc:
        CATALOG["no-such-approach"]
    assert isinstance(exc.value, KeyError)
    assert isinstance(exc.value, mk.MatchkitError)
    message = str(exc.value)
    assert "no-such-approach" in message
    assert all(approach_id in message for approach_id in SPEC_IDS)


def test_missing_approach_can_be_caught_as_a_plain_key_error():
    with pytest.raises(KeyError):
        CATALOG["no-such-approach"]


def test_subset_keeps_only_the_given_approaches_in_id_order():
    sub = CATALOG.subset(["top", "app"])
    assert list(sub) == ["app", "top"]
    assert sub["top"] is CATALOG["top"]


# ----------------------------------------------------------------------------- user catalogs


def test_a_user_directory_loads_as_its_own_catalog(tmp_path):
    for name in ("fip.yaml", "top.yaml"):
        shutil.copy(BUILTIN / name, tmp_path / name)
    catalog = mk.load_catalog(tmp_path)
    assert list(catalog) == ["fip", "top"]
    assert catalog["top"] == CATALOG["top"]


def test_a_user_directory_given_as_text_loads_too(tmp_path):
    shutil.copy(BUILTIN / "app.yaml", tmp_path / "app.yaml")
    assert list(mk.load_catalog(str(tmp_path))) == ["app"]


def test_a_single_yaml_file_loads_as_a_catalog_of_one(tmp_path):
    path = shutil.copy(BUILTIN / "energiebox.yaml", tmp_path / "mine.yaml")
    assert list(mk.load_catalog(path)) == ["energiebox"]


def test_a_copy_of_the_builtin_directory_equals_the_builtin_catalog(tmp_path):
    shutil.copytree(BUILTIN, tmp_path / "approaches")
    assert dict(mk.load_catalog(tmp_path / "approaches")) == dict(CATALOG)


def test_an_empty_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(mk.CatalogError, match=re.escape("no *.yaml approach files")):
        mk.load_catalog(tmp_path)


def test_a_missing_directory_is_a_catalog_error(tmp_path):
    with pytest.raises(mk.CatalogError, match="no such file or directory"):
        mk.load_catalog(tmp_path / "absent")


# ----------------------------------------------------------------------------- malformed files


def _energiebox() -> dict[str, Any]:
    return yaml.safe_load((BUILTIN / "energiebox.yaml").read_text(encoding="utf-8"))


def _write(directory: Path, name: str, data: dict[str, Any]) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _broken(tmp_path: Path, breaks: Callable[[dict[str, Any]], None]) -> mk.CatalogError:
    data = _energiebox()
    breaks(data)
    _write(tmp_path, "energiebox.yaml", data)
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    return exc.value


def _set_rule(index: int, text: str) -> Callable[[dict[str, Any]], None]:
    def breaks(d: dict[str, Any]) -> None:
        d["rules"][index]["rule"] = text

    return breaks


def _set_target(index: int, **entry: Any) -> Callable[[dict[str, Any]], None]:
    def breaks(d: dict[str, Any]) -> None:
        d["target"][index] = {**entry, "source": "§3.4.2", "label": {"nl": "x", "en": "x"}}

    return breaks


def _places(value: Any) -> Callable[[dict[str, Any]], None]:
    def breaks(d: dict[str, Any]) -> None:
        d["facts"]["capacity"]["places"]["value"] = value

    return breaks


MALFORMED = [
    pytest.param(
        lambda d: d["rules"][0].pop("source"), ["rules.0.source"], id="rule-without-source"
    ),
    pytest.param(
        lambda d: d["target"][1].pop("source"), ["target.1.source"], id="target-without-source"
    ),
    pytest.param(
        lambda d: d["facts"]["figures"][0].pop("source"),
        ["facts.figures.0.source"],
        id="figure-without-source",
    ),
    pytest.param(lambda d: d.pop("source"), ["source", "required"], id="approach-without-source"),
    pytest.param(lambda d: d.update(colour="red"), ["colour", "'red'"], id="unknown-top-level-key"),
    pytest.param(
        lambda d: d["rules"][2].update(severity="high"), ["rules.2.severity"], id="unknown-rule-key"
    ),
    pytest.param(
        lambda d: d["facts"]["capacity"].update(seats=3),
        ["facts.capacity.seats"],
        id="unknown-capacity-key",
    ),
    pytest.param(
        _set_rule(0, "age >= 50 and shoe_size > 3"),
        ["rules[0] (age-50-plus)", "shoe_size"],
        id="unknown-field-in-rule",
    ),
    pytest.param(
        _set_rule(1, 'dutch_level >= "B9"'),
        ["rules[1] (social-skills)", "B9", "B1", "C2"],
        id="enum-value-out-of-range",
    ),
    pytest.param(
        _set_rule(3, "age >= >= 50"),
        ["rules[3] (wants-paid-work)", "age >= >= 50"],
        id="rule-syntax",
    ),
    pytest.param(
        _set_rule(2, 'interests contains "knitting"'),
        ["rules[2] (sustainability-interest)", "knitting"],
        id="list-value-out-of-range",
    ),
    pytest.param(
        _set_rule(0, 'gender == "female"'),
        ["rules[0] (age-50-plus)", "gender", "justification"],
        id="sensitive-rule-without-justification",
    ),
    pytest.param(
        _set_rule(0, 'migration_background != "none"'),
        ["rules[0] (age-50-plus)", "migration_background", "justification"],
        id="migration-background-without-justification",
    ),
    pytest.param(
        lambda d: d["rules"][0].update(rule='gender == "female"', justification="   "),
        ["rules[0] (age-50-plus)", "gender", "justification"],
        id="sensitive-rule-with-blank-justification",
    ),
    pytest.param(
        lambda d: d["rules"][0].update(weight=0),
        ["rules.0.weight", "greater than 0"],
        id="weight-0",
    ),
    pytest.param(
        lambda d: d["target"][0].update(weight=-1.5),
        ["target.0.weight", "greater than 0"],
        id="negative-target-weight",
    ),
    pytest.param(_places(2.5), ["capacity", "places", "2.5"], id="fractional-places"),
    pytest.param(_places("two"), ["capacity", "places", "'two'"], id="places-as-text"),
    pytest.param(_places(-1), ["capacity", "places", "-1"], id="negative-places"),
    pytest.param(
        _places(True),
        ["capacity", "places", "True"],
        id="places-as-boolean",
    ),
    pytest.param(
        lambda d: d["rules"][0].update(source="   "),
        ["rules.0.source"],
        id="blank-source",
    ),
    pytest.param(lambda d: d.update(id="Energie Box"), ["id", "pattern"], id="id-not-a-slug"),
    pytest.param(
        lambda d: d["rules"].append(dict(d["rules"][0])),
        ["duplicate", "age-50-plus"],
        id="duplicate-rule-id",
    ),
]


@pytest.mark.parametrize(("breaks", "fragments"), MALFORMED)
def test_one_malformed_entry_is_one_problem_naming_file_entry_and_field(
    tmp_path, breaks, fragments
):
    data = _energiebox()
    breaks(data)
    path = _write(tmp_path, "energiebox.yaml", data)
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    err = exc.value
    assert len(err.problems) == 1, err.problems
    problem = err.problems[0]
    assert problem.startswith(f"{path}: approach {data.get('id', '(no id)')}")
    for fragment in fragments:
        assert fragment in problem
    assert problem in str(err)


@pytest.mark.parametrize(
    ("rule", "spot"),
    [
        ("age >= 50 and shoe_size > 3", "shoe_size"),
        ('dutch_level >= "B9"', '"B9"'),
        ("age >= >= 50", ">= 50"),
        ('age >= "old"', '"old"'),
        ('social_skills contains "high"', "social_skills"),
    ],
)
def test_a_bad_rule_is_shown_with_a_caret_under_the_spot(tmp_path, rule, spot):
    message = str(_broken(tmp_path, _set_rule(0, rule)))
    lines = message.splitlines()
    shown = next(i for i, line in enumerate(lines) if line.strip() == rule)
    caret = lines[shown + 1]
    assert caret.strip() == "^"
    assert caret.index("^") == lines[shown].index(rule) + rule.index(spot)


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"feature": "gender", "prefer": {"in": ["female"]}}, id="feature-gender"),
        pytest.param(
            {"feature": "migration_background", "prefer": {"in": ["none"]}},
            id="feature-migration-background",
        ),
        pytest.param({"rule": 'gender == "female"'}, id="rule-on-gender"),
        pytest.param(
            {"feature": "gender", "prefer": {"in": ["female"]}, "justification": "audit"},
            id="feature-gender-with-justification",
        ),
        pytest.param(
            {"rule": 'gender == "female"', "justification": "audit"},
            id="rule-on-gender-with-justification",
        ),
    ],
)
def test_a_target_profile_may_never_read_a_sensitive_field(tmp_path, entry):
    err = _broken(tmp_path, _set_target(1, id="sensitive", **entry))
    assert len(err.problems) == 1, err.problems
    assert "approach energiebox" in err.problems[0]
    assert "target" in err.problems[0]


def test_a_file_that_is_not_yaml_is_named_in_the_error(tmp_path):
    text = (BUILTIN / "energiebox.yaml").read_text(encoding="utf-8")
    (tmp_path / "energiebox.yaml").write_text(text.replace("goal: work", "goal: [work"))
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    assert len(exc.value.problems) == 1
    assert exc.value.problems[0].startswith(f"{tmp_path / 'energiebox.yaml'}: not valid YAML")


@pytest.mark.parametrize("content", ["- a\n- list\n", "just text\n", ""])
def test_a_file_that_is_not_a_mapping_is_named_in_the_error(tmp_path, content):
    (tmp_path / "odd.yaml").write_text(content)
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    assert exc.value.problems == [
        f"{tmp_path / 'odd.yaml'}: expected a mapping of approach fields, got "
        + type(yaml.safe_load(content)).__name__
    ]


def test_a_duplicate_id_across_files_names_both_files(tmp_path):
    shutil.copy(BUILTIN / "energiebox.yaml", tmp_path / "a-energiebox.yaml")
    shutil.copy(BUILTIN / "energiebox.yaml", tmp_path / "b-energiebox.yaml")
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    assert len(exc.value.problems) == 1
    problem = exc.value.problems[0]
    assert "duplicate" in problem
    assert "approach energiebox" in problem
    assert str(tmp_path / "a-energiebox.yaml") in problem
    assert str(tmp_path / "b-energiebox.yaml") in problem


def test_every_problem_of_several_broken_files_is_reported_at_once(tmp_path):
    shutil.copytree(BUILTIN, tmp_path, dirs_exist_ok=True)
    energiebox = _energiebox()
    energiebox["rules"][0]["rule"] = "shoe_size > 3"
    energiebox["colour"] = "red"
    _write(tmp_path, "energiebox.yaml", energiebox)
    fip = yaml.safe_load((BUILTIN / "fip.yaml").read_text(encoding="utf-8"))
    del fip["rules"][0]["source"]
    _write(tmp_path, "fip.yaml", fip)
    (tmp_path / "top.yaml").write_text("id: top\nname: [unclosed\n")
    with pytest.raises(mk.CatalogError) as exc:
        mk.load_catalog(tmp_path)
    problems = exc.value.problems
    assert len(problems) == 3, problems
    assert f"{tmp_path / 'energiebox.yaml'}: approach energiebox: colour" in problems[0]
    assert f"{tmp_path / 'fip.yaml'}: approach fip: rules.0.source" in problems[1]
    assert f"{tmp_path / 'top.yaml'}: not valid YAML" in problems[2]


def test_every_problem_of_one_approach_is_reported_at_once(tmp_path):
    def breaks(d: dict[str, Any]) -> None:
        d["rules"][0]["rule"] = "shoe_size > 3"
        d["rules"][1]["rule"] = 'dutch_level >= "B9"'
        d["rules"][3]["rule"] = 'gender == "female"'

    err = _broken(tmp_path, breaks)
    assert len(err.problems) == 3, err.problems
    for problem, where in zip(err.problems, ["rules[0]", "rules[1]", "rules[3]"], strict=True):
        assert f"approach energiebox, {where}" in problem


def test_catalog_error_is_a_value_error_and_a_matchkit_error(tmp_path):
    err = _broken(tmp_path, lambda d: d.update(colour="red"))
    assert isinstance(err, ValueError)
    assert isinstance(err, mk.MatchkitError)


# ----------------------------------------------------------------------------- sensitive rules

JUSTIFICATION = "Tenants of this corporation asked for female advisers (test fixture)."


@pytest.fixture
def gendered_catalog(tmp_path) -> mk.Catalog:
    data = _energiebox()
    data["rules"][0].update(rule='gender == "female"', justification=JUSTIFICATION)
    _write(tmp_path, "energiebox.yaml", data)
    return mk.load_catalog(tmp_path)


def _client(gender: str | None) -> mk.ClientProfile:
    return mk.ClientProfile(
        client_id="c-1",
        age=60,
        gender=gender,
        social_skills="high",
        interests=["sustainability"],
        wants_paid_work=True,
    )


def test_a_sensitive_rule_with_a_justification_is_accepted(gendered_catalog):
    rules = gendered_catalog["energiebox"].sensitive_rules
    assert [(r.id, r.justification) for r in rules] == [("age-50-plus", JUSTIFICATION)]


@pytest.mark.parametrize(("gender", "status"), [("female", "eligible"), ("male", "ineligible")])
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_justification_is_shown_in_every_explanation_that_uses_the_rule(
    gendered_catalog, gender, status, lang
):
    rec = mk.Recommender(gendered_catalog)
    [r] = rec.recommend(_client(gender), include_ineligible=True, lang=lang)
    assert r.status == status
    assert any(JUSTIFICATION in reason for reason in r.reasons), r.reasons


def test_the_justification_is_shown_when_the_sensitive_field_is_to_be_verified(gendered_catalog):
    [r] = mk.Recommender(gendered_catalog).recommend(_client(None), include_ineligible=True)
    assert r.status == "verify"
    assert r.to_verify == ["gender"]
    assert any(JUSTIFICATION in reason for reason in r.reasons), r.reasons
