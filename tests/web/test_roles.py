"""Roles: a case manager sees only their own clients; advisers aggregates; admins the offering."""

from __future__ import annotations

import re

import pytest

from matchkit.web import engine
from matchkit.web.models import AuditEvent, Decision, OfferedApproach
from matchkit.web.overview import MIN_DECIDERS, deviation_by_team

pytestmark = pytest.mark.django_db


def _client_urls(client, decision_pk=1):
    return [
        f"/clients/{client.pk}/",
        f"/clients/{client.pk}/print/",
        f"/clients/{client.pk}/decide/",
        f"/clients/{client.pk}/timeline/",
        f"/clients/{client.pk}/decisions/{decision_pk}/outcome/",
    ]


def test_a_case_manager_cannot_read_anothers_client_by_url_or_id(anna, bert, annas_client):
    anna.post(f"/clients/{annas_client.pk}/", {"age": "56"})
    anna.post(f"/clients/{annas_client.pk}/decide/", {"choice": "__own__", "reason": "r"})
    d = Decision.objects.get()
    for url in _client_urls(annas_client, d.pk):
        assert anna.get(url).status_code == 200, url
        response = bert.get(url)
        assert response.status_code == 404, url
        assert b"Jansen" not in response.content
    # Nor change it, nor see it in their list.
    assert bert.post(f"/clients/{annas_client.pk}/", {"age": "30"}).status_code == 404
    assert (
        bert.post(
            f"/clients/{annas_client.pk}/decide/", {"choice": "__own__", "reason": "x"}
        ).status_code
        == 404
    )
    assert b"Jansen" not in bert.get("/clients/").content
    # Each refused attempt is in the audit log.
    from matchkit.web.models import AuditEvent

    refused = AuditEvent.objects.filter(username="bert", action="not-found")
    assert refused.filter(target=annas_client.client_id).count() >= len(_client_urls(annas_client))
    annas_client.refresh_from_db()
    assert annas_client.profile == {"age": 56}


def test_an_adviser_sees_aggregates_only(adviser, annas_client):
    assert adviser.get("/clients/").status_code == 403
    for url in _client_urls(annas_client):
        assert adviser.get(url).status_code == 403, url
    page = adviser.get("/dashboard/")
    assert page.status_code == 200 and b"Jansen" not in page.content


def test_a_case_manager_has_no_dashboard_and_cannot_set_the_offering(anna):
    assert anna.get("/dashboard/").status_code == 403
    assert anna.get("/catalog/").status_code == 200
    assert anna.post("/catalog/", {"offered": ["fip"]}).status_code == 403
    assert OfferedApproach.objects.count() == 0


