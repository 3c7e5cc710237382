"""The case manager's loop through the views: intake, live shortlist, decision, outcome."""

from __future__ import annotations

import re

import pytest

import matchkit as mk
from matchkit.web import commands, engine
from matchkit.web.models import AuditEvent, Decision, Outcome

pytestmark = pytest.mark.django_db


def _facts(**kw):
    return {k: str(v) for k, v in kw.items()}


def test_every_intake_field_starts_unknown_and_follows_the_schema(anna, annas_client):
    page = anna.get(f"/clients/{annas_client.pk}/").content.decode()
    schema = mk.ClientProfile.model_json_schema()["properties"]
    for name in schema:
        if name not in ("client_id", "zrm", "zrm11"):
            assert f'name="{name}"' in page, name
    for domain in schema["zrm"]["properties"]:
        assert f'name="zrm_{domain}"' in page
    # Nothing is selected or filled in but "onbekend".
    assert " selected" not in page and "checked" not in page
    assert not re.search(r'<input id="f-[^"]+" name="[^"]+" inputmode="decimal" value="[^"]', page)
    assert "onbekend" in page


def test_the_shortlist_updates_with_verify_items_as_facts_come_in(anna, annas_client):
    url = f"/clients/{annas_client.pk}/"
    first = anna.post(url, _facts(age=56), HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    text = first.content.decode()
    assert "<html" not in text  # a fragment for htmx, not a page
    assert "Na te gaan" in text and "trede Participatieladder" in text
    annas_client.refresh_from_db()
    assert annas_client.profile == {"age": 56}

    more = anna.post(
        url,
        _facts(age=56, participation_ladder=2, wants_paid_work="false", motivation="high"),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert more != text
    annas_client.refresh_from_db()
    assert annas_client.profile["participation_ladder"] == 2
    assert annas_client.profile["wants_paid_work"] is False
    # The reasons are the library's own, in Dutch.
    expected = engine.shortlist(annas_client.client_id, annas_client.profile, (), "nl")
    assert expected[0]["reasons"][0].split(":")[0][:30] in more


def test_without_an_age_the_page_asks_for_it(anna, annas_client):
    text = anna.post(f"/clients/{annas_client.pk}/", {}, HTTP_HX_REQUEST="true").content
    assert b"Vul eerst de leeftijd in" in text


def test_bad_answers_are_reported_per_field_and_nothing_is_stored(anna, annas_client):
    url = f"/clients/{annas_client.pk}/"
    page = anna.post(url, _facts(age=56, children="many", dutch_level="Z9")).content.decode()
    assert page.count('class="error"') >= 2
    assert "vul een heel getal in" in page and "kies een van de opties" in page
    annas_client.refresh_from_db()
    assert annas_client.profile == {}


def test_inconsistent_facts_are_named_and_not_stored(anna, annas_client):
    url = f"/clients/{annas_client.pk}/"
    page = anna.post(url, _facts(age=40, children=0, youngest_child_age=3)).content.decode()
    assert "youngest_child_age" in page
    annas_client.refresh_from_db()
    assert annas_client.profile == {}


def test_choices_show_words_in_the_page_language_and_post_codes(anna, annas_client):
    page = anna.get(f"/clients/{annas_client.pk}/").content.decode()
    assert '<option value="A2" >A2 (basis)</option>' in page
    assert '<option value="low" >laag</option>' in page
    assert 'value="care" > zorg</label>' in page
    page = anna.get(f"/clients/{annas_client.pk}/?lang=en").content.decode()
    assert '<option value="A2" >A2 (elementary)</option>' in page
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=40, dutch_level="A2"))
    annas_client.refresh_from_db()
    assert annas_client.profile["dutch_level"] == "A2"


def test_english_is_available(anna, annas_client):
    anna.get("/clients/?lang=en")
    text = anna.post(
        f"/clients/{annas_client.pk}/", _facts(age=56), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "To verify" in text and "Na te gaan" not in text


def test_the_decision_form_preselects_nothing_and_requires_a_reason(anna, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=56, social_skills="high"))
    url = f"/clients/{annas_client.pk}/decide/"
    page = anna.get(url).content.decode()
    assert "checked" not in page
    assert 'value="__own__"' in page and "eigen keuze" in page
    assert anna.post(url, {"choice": "__own__", "reason": " "}).status_code == 400
    assert anna.post(url, {"reason": "past goed"}).status_code == 400
    assert anna.post(url, {"choice": "not-an-approach", "reason": "x"}).status_code == 400
    assert Decision.objects.count() == 0


def test_a_decision_keeps_the_profile_the_list_and_the_versions(anna, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=56, social_skills="high"))
    listed = engine.shortlist(
        annas_client.client_id, {"age": 56, "social_skills": "high"}, (), "nl"
    )
    second = next(i for i in listed if i["rank"] == 2)["approach_id"]
    response = anna.post(
        f"/clients/{annas_client.pk}/decide/", {"choice": second, "reason": "wil in de buurt"}
    )
    assert response.status_code == 302
    d = Decision.objects.get()
    assert d.approach_id == second and d.deviates
    assert d.profile == {"age": 56, "social_skills": "high"}
    assert [i["approach_id"] for i in d.shortlist][:3] == [i["approach_id"] for i in listed][:3]
    assert d.catalog_version == engine.catalog_version()
    assert d.model_version.startswith(mk.__version__)
    assert d.offering_version == "all" and d.team == "noord"
    # A later change to the client does not change what the decision kept.
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=57))
    d.refresh_from_db()
    assert d.profile["age"] == 56


