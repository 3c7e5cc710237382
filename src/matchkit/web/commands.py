"""What ``matchkit serve`` and ``matchkit decisions`` do (the CLI imports this lazily)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from pathlib import Path
from typing import IO, Any

from matchkit.errors import ParameterError


def check_options(
    *,
    db: str | None = None,
    data_dir: str | None = None,
    host: str | None = None,
    username: str | None = None,
    team: str | None = None,
    out: str | None = None,
) -> None:
    """Check the command's options before anything starts; raise ParameterError naming one."""
    from matchkit.web.config import database_from_url

    if db is not None:
        database_from_url(db)
    if data_dir is not None and Path(data_dir).exists() and not Path(data_dir).is_dir():
        raise ParameterError(f"data_dir={data_dir!r} is not allowed; expected a directory")
    if host is not None and host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ParameterError(
                f"host={host!r} is not allowed; expected an IP address or localhost"
            ) from None
    if username is not None and not re.fullmatch(r"[\w.@+-]{1,150}", username):
        raise ParameterError(
            f"create_user={username!r} is not allowed; expected up to 150 letters, digits "
            "and . @ + - _"
        )
    if team is not None and len(team) > 100:
        raise ParameterError(f"team={team[:20]!r}...: expected at most 100 characters")
    if out is not None and Path(out).suffix not in (".jsonl", ".csv", ".parquet"):
        raise ParameterError(
            f"out={out!r} is not allowed; expected a .jsonl, .csv or .parquet file"
        )


def setup(db: str | None = None, data_dir: str | None = None, serving: bool = False) -> None:
    """Point the settings at ``db`` and ``data_dir``, start Django and migrate the database.

    ``serving``: for :func:`serve`, whose processes share a file cache in ``data_dir``.
    """
    if serving:
        os.environ["MATCHKIT_SHARED_CACHE"] = "1"
    if data_dir:
        os.environ["MATCHKIT_DATA_DIR"] = str(Path(data_dir).resolve())
    if db:
        os.environ["MATCHKIT_DB"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchkit.web.settings")
    from matchkit.web.settings import DATA_DIR, ensure_secret_key

    ensure_secret_key(DATA_DIR)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def create_user(username: str, role: str, password: str, team: str = "") -> None:
    """Create (or update) a user with one role: case_manager, adviser or administrator."""
    from django.contrib.auth.models import Group, User

    from matchkit.web.models import ROLES, Staff

    if role not in ROLES:
        raise ParameterError(f"role={role!r} is not allowed; expected one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ParameterError("password: expected at least 8 characters")
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    Staff.objects.update_or_create(user=user, defaults={"team": team})


def make_server(host: str, port: int) -> Any:
    """Return a threaded WSGI server of the page bound to ``host:port`` (0: any free port).

    One process: for tests and a quick look. ``matchkit serve`` runs :func:`serve`.
    """
    import socketserver

    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    from matchkit.web.wsgi import application

    class QuietHandler(WSGIRequestHandler):
        """Log no request lines: a URL may be all a log needs to leak."""

        def log_message(self, format: str, *args: Any) -> None:
            return

    # socketserver's default backlog is 5: with more case managers connecting at once, the
    # kernel drops their connections and they retry after 1, 3, 7 seconds.
    server_cls = type(
        "Server", (socketserver.ThreadingMixIn, WSGIServer), {"request_queue_size": 128}
    )
    httpd = server_cls((host, port), QuietHandler)
    httpd.daemon_threads = True
    httpd.set_app(application)
    return httpd


WORKERS = 2
"""Default server processes of ``matchkit serve`` (each holds the catalog and recommender)."""
THREADS = 8
"""Default threads per server process (they wait on the database and the network)."""


def serve(
    port: int, host: str, out: IO[str], workers: int = WORKERS, threads: int = THREADS
) -> None:
    """Serve the page on ``host:port`` with gunicorn until interrupted.

    ``workers`` processes of ``threads`` threads each (gunicorn's ``gthread`` worker). The
    application, the catalog and the recommender are loaded once before the processes are
    forked. No access log is written (a URL may be all a log needs to leak); errors go to
    stderr.
    """
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from matchkit.web import engine
    from matchkit.web.wsgi import application

    engine.warm()
    connections.close_all()  # each process opens its own connection after the fork

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "backlog": 2048,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": True,
        "graceful_timeout": 10,
        "proc_name": "matchkit-web",
    }

    class Server(BaseApplication):  # type: ignore[misc]
        """gunicorn with the page's settings and no configuration file or argv."""

        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    print(
        f"matchkit: serving on http://{host}:{port}/ with {workers} processes x {threads} "
        "threads (Ctrl-C stops)",
        file=out,
        flush=True,
    )
    Server().run()


def history_rows() -> list[dict[str, Any]]:
    """Return per client the latest decision that has an outcome, with that outcome folded.

    Several outcomes of one decision are combined: an outcome counts when any record has it.
    """
    from matchkit.web.engine import OUTCOMES
    from matchkit.web.models import Decision

    latest: dict[int, dict[str, Any]] = {}
    decisions = Decision.objects.filter(outcomes__isnull=False).distinct().order_by("created_at")
    for d in decisions.prefetch_related("outcomes"):
        outs = list(d.outcomes.all())
        row: dict[str, Any] = {
            "client_id": d.client.client_id,
            "profile": d.profile,
            "approach_id": d.approach_id,
            "start_date": d.created_at.date().isoformat(),
        }
        for name in OUTCOMES:
            row[name] = int(any(getattr(o, name) for o in outs))
        latest[d.client_id] = row
    return list(latest.values())


def export(out_path: str) -> int:
    """Write the decisions with outcomes as a history file; return how many rows."""
    import matchkit as mk
    from matchkit.web.engine import export_history

    rows = history_rows()
    if not rows:
        raise ParameterError("no decision has an outcome yet; there is no history to export")
    history = export_history(rows)
    mk.write_history(history, out_path)
    return len(rows)


def purge(days: int | None) -> int:
    """Delete clients not changed for ``days`` (default: the configured retention period)."""
    from django.conf import settings
    from django.utils import timezone

    from matchkit.web.models import Client

    days = settings.RETENTION_DAYS if days is None else days
    if days < 1:
        raise ParameterError(f"days={days!r} is not allowed; expected 1 or more")
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = Client.objects.filter(updated_at__lt=cutoff)
    count = old.count()
    old.delete()
    return count
