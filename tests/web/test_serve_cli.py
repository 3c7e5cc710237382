"""`matchkit serve` and `matchkit decisions` as a user runs them (subprocesses, so slow)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def _run(*args, env, check=True):
    # From a temporary directory: without --data-dir the signing key goes to ./matchkit-data.
    cmd = [sys.executable, "-m", "matchkit.cli", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=env, check=check, timeout=120, cwd=env["_CWD"]
    )


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, MATCHKIT_PASSWORD="a-long-test-password")
    e.pop("MATCHKIT_DB", None)
    e["_CWD"] = str(tmp_path)
    return e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_creates_users_and_serves_the_login_page(tmp_path, env):
    data = tmp_path / "data"
    out = _run("serve", "--data-dir", str(data), "--create-user", "anna", env=env)
    assert "anna (case_manager) is ready" in out.stdout
    assert (data / "db.sqlite3").exists() and (data / "secret_key").exists()
    bad = _run(
        "serve",
        "--data-dir",
        str(data),
        "--create-user",
        "x",
        env={**env, "MATCHKIT_PASSWORD": "short"},
        check=False,
    )
    assert bad.returncode == 2 and "at least 8 characters" in bad.stderr

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "matchkit.cli",
            "serve",
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.2)
        assert b"Inloggen" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/matchkit/htmx.min.js") as r:
            assert r.status == 200
    finally:
        server.terminate()
        said, _ = server.communicate(timeout=30)
    assert "with 2 processes x 8 threads" in said  # gunicorn, the default of the command


def test_decisions_export_and_purge_commands(tmp_path, env):
    db = f"sqlite:///{tmp_path / 'mk.sqlite3'}"
    empty = _run(
        "decisions", "export", "--db", db, "--out", str(tmp_path / "h.jsonl"), env=env, check=False
    )
    assert empty.returncode == 2 and "no decision has an outcome" in empty.stderr
    purged = _run("decisions", "purge", "--db", db, "--days", "30", env=env)
    assert "purged 0 clients" in purged.stdout
    wrong = _run(
        "decisions", "export", "--db", "mysql://x/y", "--out", "h.jsonl", env=env, check=False
    )
    assert wrong.returncode == 2 and "sqlite:///" in wrong.stderr
