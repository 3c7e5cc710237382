"""Issue 9, item 1: the approach facts in Dutch and English, and catalogs that give only one."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import matchkit as mk
from matchkit.cli import main

BUILTIN = Path(__file__).parents[2] / "profiles" / "approaches"
CATALOG = mk.load_catalog()


@pytest.mark.parametrize("approach_id", CATALOG.ids)
def test_every_built_in_fact_is_given_in_dutch_and_english(approach_id):
    texts = CATALOG[approach_id].facts.texts()
    assert len(texts) > 10
    missing = [where for where, text in texts if not text.complete]
    assert missing == []


@pytest.mark.parametrize("approach_id", CATALOG.ids)
def test_every_built_in_unit_is_a_symbol_or_given_in_both_languages(approach_id):
    for figure in CATALOG[approach_id].facts.figures:
        unit = figure.unit
        if isinstance(unit, str):
            assert unit in ("EUR", "%", "FTE"), f"{approach_id}: unit {unit!r}"
        elif unit is not None:
            assert unit.complete


@pytest.mark.parametrize("approach_id", CATALOG.ids)
def test_the_dutch_description_holds_no_english_fact_text(approach_id):
    approach = CATALOG[approach_id]
    text = approach.describe("nl")
    english = [
        t.en
        for _, t in approach.facts.texts()
        if t.en is not None and t.en != t.nl and len(t.en) > 8 and t.en not in (t.nl or "")
    ]
    assert english
    assert [e for e in english if e in text] == []
    assert "[EN]" not in text


def _show(*args: str) -> str:
    out = io.StringIO()
    assert main(["show", *args], out=out) == 0
    return out.getvalue()


def test_show_fip_in_dutch_gives_dutch_facts_and_names_its_sources():
    text = _show("fip", "--lang", "nl")
    for english in (
        "Clients fear falling into a black hole",
        "Benefit matters are split off",
        "pilot group",
        "savings on benefits",
        "conversations a year",
        "Long, informal conversations",
    ):
        assert english not in text
    for dutch in (
        "zwart gat",
        "Besparing op uitkeringen: € 240.000 per jaar (§3.5.3)",
        "Investering: € 133.000",
        "Pilotgroep: 300 mensen (§3.5.1)",
        "Gemiddelde duur van een gesprek: 1,5 uur",
        "Kennismaken: Lange, informele gesprekken",
    ):
        assert dutch in text
    assert "Bronnen (paragrafen van het rapport): §3.5, §3.5.1, voetnoot 12" in text
    assert "footnote" not in text
    assert "in het Engels" not in text


def test_show_fip_in_english_keeps_english_numbers_and_sources():
    text = _show("fip", "--lang", "en")
    assert "Savings on benefits: €240,000 per year (§3.5.3)" in text
    assert "Average length of a conversation: 1.5 hours" in text
    assert "footnote 12" in text and "voetnoot" not in text


def _energiebox() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((BUILTIN / "energiebox.yaml").read_text("utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_catalog_with_english_only_facts_loads_and_marks_them_in_dutch(tmp_path):
    data = _energiebox()
    data["facts"]["working_elements"][0]["text"] = "Only in English, as plain text."
    data["facts"]["pitfalls"][0]["text"] = {"en": "Only in English, as a mapping."}
    data["facts"]["figures"][0]["label"] = "people hired"
    approach = mk.load_catalog(_write(tmp_path, data))["energiebox"]
    nl = approach.describe("nl")
    assert "[EN] Only in English, as plain text." in nl
    assert "[EN] Only in English, as a mapping." in nl
    assert "[EN] people hired: 13 mensen" in nl
    assert "[EN]: deze tekst staat in de catalogus alleen in het Engels." in nl
    en = approach.describe("en")
    assert "Only in English, as plain text." in en and "[EN]" not in en and "[NL]" not in en


def test_a_catalog_with_dutch_only_facts_loads_and_marks_them_in_english(tmp_path):
    data = _energiebox()
    for element in data["facts"]["working_elements"]:
        element["text"] = {"nl": element["text"]["nl"]}
    approach = mk.load_catalog(_write(tmp_path, data))["energiebox"]
    en = approach.describe("en")
    first = data["facts"]["working_elements"][0]["text"]["nl"]
    assert f"[NL] {first}" in en
    assert "[NL]: the catalog gives this text in Dutch only." in en
    assert "[NL]" not in approach.describe("nl")


@pytest.mark.parametrize("text", [{}, {"en": ""}, {"nl": "  "}, {"en": "x", "de": "y"}, ""])
def test_a_fact_text_in_no_language_is_an_error_naming_the_field(tmp_path, text):
    data = _energiebox()
    data["facts"]["pitfalls"][1]["text"] = text
    with pytest.raises(mk.CatalogError, match=r"facts\.pitfalls\.1\.text"):
        mk.load_catalog(_write(tmp_path, data))


def test_a_catalog_dumped_and_loaded_again_is_equal():
    approach = CATALOG["fip"]
    again = mk.Approach.model_validate(approach.model_dump(mode="json"))
    assert again == approach


@pytest.mark.slow
def test_the_dutch_report_gives_the_facts_in_dutch_as_headings_and_lists():
    caseload = mk.generate_caseload(300, seed=7)
    result = mk.Recommender(CATALOG).recommend_batch(caseload)
    pools, plan = mk.candidate_pools(result), mk.plan_assignment(result)
    page = mk.render_report(result, pools, plan, lang="nl")
    facts = page[page.index("Wat elke aangeboden aanpak biedt") :]
    assert "<h4>Werkzame elementen</h4>" in facts and "<li>" in facts and "<pre" not in facts
    english = [
        t.en
        for a in CATALOG.approaches
        for _, t in a.facts.texts()
        if t.en is not None and t.en != t.nl and len(t.en) > 8 and t.en not in (t.nl or "")
    ]
    visible = html.unescape(re.sub(r"<[^>]+>", "\n", facts))
    assert [e for e in english if e in visible] == []
    assert "alleen in het Engels" not in visible and "[EN]" not in visible
    assert "€ 240.000 per jaar" in visible
    assert re.search(r"<td>0,\d+</td>", page)  # Dutch decimal comma in the tables
