"""Reading the database URL, without side effects (the settings module reads the environment).

``matchkit serve`` checks its options with this before the settings are imported.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from matchkit.errors import ParameterError

# A server thread keeps its connection for a minute instead of opening one per request
# (a PostgreSQL connection is a new server process; an SQLite one reruns the PRAGMAs), and
# checks it is still alive before reusing it.
_PERSISTENT: dict[str, Any] = {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


def database_from_url(url: str) -> dict[str, Any]:
    """Return Django's DATABASES entry for a ``sqlite:///`` or ``postgresql://`` URL.

    Examples
    --------
    >>> database_from_url("postgresql://mk:pw@127.0.0.1:5433/matchkit")["PORT"]
    '5433'
    >>> database_from_url("sqlite:///tmp/x.sqlite3")["NAME"]
    '/tmp/x.sqlite3'
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parts.path),
            # Several case managers at once: readers do not wait for a writer (WAL), and a
            # writer waits its turn instead of failing with "database is locked".
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            **_PERSISTENT,
        }
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            **_PERSISTENT,
        }
    raise ParameterError(
        f"db={url!r} is not allowed; expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME"
    )