def test_own_choice_sits_beside_the_approaches_and_an_outcome_follows(anna, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=56))
    anna.post(f"/clients/{annas_client.pk}/decide/", {"choice": "__own__", "reason": "eigen plan"})
    d = Decision.objects.get()
    assert d.approach_id == "" and d.deviates
    timeline = anna.get(f"/clients/{annas_client.pk}/timeline/").content.decode()
    assert "Geen van deze / eigen keuze" in timeline and "eigen plan" in timeline
    url = f"/clients/{annas_client.pk}/decisions/{d.pk}/outcome/"
    assert anna.post(url, {"date": "not a date"}).status_code == 400
    assert anna.post(url, {"date": "2026-11-30", "paid_work": "on"}).status_code == 302
    o = Outcome.objects.get()
    assert o.paid_work and not o.benefit_ended and str(o.date) == "2026-11-30"
    assert "Betaald werk" in anna.get(f"/clients/{annas_client.pk}/timeline/").content.decode()


def test_the_print_page_has_the_reasons_and_a_print_stylesheet(anna, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=56))
    page = anna.get(f"/clients/{annas_client.pk}/print/").content.decode()
    assert "Na te gaan" in page and "web.css" in page
    css = (engine.__file__.rsplit("/", 1)[0]) + "/static/matchkit/web.css"
    with open(css, encoding="utf-8") as fh:
        assert "@media print" in fh.read()


def test_every_view_and_change_is_audited_without_personal_data(anna, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", _facts(age=56))
    anna.get(f"/clients/{annas_client.pk}/timeline/")
    actions = list(AuditEvent.objects.values_list("username", "action", "target"))
    assert ("anna", "client-create", annas_client.client_id) in actions
    assert ("anna", "profile-update", annas_client.client_id) in actions
    assert ("anna", "timeline-view", annas_client.client_id) in actions
    kept = repr(list(AuditEvent.objects.values_list("username", "action", "target", "path")))
    assert "Jansen" not in kept and "56" not in kept


def _decide_with_outcome(anna, client, choice, **outcome):
    anna.post(f"/clients/{client.pk}/decide/", {"choice": choice, "reason": "r"})
    d = Decision.objects.filter(client=client).latest("created_at")
    anna.post(
        f"/clients/{client.pk}/decisions/{d.pk}/outcome/",
        {"date": "2026-11-30", **dict.fromkeys(outcome, "on")},
    )


def test_the_export_is_a_history_read_history_reads(anna, tmp_path):
    for i, (age, choice) in enumerate([(56, "__own__"), (30, None), (45, None)]):
        anna.post("/clients/", {"label": f"client {i}"})
        c = anna_client_latest()
        anna.post(f"/clients/{c.pk}/", _facts(age=age, social_skills="high"))
        c.refresh_from_db()
        pick = choice or engine.shortlist(c.client_id, c.profile, (), "nl")[0]["approach_id"]
        _decide_with_outcome(anna, c, pick, paid_work=True)
    anna.post("/clients/", {"label": "no outcome yet"})
    c = anna_client_latest()
    anna.post(f"/clients/{c.pk}/", _facts(age=33))
    anna.post(f"/clients/{c.pk}/decide/", {"choice": "__own__", "reason": "r"})

    out = tmp_path / "history.jsonl"
    assert commands.export(str(out)) == 3
    history = mk.read_history(out, outcomes=list(engine.OUTCOMES), binary=list(engine.OUTCOMES))
    assert len(history) == 3
    assert history.approach.isna().sum() == 1  # own choice is usual care
    assert history.outcomes["paid_work"].tolist() == [1.0, 1.0, 1.0]


def anna_client_latest():
    from matchkit.web.models import Client

    return Client.objects.latest("pk")


def test_export_without_outcomes_says_so(users, tmp_path):
    with pytest.raises(mk.ParameterError, match="no decision has an outcome"):
        commands.export(str(tmp_path / "h.jsonl"))


def test_purge_deletes_clients_past_retention(anna, annas_client):
    from datetime import timedelta

    from django.utils import timezone

    from matchkit.web.models import Client

    anna.post("/clients/", {"label": "recent"})
    Client.objects.filter(pk=annas_client.pk).update(
        updated_at=timezone.now() - timedelta(days=800)
    )
    assert commands.purge(None) == 1  # default retention: 730 days
    assert list(Client.objects.values_list("label", flat=True)) == ["recent"]
    with pytest.raises(mk.ParameterError, match="days"):
        commands.purge(0)


def test_a_bad_answer_during_live_updates_is_named_beside_the_shortlist(anna, annas_client):
    url = f"/clients/{annas_client.pk}/"
    text = anna.post(url, _facts(age=56, children="veel"), HTTP_HX_REQUEST="true").content
    assert b"<html" not in text
    assert b"thuiswonende kinderen: vul een heel getal in" in text
    annas_client.refresh_from_db()
    assert annas_client.profile == {}
