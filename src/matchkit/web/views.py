"""The case manager's loop: clients, intake with a live shortlist, decision, outcome."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

import matchkit as mk
from matchkit.web import engine
from matchkit.web.access import audit, login_blocked, login_failed, require_role, role_of
from matchkit.web.intake import form_values, read_facts
from matchkit.web.models import Client, Decision, OfferedApproach, Outcome, Staff
from matchkit.web.texts import text

CASE_MANAGER = "case_manager"


def _user(request: HttpRequest) -> User:
    """Return the logged-in user (the views below all require one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _lang(request: HttpRequest) -> engine.Lang:
    return "en" if getattr(request, "lang", "nl") == "en" else "nl"


def offered_pairs() -> engine.Offered:
    """Return the offering the administrator set, as ``(area, approach_id)`` pairs.

    Empty: everything is offered everywhere.
    """
    return tuple(sorted(OfferedApproach.objects.values_list("area", "approach_id")))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in, at most :data:`~matchkit.web.access.LOGIN_LIMIT` failures per quarter hour."""
    error = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        if login_blocked(request, username):
            error, status = text("login_locked", _lang(request)), 429
            audit(request, "login-blocked")
        else:
            user = authenticate(
                request, username=username, password=request.POST.get("password", "")
            )
            if user is None:
                login_failed(request, username)
                error, status = text("login_failed", _lang(request)), 401
                audit(request, "login-failed")
            else:
                lang = _lang(request)
                login(request, user)
                request.session["lang"] = lang
                audit(request, "login")
                return redirect("home")
    return render(request, "web/login.html", {"error": error}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out (a POST, so a link elsewhere cannot log anyone out)."""
    audit(request, "logout")
    logout(request)
    return redirect("login")


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    if not request.user.is_authenticated:
        return redirect("login")
    role = role_of(request.user)
    if role == "adviser":
        return redirect("dashboard")
    if role == "administrator":
        return redirect("catalog")
    return redirect("clients")


@require_role(CASE_MANAGER)
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    """List the case manager's own clients; a POST creates one."""
    error = ""
    if request.method == "POST":
        label = request.POST.get("label", "").strip()[:200]
        if label:
            client = Client.objects.create(owner=_user(request), label=label)
            audit(request, "client-create", client.client_id)
            return redirect("intake", pk=client.pk)
        error = text("label", _lang(request))
    audit(request, "clients-view")
    own = Client.objects.filter(owner=_user(request)).order_by("-updated_at")
    return render(request, "web/clients.html", {"clients": own, "error": error})


def _own(request: HttpRequest, pk: int) -> Client:
    """Return the client if it is the user's own; 404 otherwise (no hint that it exists).

    A refused attempt is audited too: who asked for which id, and when.
    """
    client = Client.objects.filter(pk=pk, owner=_user(request)).first()
    if client is None:
        audit(request, "not-found", f"web-{pk}")
        raise Http404
    return client


def _shortlist_context(client: Client, lang: engine.Lang) -> dict[str, Any]:
    facts = client.profile
    if "age" not in facts:
        return {"need_age": True, "ranked": [], "not_offered": [], "ineligible": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        items = engine.shortlist(client.client_id, facts, offered_pairs(), lang)
    return {
        "need_age": False,
        "ranked": [i for i in items if i["rank"] is not None],
        "not_offered": [i for i in items if i["status"] != "ineligible" and not i["offered"]],
        "ineligible": [i for i in items if i["status"] == "ineligible"],
    }


def _form_context(
    client: Client, values: dict[str, Any], errors: dict[str, str], lang: engine.Lang
) -> dict[str, Any]:
    fields = []
    for f in engine.form_fields():
        fields.append(
            {
                "f": f,
                "label": f.labels[lang],
                "choices": f.choice_labels.get(lang, ()),
                "value": values.get(f.name, ""),
                "error": text(f"err_{errors[f.name]}", lang) if f.name in errors else "",
            }
        )
    return {"client": client, "fields": fields}


def _save_facts(client: Client, facts: dict[str, Any]) -> str:
    """Store the facts if they make a valid profile; return the problem otherwise.

    Facts equal to the stored ones are not written again.
    """
    if "age" in facts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", mk.DataQualityWarning)
                engine.profile_of(client.client_id, facts)
        except (ValidationError, ValueError) as exc:
            errors = getattr(exc, "errors", None)
            if callable(errors):
                return "; ".join(str(e.get("msg", "")) for e in errors())
            return str(exc)
    if facts != client.profile:
        client.profile = facts
        client.save(update_fields=["profile", "updated_at"])
    return ""


@require_role(CASE_MANAGER)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the intake form; every answer starts as "onbekend". A POST saves the known facts."""
    client = _own(request, pk)
    lang = _lang(request)
    errors: dict[str, str] = {}
    problem = ""
    values = form_values(client.profile)
    if request.method == "POST":
        facts, errors = read_facts(request.POST)
        with transaction.atomic():  # the change and its audit row: one commit
            problem = _save_facts(client, facts) if not errors else ""
            audit(
                request,
                "profile-update" if not (errors or problem) else "profile-rejected",
                client.client_id,
            )
        values = form_values(facts) if (errors or problem) else form_values(client.profile)
    else:
        audit(request, "intake-view", client.client_id)
    context = _shortlist_context(client, lang)
    context["problem"] = problem
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        if errors:  # named beside the shortlist; a full post marks them at their fields
            labels = {f.name: f.labels[lang] for f in engine.form_fields()}
            context["problem"] = "; ".join(
                f"{labels[n]}: {text(f'err_{c}', lang)}" for n, c in errors.items()
            )
        return render(request, "web/_shortlist.html", context)
    context.update(_form_context(client, values, errors, lang))
    return render(request, "web/intake.html", context)


@require_role(CASE_MANAGER)
def print_reasons(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the reasons on one printable page, for the conversation with the client."""
    client = _own(request, pk)
    audit(request, "print-view", client.client_id)
    context = {"client": client, **_shortlist_context(client, _lang(request))}
    return render(request, "web/print.html", context)


@require_role(CASE_MANAGER)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision: one approach or own choice, nothing pre-selected, a reason required."""
    client = _own(request, pk)
    lang = _lang(request)
    context: dict[str, Any] = {"client": client, **_shortlist_context(client, lang)}
    if context["need_age"]:
        return redirect("intake", pk=client.pk)
    listed = context["ranked"] + context["not_offered"]
    errors: list[str] = []
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        reason = request.POST.get("reason", "").strip()
        valid = {i["approach_id"] for i in listed} | {"__own__"}
        if choice not in valid:
            errors.append(text("choose_one", lang))
        if not reason:
            errors.append(text("reason_required", lang))
        if not errors:
            offered = offered_pairs()
            with transaction.atomic():
                staff = Staff.objects.filter(user=_user(request)).first()
                decision = Decision.objects.create(
                    client=client,
                    decided_by=_user(request),
                    team=staff.team if staff else "",
                    approach_id="" if choice == "__own__" else choice,
                    reason=reason[:2000],
                    profile=client.profile,
                    shortlist=listed,
                    ranked_first=context["ranked"][0]["approach_id"] if context["ranked"] else "",
                    catalog_version=engine.catalog_version(),
                    offering_version=engine.offering_version(offered),
                    model_version=engine.model_version(),
                )
                client.save(update_fields=["updated_at"])  # retention counts from here
                audit(request, "decision-create", f"{client.client_id}/d{decision.pk}")
            return redirect("timeline", pk=client.pk)
        context["reason"] = reason
        context["choice"] = choice
    else:
        audit(request, "decide-view", client.client_id)
    context["errors"] = errors
    return render(request, "web/decide.html", context, status=400 if errors else 200)


@require_role(CASE_MANAGER)
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the client's decisions and outcomes, newest first."""
    client = _own(request, pk)
    audit(request, "timeline-view", client.client_id)
    decisions = client.decisions.order_by("-created_at").prefetch_related("outcomes")
    names = {a.id: a.name for a in engine.catalog().approaches}
    rows = [{"d": d, "name": names.get(d.approach_id, "")} for d in decisions]
    return render(request, "web/timeline.html", {"client": client, "rows": rows})


@require_role(CASE_MANAGER)
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    """Record what happened after a decision, with a date."""
    client = _own(request, pk)
    decision = get_object_or_404(Decision, pk=decision_pk, client=client)
    error = ""
    if request.method == "POST":
        try:
            date = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            error = text("date", _lang(request))
        else:
            Outcome.objects.create(
                decision=decision,
                recorded_by=_user(request),
                date=date,
                **{k: request.POST.get(k) == "on" for k in engine.OUTCOMES},
            )
            client.save(update_fields=["updated_at"])
            audit(request, "outcome-create", f"{client.client_id}/d{decision.pk}")
            return HttpResponseRedirect(reverse("timeline", kwargs={"pk": client.pk}))
    else:
        audit(request, "outcome-view", f"{client.client_id}/d{decision.pk}")
    context = {
        "client": client,
        "decision": decision,
        "error": error,
        "today": dt.date.today().isoformat(),
        "boxes": [(k, text(k, _lang(request))) for k in engine.OUTCOMES],
    }
    return render(request, "web/outcome.html", context, status=400 if error else 200)
