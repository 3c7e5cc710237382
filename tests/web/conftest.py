"""Fixtures of the web tests: users of each role, logged-in clients, a client with facts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client as Browser

from matchkit.web import commands
from matchkit.web.models import Client

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The served page hashes with PBKDF2; tests need no slow hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The login limiter counts in the cache; every test starts with none counted.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users(db):
    commands.create_user("anna", "case_manager", PASSWORD, team="noord")
    commands.create_user("bert", "case_manager", PASSWORD, team="noord")
    commands.create_user("carla", "case_manager", PASSWORD, team="zuid")
    commands.create_user("ada", "adviser", PASSWORD)
    commands.create_user("root", "administrator", PASSWORD)


def login(name: str, **kw: Any) -> Browser:
    browser = Browser(**kw)
    assert browser.login(username=name, password=PASSWORD)
    return browser


@pytest.fixture
def anna(users):
    return login("anna")


@pytest.fixture
def bert(users):
    return login("bert")


@pytest.fixture
def adviser(users):
    return login("ada")


@pytest.fixture
def admin(users):
    return login("root")


@pytest.fixture
def annas_client(anna) -> Client:
    response = anna.post("/clients/", {"label": "Mevrouw Jansen"})
    assert response.status_code == 302
    return Client.objects.get(label="Mevrouw Jansen")
