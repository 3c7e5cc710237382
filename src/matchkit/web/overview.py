"""Pages beyond one client: the catalog browser, the adviser dashboard and governance."""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

import matchkit as mk
from matchkit.web import engine
from matchkit.web.access import audit, require_role
from matchkit.web.models import Client, Decision, OfferedApproach, Outcome
from matchkit.web.texts import text
from matchkit.web.views import _lang, offered_pairs

ALL_ROLES = ("case_manager", "adviser", "administrator")

MIN_DECIDERS = 2
"""A team's deviation rate is shown only when at least this many people decided in it."""


def _area(raw: str) -> str:
    """Return a municipality or area name as stored: spaces collapsed, at most 100 characters."""
    return " ".join(raw.split())[:100]


def _offered_where(pairs: engine.Offered, approach: mk.Approach, lang: engine.Lang) -> list[str]:
    """Return where an approach is offered, as the library decides it (empty: nowhere).

    A municipality with its own list offers what is ticked there; every other one follows the
    list without a municipality, or, when there is none, the catalog's ``offered_in`` (no
    ``offered_in``: everywhere).
    """
    others = text("area_default", lang)
    own_lists = {area.casefold() for area, _ in pairs if area}
    where = [area for area, a in pairs if area and a == approach.id]
    if any(not area for area, _ in pairs):
        if ("", approach.id) in pairs:
            where.append(others)
    elif approach.offered_in is None:
        where.append(others if own_lists else text("offered_everywhere", lang))
    else:
        where += [m for m in approach.offered_in if m.casefold() not in own_lists]
    return where


@require_role(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def catalog(request: HttpRequest) -> HttpResponse:
    """Show each approach's facts and where it is offered; an administrator sets the offering.

    The offering is set per municipality (``?area=NAME``) or for every municipality without
    its own list (no ``area``). A client's municipality decides which list applies.
    """
    from matchkit.web.access import role_of

    is_admin = role_of(request.user) == "administrator"
    if request.method == "POST":
        if not is_admin:
            audit(request, "forbidden")
            return HttpResponse("403", status=403)
        area = _area(request.POST.get("area", ""))
        ids = set(engine.catalog().ids)
        chosen = sorted({a for a in request.POST.getlist("offered") if a in ids})
        with transaction.atomic():
            # One list per municipality, whatever its case (the library compares so too).
            OfferedApproach.objects.filter(area__iexact=area).delete()
            OfferedApproach.objects.bulk_create(
                OfferedApproach(area=area, approach_id=a) for a in chosen
            )
        audit(request, "offering-update", f"{area or '*'}:{','.join(chosen)}"[:100])
        url = reverse("catalog")
        return redirect(f"{url}?{urlencode({'area': area})}" if area else url)
    audit(request, "catalog-view")
    lang = _lang(request)
    area = _area(request.GET.get("area", ""))
    pairs = offered_pairs()
    own = {a for ar, a in pairs if ar.casefold() == area.casefold()}
    rows = []
    for a in engine.catalog().approaches:
        where = _offered_where(pairs, a, lang)
        rows.append({"a": a, "text": a.describe(lang), "where": where, "explicit": a.id in own})
    context = {
        "rows": rows,
        "is_admin": is_admin,
        "area": area,
        "areas": sorted({ar for ar, _ in pairs if ar}),
    }
    return render(request, "web/catalog.html", context)


def deviation_by_team() -> list[dict[str, Any]]:
    """Return per team: decisions, deviating from rank 1, share; small teams are withheld."""
    teams: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"decisions": 0, "deviating": 0, "people": set()}
    )
    for team, approach, first, user in Decision.objects.values_list(
        "team", "approach_id", "ranked_first", "decided_by_id"
    ):
        row = teams[team or "-"]
        row["decisions"] += 1
        row["deviating"] += int(approach != first)
        row["people"].add(user)
    out = []
    for team, row in sorted(teams.items()):
        shown = len(row["people"]) >= MIN_DECIDERS
        out.append(
            {
                "team": team,
                "decisions": row["decisions"] if shown else None,
                "deviating": row["deviating"] if shown else None,
                "rate": (row["deviating"] / row["decisions"]) if shown else None,
            }
        )
    return out


