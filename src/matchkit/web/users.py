"""The administrator's user management: create users, set role and team, (de)activate.

Every change is audited with the user's id (``user-<n>``). A deactivated user cannot log in
and their open sessions stop working; their decisions stay (a decision keeps who made it).
An administrator cannot deactivate themselves or take away their own role, so a page always
has someone who can manage it.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from matchkit.web.access import audit, require_role, role_of
from matchkit.web.models import ROLES, Staff
from matchkit.web.texts import text
from matchkit.web.views import _lang, _user

ADMINISTRATOR = "administrator"
USERNAME = re.compile(r"[\w.@+-]{1,150}")
"""User names as ``matchkit serve --create-user`` allows them."""


def _set_role(user: User, role: str, team: str) -> None:
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    Staff.objects.update_or_create(user=user, defaults={"team": team})


def _read(request: HttpRequest, lang: str) -> tuple[str, str, list[str]]:
    """Return the posted role and team, and what is wrong with them."""
    role = request.POST.get("role", "")
    team = " ".join(request.POST.get("team", "").split())
    errors = []
    if role not in ROLES:
        errors.append(text("err_role", lang))
    if len(team) > 100:
        errors.append(text("err_team", lang))
    return role, team, errors


def _rows() -> list[dict[str, Any]]:
    teams = dict(Staff.objects.values_list("user_id", "team"))
    users = User.objects.order_by("username").prefetch_related("groups")
    rows = []
    for u in users:
        names = {g.name for g in u.groups.all()}
        role = ADMINISTRATOR if u.is_superuser else next((r for r in ROLES if r in names), "")
        rows.append({"u": u, "role": role, "team": teams.get(u.pk, "")})
    return rows


@require_role(ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    """List the users; a POST creates one (name, password of 8 or more, role, team)."""
    lang = _lang(request)
    errors: list[str] = []
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        role, team, errors = _read(request, lang)
        if not USERNAME.fullmatch(username):
            errors.append(text("err_username", lang))
        elif User.objects.filter(username__iexact=username).exists():
            errors.append(text("err_user_exists", lang))
        if len(password) < 8:
            errors.append(text("err_password", lang))
        if not errors:
            with transaction.atomic():
                user = User.objects.create_user(username=username, password=password)
                _set_role(user, role, team)
                audit(request, "user-create", f"user-{user.pk}")
            return redirect("users")
        audit(request, "user-rejected")
    else:
        audit(request, "users-view")
    context = {
        "rows": _rows(),
        "roles": [(r, text(f"role_{r}", lang)) for r in ROLES],
        "errors": errors,
        "me": _user(request).pk,
        "posted": request.POST if errors else {},
    }
    return render(request, "web/users.html", context, status=400 if errors else 200)


@require_role(ADMINISTRATOR)
@require_POST
def user_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a user's role and team, and whether they are active."""
    lang = _lang(request)
    user = get_object_or_404(User, pk=pk)
    role, team, errors = _read(request, lang)
    active = request.POST.get("active") == "on"
    if user.pk == _user(request).pk and (not active or role != ADMINISTRATOR):
        errors.append(text("err_self", lang))
    if errors:
        audit(request, "user-rejected", f"user-{user.pk}")
        context = {
            "rows": _rows(),
            "roles": [(r, text(f"role_{r}", lang)) for r in ROLES],
            "errors": errors,
            "me": _user(request).pk,
            "posted": {},
        }
        return render(request, "web/users.html", context, status=400)
    with transaction.atomic():
        changed = []
        if role != role_of(user) or user.is_superuser:
            changed.append("role")
        _set_role(user, role, team)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
            changed.append("active" if active else "inactive")
        audit(request, "user-update", f"user-{user.pk}:{','.join(changed) or 'team'}")
    return redirect("users")
