"""Load on the web page: concurrent case managers updating shortlists, against localhost only.

Starts ``matchkit serve`` in a subprocess on a free local port with a fresh data directory
(SQLite by default, or ``--db postgresql://...``), creates ``--users`` case managers, logs
each in, creates one client each, then every case manager posts ``--updates`` intake changes
(the htmx shortlist update), all at once, with a think time between answers (``--think``,
default about 1 s, as a person choosing the next answer; ``--think 0`` is a stress run).
Bounded: a fixed number of requests, a per-request timeout and an overall deadline; the
server is stopped at the end. Prints p50/p95/max of the shortlist updates, the error count
and the load average; speed is reported here, never asserted in a test.

    .venv/bin/python benchmarks/web_load.py                 # 50 users x 20 updates
    .venv/bin/python benchmarks/web_load.py --users 5 --updates 3   # a quick look
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "load-test-password"
FACTS = [
    ("age", lambda r: str(r.randint(25, 64))),
    ("participation_ladder", lambda r: str(r.randint(1, 6))),
    ("wants_paid_work", lambda r: r.choice(["true", "false", ""])),
    ("motivation", lambda r: r.choice(["low", "medium", "high", ""])),
    ("social_skills", lambda r: r.choice(["low", "medium", "high", ""])),
    ("months_on_assistance", lambda r: str(r.randint(0, 120))),
    ("dutch_level", lambda r: r.choice(["A1", "A2", "B1", "B2", ""])),
    ("zrm_finances", lambda r: str(r.randint(1, 3))),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CaseManager:
    """One simulated case manager with their own session."""

    def __init__(self, base: str, name: str, timeout: float) -> None:
        self.base, self.name, self.timeout = base, name, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.client_url = ""

    def _csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def _post(self, path: str, data: dict[str, str], headers: dict[str, str] | None = None):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        return self.opener.open(req, timeout=self.timeout)

    def start(self) -> None:
        self.opener.open(self.base + "/login/", timeout=self.timeout).read()
        self._post("/login/", {"username": self.name, "password": PASSWORD}).read()
        response = self._post("/clients/", {"label": f"load client of {self.name}"})
        response.read()
        self.client_url = urllib.parse.urlsplit(response.geturl()).path

    def update(self, facts: dict[str, str]) -> float:
        t0 = time.perf_counter()
        with self._post(self.client_url, facts, {"HX-Request": "true"}) as r:
            r.read()
            if r.status != 200:
                raise RuntimeError(f"status {r.status}")
        return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--updates", type=int, default=20, help="shortlist updates per user")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a case manager takes between two answers (uniform 0..2x; 0: none)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--db", help="a database URL (default: SQLite in a temp directory)")
    parser.add_argument("--deadline", type=float, default=600, help="seconds for the whole run")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    args = parser.parse_args()

    load_before = os.getloadavg()
    data = Path(tempfile.mkdtemp(prefix="matchkit-load-"))
    env = dict(os.environ, MATCHKIT_DATA_DIR=str(data))
    if args.db:
        env["MATCHKIT_DB"] = args.db
    os.environ.update(env)
    from matchkit.web import commands

    commands.setup(db=args.db, data_dir=str(data))
    names = [f"cm{i:02d}" for i in range(args.users)]
    for name in names:
        commands.create_user(name, "case_manager", PASSWORD, team=f"team{int(name[2:]) % 5}")

    port = _free_port()
    cmd = [sys.executable, "-m", "matchkit.cli", "serve", "--data-dir", str(data)]
    server = subprocess.Popen(
        [*cmd, "--port", str(port), "--workers", str(args.workers), "--threads", str(args.threads)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + args.deadline
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        managers = [CaseManager(base, n, args.timeout) for n in names]
        setup_errors: list[str] = []

        # Logging in (a deliberately slow password hash) is not what is measured: at most
        # four case managers log in at a time, as they would arrive over a morning.
        gate = threading.Semaphore(4)

        def start(m: CaseManager) -> None:
            try:
                with gate:
                    m.start()
            except (OSError, urllib.error.URLError, StopIteration) as exc:
                setup_errors.append(f"{m.name}: {exc!r}")

        threads = [threading.Thread(target=start, args=(m,)) for m in managers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ready = [m for m in managers if m.client_url]
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(ready))

        def run(m: CaseManager, seed: int) -> None:
            rng = random.Random(seed)
            facts: dict[str, str] = {}
            barrier.wait()
            for i in range(args.updates):
                if time.monotonic() > deadline:
                    with lock:
                        errors.append(f"{m.name}: deadline")
                    return
                if args.think > 0:
                    time.sleep(rng.uniform(0, 2 * args.think))
                name, value = FACTS[i % len(FACTS)]
                facts[name] = value(rng)
                try:
                    took = m.update(facts)
                except (OSError, RuntimeError, urllib.error.URLError) as exc:
                    with lock:
                        errors.append(f"{m.name}: {exc!r}")
                    continue
                with lock:
                    latencies.append(took)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=run, args=(m, i)) for i, m in enumerate(ready)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.communicate(timeout=30)

    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)] if ms else float("nan")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"load average before: {load_before}; after: {os.getloadavg()}")
    print(f"think time: uniform 0..{2 * args.think:g} s between updates")
    print(
        f"database: {args.db or 'sqlite (WAL)'}; server: matchkit serve (gunicorn, "
        f"{args.workers} processes x {args.threads} threads)"
    )
    print(f"case managers: {len(ready)} of {args.users} started; setup errors: {len(setup_errors)}")
    print(f"shortlist updates: {len(ms)} in {wall:.1f} s ({len(ms) / wall:.1f}/s)")
    if ms:
        print(f"latency ms: p50 {statistics.median(ms):.0f}, p95 {p95:.0f}, max {ms[-1]:.0f}")
    print(f"errors: {len(errors) + len(setup_errors)}")
    for e in (setup_errors + errors)[:5]:
        print("  ", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
