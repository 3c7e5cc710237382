"""Security: CSRF, escaping of hostile text, the login rate limit, no personal data in logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as Browser

from matchkit.web.access import LOGIN_LIMIT
from matchkit.web.models import Client

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_forged_post_without_the_csrf_token_is_rejected(users):
    browser = Browser(enforce_csrf_checks=True)
    browser.login(username="anna", password=PASSWORD)
    response = browser.post("/clients/", {"label": "forged"})
    assert response.status_code == 403
    assert not Client.objects.filter(label="forged").exists()
    # With the token from the page the same post goes through.
    browser.get("/clients/")
    token = browser.cookies["csrftoken"].value
    ok = browser.post("/clients/", {"label": "real", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_the_login_form_is_csrf_protected_too(users):
    browser = Browser(enforce_csrf_checks=True)
    response = browser.post("/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 403


def test_hostile_client_text_is_escaped_everywhere(anna):
    anna.post("/clients/", {"label": HOSTILE})
    c = Client.objects.get()
    anna.post(f"/clients/{c.pk}/", {"age": "56", "municipality": HOSTILE})
    anna.post(f"/clients/{c.pk}/decide/", {"choice": "__own__", "reason": HOSTILE})
    pages = [
        "/clients/",
        f"/clients/{c.pk}/",
        f"/clients/{c.pk}/timeline/",
        f"/clients/{c.pk}/print/",
        f"/clients/{c.pk}/decide/",
    ]
    for url in pages:
        text = anna.get(url).content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert" in text, url


def test_login_is_rate_limited(users):
    browser = Browser()
    for _ in range(LOGIN_LIMIT):
        assert browser.post("/login/", {"username": "anna", "password": "wrong"}).status_code == 401
    # Now even the right password is refused for a while.
    response = browser.post("/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session
    # Another user name from the same address is not locked by anna's failures.
    assert browser.post("/login/", {"username": "bert", "password": PASSWORD}).status_code == 302


def test_logout_is_a_post(anna):
    assert anna.get("/logout/").status_code == 405
    assert anna.post("/logout/").status_code == 302
    assert anna.get("/clients/").status_code == 302


def test_no_personal_data_reaches_the_application_logs(anna, caplog):
    caplog.set_level(logging.DEBUG)
    anna.post("/clients/", {"label": "Pietersen-geheim"})
    c = Client.objects.get()
    anna.post(f"/clients/{c.pk}/", {"age": "61", "municipality": "Geheimstad"})
    anna.get(f"/clients/{c.pk}/print/")
    anna.get(f"/clients/{c.pk + 1000}/")  # a 404 is logged as a warning by Django
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Pietersen" not in logged and "Geheimstad" not in logged