@require_role("adviser", "administrator")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show aggregates only: counts, outcomes and the deviation rate per team."""
    audit(request, "dashboard-view")
    counts = {
        "clients": Client.objects.count(),
        "decisions": Decision.objects.count(),
        "outcomes": Outcome.objects.count(),
    }
    by_approach = (
        Decision.objects.values("approach_id").annotate(n=Count("id")).order_by("-n", "approach_id")
    )
    names = {a.id: a.name for a in engine.catalog().approaches}
    own = text("own_choice", _lang(request))
    chosen = [(names.get(r["approach_id"]) or own, r["n"]) for r in by_approach]
    context = {"counts": counts, "teams": deviation_by_team(), "chosen": chosen}
    return render(request, "web/dashboard.html", context)


@require_role("adviser", "administrator")
def report(request: HttpRequest) -> HttpResponse:
    """Show the library's caseload report (pools, plan, audit) over every client with an age."""
    audit(request, "report-view")
    lang = _lang(request)
    profiles = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        for client in Client.objects.only("id", "profile"):
            if "age" in client.profile:
                profiles.append(engine.profile_of(client.client_id, client.profile))
    if len(profiles) < 1:
        return render(request, "web/message.html", {"key": "too_few"})
    rec = mk.Recommender(engine.catalog())
    result = rec.recommend_batch(mk.Caseload.from_profiles(profiles))
    pools = mk.candidate_pools(result)
    plan = mk.plan_assignment(result)
    html = mk.render_report(result, pools, plan, lang=lang)
    return HttpResponse(html)


_G: dict[str, tuple[str, str]] = {
    "name": (
        "matchkit — aanpakken bij langdurige bijstand",
        "matchkit — approaches for long-term social assistance",
    ),
    "purpose": (
        "Helpt een klantmanager aanpakken te vinden die passen bij een cliënt in de "
        "langdurige bijstand, legt uit waarom, en legt het eigen besluit van de klantmanager "
        "en de uitkomst ervan vast.",
        "Helps a case manager find approaches (aanpakken) that fit a client on long-term "
        "social assistance, explains why, and records the case manager's own decision "
        "and its outcome.",
    ),
    "status": (
        "in gebruik als hulpmiddel bij een besluit; de klantmanager beslist",
        "in use as a decision aid; the case manager decides",
    ),
    "human_intervention": (
        "Niets wordt automatisch besloten. De klantmanager ziet een gerangschikte, uitgelegde "
        "lijst, kiest een aanpak of 'geen van deze / eigen keuze' (niets is vooraf gekozen) en "
        "moet een reden geven. Afwijken van de volgorde is normaal en wordt per team "
        "bijgehouden, nooit per persoon.",
        "Nothing is decided automatically. The case manager sees a ranked, explained list, "
        "picks an approach or 'none of these / own choice' (nothing is pre-selected) and "
        "must give a reason. Deviating from the ranking is normal and recorded per team, "
        "never per person.",
    ),
    "sensitive_use": (
        "alleen gevraagd voor toetsing; ze tellen in geen score mee, tenzij een aanpak ze in "
        "een regel noemt met een schriftelijke onderbouwing",
        "asked for audits only; they drive no score unless an approach declares "
        "them in a rule with a written justification",
    ),
    "unknown_facts": (
        "een onbekend gegeven telt nooit als 'nee': het staat bij 'na te gaan'",
        "an unknown fact is never read as false: it is listed 'to verify'",
    ),
    "source": ("het rapport", "the report"),
    "model_kind": (
        "regels uit de catalogus plus een gelijkenisscore gewogen naar bewijs; geen geleerde "
        "effecten op deze pagina",
        "rules from the catalog plus an evidence-weighted similarity score; "
        "no learned effects in this page",
    ),
    "risk_follow": (
        "Een rangorde kan zonder nadenken gevolgd worden: de pagina vraagt bij elk besluit een "
        "reden en toont adviseurs het aandeel afwijkingen per team.",
        "A ranking can be followed without thought: the page asks a reason for every "
        "decision and shows deviation rates per team to advisers.",
    ),
    "risk_unequal": (
        "Ongelijke behandeling: gevoelige kenmerken blijven buiten de scores; de evaluatie van "
        "de bibliotheek toetst uitkomsten per groep.",
        "Unequal treatment: sensitive attributes are kept out of scores; the library's "
        "evaluation audits outcomes by group.",
    ),
    "risk_stale": (
        "Verouderde gegevens: elk besluit bewaart het profiel zoals het was en de gebruikte "
        "versies.",
        "Stale facts: every decision stores the profile as it was and the versions used.",
    ),
    "risk_privacy": (
        "Privacy: cliënten worden na de bewaartermijn verwijderd; het auditlogboek en de "
        "applicatielogs bevatten kenmerken (ids), nooit gegevens of namen.",
        "Privacy: clients are purged after the retention period; the audit log and the "
        "application logs hold ids, never facts or names.",
    ),
    "kept_client": (
        "een naam of kenmerk gekozen door de klantmanager en de ingevulde gegevens",
        "a label chosen by the case manager and the profile facts entered",
    ),
    "kept_decision": (
        "het profiel zoals het was, de getoonde lijst, keuze, reden, versies",
        "profile as it was, the list shown, choice, reason, versions",
    ),
    "kept_outcome": (
        "uitkering beëindigd, betaald werk, stap op de ladder, uitgevallen, datum",
        "benefit ended, paid work, ladder step up, dropped out, date",
    ),
    "kept_audit": ("gebruikersnaam, actie, id, tijdstip", "user name, action, target id, time"),
    "legal_basis": (
        "Participatiewet; de gemeente legt haar eigen grondslag vast",
        "Participatiewet; the municipality records its own legal basis",
    ),
}
"""The governance page's texts in Dutch and English (the keys of the JSON stay English)."""

