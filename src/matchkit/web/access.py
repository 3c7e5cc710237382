"""Roles, the audit log, the language switch and the login rate limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

from matchkit.web.models import ROLES, AuditEvent
from matchkit.web.texts import LANGS

View = TypeVar("View", bound=Callable[..., HttpResponse])

LOGIN_LIMIT = 5
"""Failed logins allowed per user name and address within :data:`LOGIN_WINDOW` seconds."""
LOGIN_WINDOW = 15 * 60


def role_of(user: Any) -> str:
    """Return the user's role: the first of :data:`ROLES` among their groups ("" if none)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    cached = getattr(user, "_matchkit_role", None)  # the user object lives for one request
    if isinstance(cached, str):
        return cached
    if user.is_superuser:
        role = "administrator"
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((r for r in ROLES if r in names), "")
    user._matchkit_role = role
    return role


def role_context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``role`` of the logged-in user."""
    return {"role": role_of(getattr(request, "user", None))}


def audit(request: HttpRequest, action: str, target: str = "") -> None:
    """Record who did what, when (ids only: no client facts, no labels)."""
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else ""
    AuditEvent.objects.create(
        username=name,
        action=action,
        target=target[:100],
        method=request.method or "",
        path=request.path[:300],
    )


def require_role(*roles: str) -> Callable[[View], View]:
    """Let a logged-in user with one of ``roles`` through; others get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in roles:
                audit(request, "forbidden")
                return HttpResponseForbidden("403")
            return view(request, *args, **kwargs)

        return cast(View, login_required(wrapped))

    return decorate


def _limit_key(request: HttpRequest, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    return f"login-fail:{address}:{username.casefold()[:150]}"


def login_blocked(request: HttpRequest, username: str) -> bool:
    """Whether this address has failed too often for this user name lately."""
    return int(cache.get(_limit_key(request, username), 0)) >= LOGIN_LIMIT


def login_failed(request: HttpRequest, username: str) -> None:
    """Count one failed login for this address and user name."""
    key = _limit_key(request, username)
    if cache.add(key, 1, LOGIN_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, LOGIN_WINDOW)


class LanguageMiddleware:
    """Set ``request.lang``: Dutch by default, ``?lang=en`` switches (kept in the session)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Set the language, then answer the request."""
        asked = request.GET.get("lang")
        if asked in LANGS:
            request.session["lang"] = asked
        lang = request.session.get("lang", "nl")
        request.lang = lang if lang in LANGS else "nl"  # type: ignore[attr-defined]
        return self.get_response(request)
