"""The administrator's user page: create, set role and team, deactivate; all audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as Browser

from matchkit.web.access import role_of
from matchkit.web.models import AuditEvent, Staff

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_only_administrators_reach_the_user_page(anna, adviser, admin):
    assert anna.get("/users/").status_code == 403
    assert adviser.get("/users/").status_code == 403
    assert anna.post("/users/", {"username": "x", "password": PASSWORD}).status_code == 403
    page = admin.get("/users/").content.decode()
    assert "Gebruikers" in page and "anna" in page and "klantmanager" in page


def test_an_administrator_creates_a_user_who_can_log_in(admin):
    new = {"username": "dirk", "password": PASSWORD, "role": "adviser", "team": "oost"}
    assert admin.post("/users/", new).status_code == 302
    dirk = User.objects.get(username="dirk")
    assert role_of(dirk) == "adviser" and Staff.objects.get(user=dirk).team == "oost"
    assert login("dirk").get("/dashboard/").status_code == 200
    event = AuditEvent.objects.get(action="user-create")
    assert event.username == "root" and event.target == f"user-{dirk.pk}"


@pytest.mark.parametrize(
    ("posted", "said"),
    [
        ({"username": "anna"}, "bestaat al"),
        ({"username": "ANNA"}, "bestaat al"),
        ({"username": "with space"}, "gebruikersnaam"),
        ({"password": "short"}, "minstens 8 tekens"),
        ({"role": "boss"}, "Kies een rol"),
        ({"team": "t" * 101}, "hoogstens 100"),
    ],
)
def test_bad_new_users_are_refused_with_the_reason(admin, posted, said):
    before = User.objects.count()
    response = admin.post(
        "/users/", {"username": "eva", "password": PASSWORD, "role": "adviser", **posted}
    )
    assert response.status_code == 400 and said in response.content.decode()
    assert User.objects.count() == before


def test_deactivated_users_cannot_log_in_and_lose_their_session(admin, anna):
    annas = User.objects.get(username="anna")
    assert anna.get("/clients/").status_code == 200
    form = {"role": "case_manager", "team": "west"}  # no "active": the box is unticked
    assert admin.post(f"/users/{annas.pk}/", form).status_code == 302
    annas.refresh_from_db()
    assert not annas.is_active and Staff.objects.get(user=annas).team == "west"
    assert anna.get("/clients/").status_code == 302  # back to the login page
    assert not Browser().login(username="anna", password=PASSWORD)
    assert AuditEvent.objects.get(action="user-update").target == f"user-{annas.pk}:inactive"
    # Active again, now an adviser.
    admin.post(f"/users/{annas.pk}/", {"role": "adviser", "team": "", "active": "on"})
    annas = User.objects.get(pk=annas.pk)
    assert annas.is_active and role_of(annas) == "adviser"


def test_an_administrator_cannot_lock_themselves_out(admin):
    root = User.objects.get(username="root")
    for form in ({"role": "administrator"}, {"role": "adviser", "active": "on"}):
        response = admin.post(f"/users/{root.pk}/", form)
        assert response.status_code == 400 and "uzelf" in response.content.decode()
    root.refresh_from_db()
    assert root.is_active and role_of(root) == "administrator"


def test_user_page_escapes_and_is_english_on_request(admin):
    posted = {"username": "x<b>", "password": PASSWORD, "role": "adviser", "team": "<i>t</i>"}
    page = admin.post("/users/", posted).content.decode()
    assert "x&lt;b&gt;" in page and "&lt;i&gt;t&lt;/i&gt;" in page
    assert "<b>" not in page and "<i>" not in page
    page = admin.get("/users/?lang=en").content.decode()
    assert "Users" in page and "case manager" in page
