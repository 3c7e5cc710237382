"""The whole loop in a real browser (Chromium through Playwright), with axe on every page.

Uses the Debian ``chromium`` binary (never ``playwright install``). Without it the test
skips with a loud message. Screenshots go to ``$MATCHKIT_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.errors import OverlapWarning
from matchkit.web import commands, engine
from matchkit.web.models import Client, Decision, OfferedApproach, Outcome

from .conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("MATCHKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an (idle) event loop in this thread; the test's own database
    # calls run between browser steps, never concurrently with them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        message = (
            f"\n{'!' * 70}\nNO CHROMIUM at {CHROMIUM}: the browser test of the web page is "
            f"SKIPPED.\nInstall the Debian package: apt-get install -y chromium\n{'!' * 70}"
        )
        warnings.warn(message, pytest.PytestWarning, stacklevel=1)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _axe(page, name, shots):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
    if shots:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert bad == [], f"{name}: {bad}"


def test_the_whole_loop_in_a_browser(browser, live_server, tmp_path):
    commands.create_user("anna", "case_manager", PASSWORD, team="noord")
    commands.create_user("ada", "adviser", PASSWORD, team="")
    commands.create_user("beheer", "administrator", PASSWORD, team="")
    shots = (
        Path(os.environ["MATCHKIT_SCREENSHOTS"]) if "MATCHKIT_SCREENSHOTS" in os.environ else None
    )
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith((base, "data:")) else None,
    )

    page.goto(f"{base}/login/")
    _axe(page, "01-login", shots)
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/clients/")
    _axe(page, "02-clients", shots)

    page.fill("#id_label", "Mevrouw Jansen")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url("**/clients/*/")
    _axe(page, "03-intake-empty", shots)

    # Facts entered one by one: the shortlist updates through htmx, unknowns are to verify.
    page.select_option("#f-social_skills", "high")  # no age yet: the page asks for it
    page.wait_for_selector("#shortlist .notice")
    page.fill("#f-age", "56")
    page.dispatch_event("#f-age", "change")
    page.wait_for_selector("#shortlist .verify")
    assert "Na te gaan" in page.inner_text("#shortlist")
    page.select_option("#f-wants_paid_work", "true")
    page.wait_for_function(
        "document.querySelector('#shortlist').innerText.includes('past')"
        " || document.querySelectorAll('#shortlist .rec').length > 0"
    )
    _axe(page, "04-intake-shortlist", shots)
    page.goto(page.url + "?lang=en")
    assert "A2 (elementary)" in page.inner_text("#f-dutch_level")
    _axe(page, "04b-intake-en", shots)
    page.goto(page.url.split("?")[0] + "?lang=nl")
    assert "A2 (basis)" in page.inner_text("#f-dutch_level")

    page.click("text=Afdrukken voor het gesprek")
    page.wait_for_url("**/print/")
    page.emulate_media(media="print")
    _axe(page, "05-print", shots)
    page.emulate_media(media="screen")

    page.go_back()
    page.click("text=Besluit vastleggen")
    page.wait_for_url("**/decide/")
    assert page.locator("input[name=choice]:checked").count() == 0
    _axe(page, "06-decide", shots)
    page.check("input[value=__own__]")
    page.fill("#id_reason", "Eerst schulden regelen met de wijkcoach.")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url("**/timeline/")
    assert "Eerst schulden regelen" in page.inner_text("main")
    _axe(page, "07-timeline", shots)

    page.click("text=Uitkomst vastleggen")
    page.wait_for_url("**/outcome/")
    _axe(page, "08-outcome", shots)
    page.check("input[name=paid_work]")
    page.fill("#id_date", "2026-11-30")
    page.click("form.narrow button[type=submit]")
    page.wait_for_url("**/timeline/")
    assert "Betaald werk" in page.inner_text("main")

    page.goto(f"{base}/catalog/")
    _axe(page, "09-catalog", shots)
    page.goto(f"{base}/governance/")
    _axe(page, "10-governance", shots)
    page.goto(f"{base}/clients/?lang=en")
    assert "My clients" in page.inner_text("main")
    page.click("text=Log out")
    page.wait_for_url("**/login/")

    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    _axe(page, "11-dashboard", shots)
    page.click("text=Uitloggen")
    page.wait_for_url("**/login/")

    # The administrator: users, the offering per municipality, governance in English.
    page.fill("#id_username", "beheer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/catalog/")
    page.fill("#id_area", "Utrecht")
    page.click("form.inline button[type=submit]")
    page.wait_for_url("**/catalog/?area=Utrecht")
    page.check("input[name=offered][value=fip]")
    page.click("text=Aanbod opslaan")
    page.wait_for_url("**/catalog/?area=Utrecht")
    assert OfferedApproach.objects.filter(area="Utrecht").count() == 1
    _axe(page, "12-catalog-offering-utrecht", shots)
    page.goto(f"{base}/users/")
    page.fill("#id_new_username", "dirk")
    page.fill("#id_new_password", PASSWORD)
    page.select_option("#id_new_role", "adviser")
    page.fill("#id_new_team", "oost")
    page.click("form.narrow button[type=submit]")
    page.wait_for_selector("text=dirk")
    _axe(page, "13-users", shots)
    page.goto(f"{base}/governance/?lang=en")
    assert "Human intervention" in page.inner_text("main")
    _axe(page, "14-governance-en", shots)
    page.goto(f"{base}/users/?lang=en")
    _axe(page, "15-users-en", shots)
    assert external == []  # no CDN, no call outside the page itself

    # The recorded decision and outcome are a history the library reads.
    out = tmp_path / "history.jsonl"
    assert commands.export(str(out)) == 1
    history = mk.read_history(out, outcomes=list(engine.OUTCOMES), binary=list(engine.OUTCOMES))
    assert history.outcomes["paid_work"].tolist() == [1.0]

    # One decision is too few to learn from: earlier decisions and outcomes of this team,
    # stored through the page's own models, join it, and fit_effects learns from the export.
    seeded = _seed_decisions(SEEDED)
    assert commands.export(str(out)) == SEEDED + 1
    history = mk.read_history(out, outcomes=list(engine.OUTCOMES), binary=list(engine.OUTCOMES))
    browsed = Client.objects.get(label="Mevrouw Jansen").client_id
    assert browsed in set(history.caseload.client_ids)  # the browser's client is in it
    with warnings.catch_warnings():
        # Thin arms and trimmed rows of a small history are told, not fatal.
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        warnings.simplefilter("ignore", OverlapWarning)
        model = mk.fit_effects(history, "paid_work", folds=3, min_participants=20)
    assert model.n_participants_["usual care"] == seeded["usual care"] + 1  # + own choice
    for approach, n in seeded.items():
        if approach != "usual care":
            assert model.n_participants_[approach] == n
    summary = model.summary()
    assert set(summary.index) == set(seeded) - {"usual care"}
    assert np.isfinite(summary["ate"].to_numpy()).all()
    effects = model.effects(history.caseload)
    assert len(effects) == (SEEDED + 1) * len(model.approach_ids_)
    assert np.isfinite(effects["effect"].to_numpy()).all()


SEEDED = 800
"""Earlier decisions seeded for the fit: enough for every arm of the synthetic history."""


def _seed_decisions(n):
    """Store ``n`` earlier clients with a decision and an outcome; return counts per arm.

    The profiles and choices come from ``mk.generate_history``; an outcome is its
    ``exit_12m`` (benefit ended and paid work), so the export carries a real signal.
    """
    from django.contrib.auth.models import User

    owner = User.objects.get(username="anna")
    synthetic = mk.generate_history(n, seed=7)
    frame = synthetic.frame
    counts: dict[str, int] = {}
    for profile, (_, row) in zip(synthetic.caseload.profiles(), frame.iterrows(), strict=True):
        facts = profile.model_dump(mode="json", exclude_none=True)
        facts.pop("client_id")
        client = Client.objects.create(
            owner=owner, label=f"seed {profile.client_id}", profile=facts
        )
        approach = "" if pd.isna(row["approach_id"]) else str(row["approach_id"])
        decision = Decision.objects.create(
            client=client,
            decided_by=owner,
            team="noord",
            approach_id=approach,
            reason="seeded",
            profile=facts,
            shortlist=[],
            catalog_version=engine.catalog_version(),
            offering_version="all",
            model_version=engine.model_version(),
        )
        done = bool(row["exit_12m"])
        Outcome.objects.create(
            decision=decision,
            recorded_by=owner,
            date=row["start_date"],
            benefit_ended=done,
            paid_work=done,
        )
        key = approach or "usual care"
        counts[key] = counts.get(key, 0) + 1
    return counts