GOVERNANCE_HEADINGS: dict[str, tuple[str, str]] = {
    "name": ("Naam", "Name"),
    "purpose": ("Doel", "Purpose"),
    "status": ("Status", "Status"),
    "human_intervention": ("Menselijke tussenkomst", "Human intervention"),
    "fields_read": ("Gegevens die gelezen worden", "Fields read"),
    "sensitive_fields": ("Gevoelige gegevens", "Sensitive fields"),
    "unknown_facts": ("Onbekende gegevens", "Unknown facts"),
    "sources": ("Bronnen", "Sources"),
    "model": ("Model", "Model"),
    "risks": ("Risico's", "Risks"),
    "data_kept": ("Bewaarde gegevens", "Data kept"),
    "legal_basis": ("Wettelijke grondslag", "Legal basis"),
}
"""Headings of the governance page, per key of :func:`governance_data`."""


def governance_data(lang: engine.Lang = "en") -> dict[str, Any]:
    """Return what the Dutch Algoritmeregister asks for, from the catalog and the model.

    Parameters
    ----------
    lang : {"nl", "en"}
        The language of the texts; the keys, ids and field names are the same in both.
    """
    i = 0 if lang == "nl" else 1
    g = {k: v[i] for k, v in _G.items()}
    cat = engine.catalog()
    fields = [f.name for f in engine.form_fields()]
    sensitive = sorted(
        {r.id for a in cat.approaches for r in a.sensitive_rules},
    )
    return {
        "lang": lang,
        "name": g["name"],
        "purpose": g["purpose"],
        "status": g["status"],
        "human_intervention": g["human_intervention"],
        "fields_read": fields,
        "field_labels": [f.labels[lang] for f in engine.form_fields()],
        "sensitive_fields": {
            "fields": ["gender", "migration_background"],
            "use": g["sensitive_use"],
            "rules_using_them": sensitive,
        },
        "unknown_facts": g["unknown_facts"],
        "sources": [f"{a.name}: {g['source']}, {a.source}" for a in cat.approaches],
        "approaches": [{"id": a.id, "name": a.name} for a in cat.approaches],
        "model": {
            "kind": g["model_kind"],
            "version": engine.model_version(),
            "catalog_version": engine.catalog_version(),
        },
        "risks": [g["risk_follow"], g["risk_unequal"], g["risk_stale"], g["risk_privacy"]],
        "data_kept": {
            "client": g["kept_client"],
            "decision": g["kept_decision"],
            "outcome": g["kept_outcome"],
            "audit": g["kept_audit"],
        },
        "legal_basis": g["legal_basis"],
    }


@require_role(*ALL_ROLES)
def governance(request: HttpRequest) -> HttpResponse:
    """Show the governance page in the page's language; ``?format=json`` exports it as JSON."""
    audit(request, "governance-view")
    lang = _lang(request)
    data = governance_data(lang)
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    i = 0 if lang == "nl" else 1
    headings = {k: v[i] for k, v in GOVERNANCE_HEADINGS.items()}
    fields = list(zip(data["field_labels"], data["fields_read"], strict=True))
    context = {"g": data, "h": headings, "fields": fields}
    return render(request, "web/governance.html", context)