def test_an_administrator_sets_the_offering_and_it_reaches_the_shortlist(admin, anna, annas_client):
    assert admin.post("/catalog/", {"offered": ["fip", "no-such-id"]}).status_code == 302
    assert list(OfferedApproach.objects.values_list("approach_id", flat=True)) == ["fip"]
    text = anna.post(
        f"/clients/{annas_client.pk}/", {"age": "56"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "niet aangeboden" in text
    # Administrators manage, they do not read clients.
    assert admin.get(f"/clients/{annas_client.pk}/").status_code == 403


def _not_offered(browser, client, **facts):
    page = browser.post(f"/clients/{client.pk}/", facts, HTTP_HX_REQUEST="true").content.decode()
    if "niet aangeboden" not in page:
        return []
    return re.findall(r"<li>([^<]+) <span", page.split("niet aangeboden", 1)[1])


def test_the_offering_is_set_per_municipality_and_the_clients_decides(admin, anna, annas_client):
    # Utrecht offers only FIP; every other municipality offers FIP and APP.
    admin.post("/catalog/", {"area": "  Utrecht ", "offered": ["fip"]})
    # Utrecht alone is set: everywhere else still offers everything (as the library says).
    page = anna.get("/catalog/").content.decode()
    assert "nergens" not in page and "Utrecht, alle overige gemeenten" in page
    assert (
        page.count("<strong>Aangeboden in:</strong> alle overige gemeenten<")
        == len(engine.catalog().approaches) - 1
    )
    admin.post("/catalog/", {"offered": ["fip", "app"]})
    assert sorted(OfferedApproach.objects.values_list("area", "approach_id")) == [
        ("", "app"),
        ("", "fip"),
        ("Utrecht", "fip"),
    ]
    fip, app = (a.name for a in engine.catalog().approaches if a.id in ("fip", "app"))
    names = {a.id: a.name for a in engine.catalog().approaches}
    facts = {"age": "45", "wants_paid_work": "true", "participation_ladder": "3"}
    in_utrecht = _not_offered(anna, annas_client, municipality="utrecht", **facts)
    elsewhere = _not_offered(anna, annas_client, municipality="Zaanstad", **facts)
    assert names["app"] in in_utrecht and names["app"] not in elsewhere
    assert names["fip"] not in in_utrecht and names["fip"] not in elsewhere
    # The catalog page says where each approach is offered, to everyone.
    page = anna.get("/catalog/").content.decode()
    assert "Utrecht, alle overige gemeenten" in page and fip in page and app in page
    assert "<strong>Aangeboden in:</strong> nergens<" in page  # neither FIP nor APP
    # The same municipality in another case is the same list.
    admin.post("/catalog/", {"area": "UTRECHT", "offered": ["fip"]})
    assert OfferedApproach.objects.filter(area__iexact="utrecht").count() == 1
    assert "checked" in admin.get("/catalog/?area=utrecht").content.decode()
    # Ticking nothing for Utrecht removes its own list: it follows the others again.
    admin.post("/catalog/", {"area": "Utrecht"})
    assert not OfferedApproach.objects.filter(area="Utrecht").exists()
    assert names["app"] not in _not_offered(anna, annas_client, municipality="Utrecht", **facts)
    audited = AuditEvent.objects.filter(action="offering-update").values_list("target", flat=True)
    assert list(audited) == ["Utrecht:fip", "*:app,fip", "UTRECHT:fip", "Utrecht:"]


def test_anonymous_visitors_are_sent_to_the_login(client):
    for url in ("/clients/", "/dashboard/", "/catalog/", "/governance/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_deviation_is_shown_per_team_and_withheld_for_a_team_of_one(users, anna, bert):
    for browser in (anna, bert):
        browser.post("/clients/", {"label": "x"})
    from matchkit.web.models import Client

    for c, browser, choice in zip(
        Client.objects.order_by("pk"), (anna, bert), ("__own__", None), strict=True
    ):
        browser.post(f"/clients/{c.pk}/", {"age": "56"})
        page = browser.get(f"/clients/{c.pk}/decide/").content.decode()
        first = page.split('name="choice" value="')[1].split('"')[0]
        browser.post(f"/clients/{c.pk}/decide/", {"choice": choice or first, "reason": "r"})
    from tests.web.conftest import login

    carla = login("carla")
    carla.post("/clients/", {"label": "y"})
    c = Client.objects.latest("pk")
    carla.post(f"/clients/{c.pk}/", {"age": "40"})
    carla.post(f"/clients/{c.pk}/decide/", {"choice": "__own__", "reason": "r"})
    rows = {r["team"]: r for r in deviation_by_team()}
    assert MIN_DECIDERS == 2
    assert rows["noord"]["decisions"] == 2 and rows["noord"]["deviating"] == 1
    assert rows["noord"]["rate"] == 0.5
    assert rows["zuid"]["rate"] is None  # one person: no rate that points at them


def test_the_adviser_gets_the_librarys_caseload_report(adviser, anna, annas_client):
    assert b"Te weinig" in adviser.get("/dashboard/report/").content
    anna.post(f"/clients/{annas_client.pk}/", {"age": "56", "social_skills": "high"})
    page = adviser.get("/dashboard/report/")
    assert page.status_code == 200
    assert b"<html" in page.content and b"Jansen" not in page.content


def test_the_governance_page_exports_json(anna):
    data = anna.get("/governance/?format=json").json()
    for key in ("purpose", "human_intervention", "fields_read", "sources", "risks", "model"):
        assert data[key], key
    assert "gender" in data["sensitive_fields"]["fields"]
    assert "age" in data["fields_read"]


def test_the_governance_page_is_dutch_by_default_and_english_on_request(anna):
    page = anna.get("/governance/").content.decode()
    assert "Menselijke tussenkomst" in page and "Niets wordt automatisch besloten" in page
    assert "leeftijd <code>age</code>" in page and "Human intervention" not in page
    dutch = anna.get("/governance/?format=json").json()
    assert dutch["lang"] == "nl" and dutch["legal_basis"].startswith("Participatiewet; de ")
    page = anna.get("/governance/?lang=en").content.decode()
    assert "Human intervention" in page and "Nothing is decided automatically" in page
    english = anna.get("/governance/?format=json").json()
    assert english["lang"] == "en" and english.keys() == dutch.keys()
    assert english["fields_read"] == dutch["fields_read"]
    assert len(english["risks"]) == len(dutch["risks"]) == 4
