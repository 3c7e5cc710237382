"""Issue 9, parts 4-6: what an approach delivers, reasons in the client's terms, thin files."""

from __future__ import annotations

import io
import re

import pytest

import matchkit as mk
from matchkit.cli import main
from tests.catalog.test_corrections import client, rec

CATALOG = mk.load_catalog()


@pytest.mark.parametrize("approach_id", CATALOG.ids)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_describe_gives_facts_with_sources_and_the_boom_caveat(approach_id, lang):
    approach = CATALOG[approach_id]
    text = approach.describe(lang)
    assert approach.name in text
    assert str(approach.places) in text
    for element in approach.facts.working_elements + approach.facts.pitfalls:
        assert element.text in text and element.source in text
    for figure in approach.facts.figures:
        assert figure.label in text
    assert ("hoogconjunctuur" if lang == "nl" else "boom period") in text
    assert re.search(r"§\d", text)


def test_describe_rejects_an_unknown_language():
    with pytest.raises(mk.ParameterError, match="lang"):
        CATALOG["fip"].describe("de")  # type: ignore[arg-type]


def test_cli_show_fip_in_dutch_prints_facts_with_sources():
    out = io.StringIO()
    assert main(["show", "fip", "--lang", "nl"], out=out) == 0
    text = out.getvalue()
    for heading in (
        "Wat de aanpak biedt",
        "Kosten en besparingen",
        "Resultaten",
        "Bewijskracht",
        "Werkzame elementen",
        "Valkuilen",
        "Bronnen",
    ):
        assert heading in text
    assert "§3.5.3" in text and "300" in text


def test_cli_show_unknown_id_is_one_line_and_exit_2(capsys):
    assert main(["show", "nope"], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "fip" in err


def test_a_failed_criterion_states_the_clients_value():
    r = rec("buurt-mv", "nl", participation_ladder=2, motivation="high", interests=["care"])
    [line] = [x for x in r.reasons if x.startswith("Niet voldaan")]
    assert "trede 4 of hoger" in line and "cliënt: trede 2" in line
    r = rec("energiebox", "en", age=41, interests=["sustainability"])
    assert any("client: aged 41" in x for x in r.reasons)


def test_dutch_explanations_use_no_english_terms():
    recs = mk.Recommender(CATALOG).recommend(
        client(psych_complaints="mild"), lang="nl", include_ineligible=True
    )
    text = " ".join(x for r in recs for x in r.reasons)
    for english in ("common mental", "footnote", "eligible", "verify", " step "):
        assert english not in text


def test_no_trivial_fits_are_listed():
    # Specificity below 0.1 means more than ~90% of the reference population matches.
    batch = mk.Recommender(CATALOG).recommend_batch([client()])
    for j, approach in enumerate(CATALOG.approaches):
        trivial = {
            t.label.en
            for t, s in zip(approach.target, batch.evidence[j].target_specificity, strict=True)
            if s < 0.1
        }
        for r in batch.recommendations(0, include_ineligible=True):
            if r.approach_id == approach.id:
                fits = [x for x in r.reasons if x.startswith("Fits the target profile")]
                assert not any(label in line for label in trivial for line in fits)


@pytest.mark.slow
def test_explanations_never_say_not_met_and_fits_about_the_same_thing():
    for ladder in range(1, 7):
        for income in (0.0, 4000.0, 9000.0):
            for r in mk.Recommender(CATALOG).recommend(
                client(participation_ladder=ladder, part_time_income_eur=income),
                include_ineligible=True,
            ):
                not_met = " ".join(x for x in r.reasons if x.startswith("Not met"))
                fits = " ".join(x for x in r.reasons if x.startswith(("Fits", "Partly")))
                if "step" in not_met:
                    assert "step" not in fits, r


def test_a_thin_file_is_not_ranked_on_age_alone_and_leads_with_the_intake():
    thin = mk.ClientProfile(client_id="thin", age=58)
    batch = mk.Recommender(CATALOG).recommend_batch([thin])
    first = CATALOG.ids[int(batch.top1()[0])]
    assert first in {"fip", "app"}
    assert batch.is_thin(0)
    lead = batch.intake_lead(0, "nl")
    assert lead[0].startswith("Er is weinig bekend")
    assert lead[1].startswith("Stel eerst vast: trede Participatieladder")
    assert "FIP" in lead[2] and "Actieplan" in lead[2]
    # The expected score and its spread are shown.
    top = batch.recommendations(0, top=1, lang="en")[0]
    assert any("will lie between" in x for x in top.reasons)
    assert batch.low[0].max() <= batch.expected[0].max() <= batch.high[0].max()


def test_a_full_file_is_ranked_by_score_and_has_no_intake_lead():
    batch = mk.Recommender(CATALOG).recommend_batch([client()])
    assert not batch.is_thin(0) and batch.intake_lead(0) == []
    ranked = batch.rank[0] > 0
    assert (batch.rank_value()[0][ranked] == batch.score[0][ranked]).all()
