"""Speed and memory harness for matchkit (``make bench``; results in benchmarks/README.md).

    python benchmarks/run.py [--quick] [--sizes 100 1000 10000] [--parts 1 2 3 4]

1. batch   ``Recommender.recommend_batch`` against two baselines run in the same process
           (``benchmarks/baselines.py``): the single-client API in a loop and a row-by-row
           pandas implementation. Both baselines are checked to give the batch's statuses
           and scores before any ratio is printed.
2. scale   1,000,000 clients x the built-in catalog and 100,000 x ``generate_catalog(200)``:
           time and memory, each case in a fresh subprocess.
3. synth   ``generate_caseload`` at 100k and 1M: time and memory, fresh subprocess each.
4. assign  optimal vs greedy assignment (``matchkit.planning``), skipped when it is missing.
5. one     one client through ``Recommender.recommend`` (the batch path with one client):
           p50 and p90 over many calls, each example client, checked against its row of the
           batch result; and the Dutch text of ``recommend --lang nl`` for a caseload.
6. floors  the whole pipeline (command line and library) at 1M clients, a 9,999-approach
           catalog and a 100k x 25 assignment, each figure beside its floor measured in the
           same run (``benchmarks/floors.py``); sizes with ``--floors-*``.

Every time is the best of several runs (the machine may be shared); ``best of k`` says how
many. ``--quick`` runs tiny sizes only, parts 2-3 in-process (used by the smoke test).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from baselines import per_client_loop, rowwise_recommend
from floors import QUICK, Sizes, part_floors, report

import matchkit as mk
from matchkit.cli import write_recommendations
from matchkit.synth._catalog import generate_catalog

MIB = 1024 * 1024
REPO = Path(__file__).resolve().parents[1]
SCALE_CASES = ((1_000_000, "builtin"), (100_000, "generated-200"))
SYNTH_SIZES = (100_000, 1_000_000)
ASSIGN_CLIENTS, ASSIGN_APPROACHES, ASSIGN_CAPACITY_SHARE = 100_000, 25, 0.02
SEED = 1


# --- measuring ------------------------------------------------------------------------------


def best_of(
    fn: Callable[[], Any], repeats: int, budget: float = float("inf")
) -> tuple[float, int, Any]:
    """Run ``fn`` up to ``repeats`` times (stopping early past ``budget`` seconds in all).

    Returns the best wall time, the number of runs and the last result. The garbage of the
    previous run is collected before each run; the collector stays on while timing, as it
    would be in user code.
    """
    best, runs, spent, result = float("inf"), 0, 0.0, None
    while runs < repeats and (runs == 0 or spent + best <= budget):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, runs, spent = min(best, elapsed), runs + 1, spent + elapsed
    return best, runs, result


def maxrss_mib() -> float:
    """``ru_maxrss``: the peak resident set so far (Linux reports it in KiB).

    Linux carries this high-water mark across fork and exec, so in a worker started by a
    large harness process it starts at the harness's size; :func:`peak_mib` does not.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mib() -> float:
    """The resident set now (VmRSS)."""
    return _status_mib("VmRSS")


_PEAK_SO_FAR = [0.0]


def reset_peak() -> bool:
    """Start a new peak-RSS window: VmHWM drops to the current RSS (``clear_refs`` 5).

    The peak of the window closed here is kept for :func:`process_peak_mib`. Returns False
    where the kernel does not allow the reset (then windows overlap).
    """
    _PEAK_SO_FAR[0] = max(_PEAK_SO_FAR[0], _status_mib("VmHWM"))
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mib() -> float:
    """Peak resident set (VmHWM) since the last :func:`reset_peak`."""
    return _status_mib("VmHWM")


def process_peak_mib() -> float:
    """Peak resident set of the whole process so far, over every window."""
    return max(_PEAK_SO_FAR[0], peak_mib())


def traced(fn: Callable[[], Any]) -> tuple[float, float]:
    """Peak and still-held memory (MiB) that ``fn`` allocates, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak / MIB, held / MIB


def fresh(caseload: mk.Caseload) -> mk.Caseload:
    # Caseload.columns is cached per object: a new object over the same validated frame
    # makes every timed run build its numeric columns again, as a first call does.
    return mk.Caseload(caseload.frame, _validated=True)


def catalog_for(name: str) -> mk.Catalog:
    if name == "builtin":
        return mk.load_catalog()
    if name.startswith("generated-"):
        return generate_catalog(int(name.split("-")[1]), seed=1)
    raise ValueError(f"catalog={name!r}: expected builtin or generated-<n>")


# --- formatting -----------------------------------------------------------------------------


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        ms = seconds * 1e3
        return f"{ms:.3g} ms" if ms >= 1 else f"{ms:.2f} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_best(seconds: float | None, runs: int | None) -> str:
    return "-" if seconds is None else f"{fmt_time(seconds)} ({runs})"


def fmt_mib(mib: float | None) -> str:
    if mib is None:
        return "-"
    return f"{mib:.1f} MiB" if mib < 10 else f"{mib:,.0f} MiB"


def fmt_ratio(num: float | None, den: float) -> str:
    return "-" if num is None else f"{num / den:,.0f}x" if num / den >= 10 else f"{num / den:.1f}x"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join((first, *rest)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def say(text: str = "") -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


def machine() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import pyarrow
    import scipy

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        ).stdout.strip()
    except OSError:
        head = ""
    return [
        f"date        {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine     nproc={os.cpu_count()}, {cpu}, RAM {mem}, {platform.system()} "
        f"{platform.release()}",
        f"python      {platform.python_version()}; numpy {np.__version__}, pandas "
        f"{pd.__version__}, pyarrow {pyarrow.__version__}, scipy {scipy.__version__}, "
        f"matchkit {mk.__version__}",
        f"load avg    {load} (1, 5, 15 min) at start",
        f"code        git HEAD {head or 'unknown'}, src fingerprint {src_fingerprint()}",
    ]


def src_fingerprint() -> str:
    """A hash of the library's source files, to tell whether they changed during a run."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "src").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- 1. batch vs baselines ------------------------------------------------------------------


def part_batch(
    sizes: Sequence[int], repeats: int, loop_max: int, rowwise_max: int, budget: float
) -> bool:
    say("== 1. recommend_batch vs baselines (7 built-in approaches, same process) ==")
    start = time.perf_counter()
    rec = mk.Recommender(mk.load_catalog())
    setup = time.perf_counter() - start
    say(
        f"setup: Recommender(load_catalog()) {fmt_time(setup)}, once (includes the 20k "
        "reference caseload for specificity)"
    )
    rows, checks, all_ok = [], [], True
    for n in sizes:
        frame = mk.generate_caseload(n, seed=SEED).frame
        progress(f"n={n:,}: batch")
        t_val, r_val, caseload = best_of(lambda f=frame: mk.read_caseload(f), repeats)
        t_rec, r_rec, _ = best_of(lambda c=caseload: rec.recommend_batch(fresh(c)), repeats)
        t_all, r_all, batch = best_of(lambda f=frame: rec.recommend_batch(f), repeats)
        t_loop = r_loop = t_row = r_row = None
        if n <= loop_max:
            progress(f"n={n:,}: per-client loop")
            profiles = list(caseload.profiles())
            t_loop, r_loop, (status, score) = best_of(
                lambda p=profiles: per_client_loop(rec, p), repeats, budget
            )
            ok, text = compare(batch, status, score)
            all_ok &= ok
            checks.append(f"n={n:,} loop    vs batch: {text}")
        if n <= rowwise_max:
            progress(f"n={n:,}: row-wise pandas")
            t_row, r_row, (status, score, states) = best_of(
                lambda f=frame: rowwise_recommend(f, rec), repeats, budget
            )
            ok, text = compare(batch, status, score, states)
            all_ok &= ok
            checks.append(f"n={n:,} rowwise vs batch: {text}")
        rows.append(
            [
                f"{n:,}",
                fmt_best(t_val, r_val),
                fmt_best(t_rec, r_rec),
                fmt_best(t_all, r_all),
                f"{t_all / n * 1e6:.3g}",
                fmt_best(t_loop, r_loop),
                fmt_best(t_row, r_row),
                fmt_ratio(t_loop, t_all),
                fmt_ratio(t_row, t_all),
            ]
        )
    headers = [
        "clients",
        "validate",
        "recommend",
        "batch total",
        "us/client",
        "loop",
        "rowwise",
        "speed-up vs loop",
        "speed-up vs rowwise",
    ]
    say(table(headers, rows))
    say(
        "validate = read_caseload(df); recommend = recommend_batch(validated caseload); batch "
        "total = recommend_batch(df), validation included.\nloop = rec.recommend(p) per "
        "client (profiles built beforehand; renders reasons); rowwise = df.iterrows() with a "
        "per-row\nrule evaluator (benchmarks/baselines.py). speed-up = baseline time / batch "
        "total. (k) = best of k runs; - = not run."
    )
    for line in checks:
        say(f"check {line}")
    verdict = "yes" if all_ok else "NO (the ratios above compare different computations)"
    say(f"baselines agree with batch on every size run: {verdict}")
    return all_ok


def compare(
    batch: mk.BatchResult,
    status: np.ndarray,
    score: np.ndarray,
    states: Sequence[np.ndarray] | None = None,
) -> tuple[bool, str]:
    """Check that a baseline computed what the batch did: same statuses, same scores."""
    same_status = bool(np.array_equal(status, batch.status))
    close = bool(np.allclose(score, batch.score, rtol=1e-12, atol=1e-12))
    diff = float(np.max(np.abs(score - batch.score))) if score.size else 0.0
    parts = [
        f"status {'equal' if same_status else 'DIFFERENT'}",
        f"score {'allclose' if close else 'NOT CLOSE'} (max |diff| {diff:.1e})",
    ]
    ok = same_status and close
    if states is not None:
        same_states = all(
            np.array_equal(a, b) for a, b in zip(states, batch.rule_state, strict=True)
        )
        parts.append(f"rule states {'equal' if same_states else 'DIFFERENT'}")
        ok &= same_states
    return ok, ", ".join(parts)


# --- 2. scale and 3. synth: one fresh process per case ---------------------------------------


def scale_case(n: int, catalog_name: str, repeats: int) -> dict[str, Any]:
    """Generate, validate and recommend ``n`` clients; time and memory of each step."""
    out: dict[str, Any] = {"n": n, "catalog": catalog_name, "rss_start": rss_mib()}
    start = time.perf_counter()
    rec = mk.Recommender(catalog_for(catalog_name))
    out["m"] = len(rec.catalog)
    out["setup"] = time.perf_counter() - start
    out["peak_reset"] = reset_peak()
    start = time.perf_counter()
    frame = mk.generate_caseload(n, seed=SEED).frame
    out["generate"] = time.perf_counter() - start
    out["peak_generate"] = peak_mib()
    reset_peak()
    out["validate"], out["validate_runs"], caseload = best_of(
        lambda f=frame: mk.read_caseload(f), max(1, repeats - 1)
    )
    out["peak_validate"] = peak_mib()
    out["frame_mib"] = float(caseload.frame.memory_usage(deep=True).sum()) / MIB
    del frame  # from here on only the validated caseload, as after reading a file
    gc.collect()
    reset_peak()
    out["rss_before"], out["maxrss_before"] = rss_mib(), maxrss_mib()
    first, _, result = best_of(lambda: rec.recommend_batch(fresh(caseload)), 1)
    out["peak_recommend"], out["maxrss_after"] = peak_mib(), maxrss_mib()
    out["eligible_share"] = float(np.mean(result.status == 2))
    del result
    more, runs, _ = best_of(lambda: rec.recommend_batch(fresh(caseload)), repeats - 1)
    out["recommend"], out["recommend_runs"] = min(first, more), runs + 1
    out["process_peak"] = process_peak_mib()  # before tracemalloc adds its own bookkeeping
    out["step_traced"], out["step_held"] = traced(lambda: rec.recommend_batch(fresh(caseload)))
    return out


def synth_case(n: int, repeats: int) -> dict[str, Any]:
    """Time and memory of ``generate_caseload(n)``."""
    out: dict[str, Any] = {"n": n, "peak_reset": reset_peak()}
    out["rss_before"], out["maxrss_before"] = rss_mib(), maxrss_mib()
    first, _, caseload = best_of(lambda: mk.generate_caseload(n, seed=SEED), 1)
    out["peak_generate"], out["maxrss_after"] = peak_mib(), maxrss_mib()
    out["frame_mib"] = float(caseload.frame.memory_usage(deep=True).sum()) / MIB
    del caseload
    more, runs, _ = best_of(lambda: mk.generate_caseload(n, seed=SEED), repeats - 1)
    out["generate"], out["runs"] = min(first, more), runs + 1
    out["process_peak"] = process_peak_mib()
    out["step_traced"], out["step_held"] = traced(lambda: mk.generate_caseload(n, seed=SEED))
    return out


def in_subprocess(args: list[str]) -> dict[str, Any]:
    """Run this script as a worker in a fresh interpreter; return its result or the error."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"worker exited {proc.returncode}: {tail}"}


MEMORY_NOTE = (
    "peak RSS = VmHWM from /proc/self/status, reset (clear_refs) just before the step: the "
    "true peak resident set while\nthe step ran, everything resident included. ru_maxrss "
    "is the getrusage high-water mark; Linux carries it over\nfork+exec, so in a worker it "
    "can start at the harness process's size. tracemalloc peak/held = what the step\n"
    "allocated through Python and numpy (not Arrow) at its peak / still holds afterwards. "
    "process peak = the largest\nRSS of the worker over the untraced runs."
)


def part_scale(repeats: int, quick: bool) -> None:
    say("== 2. scale: recommend_batch on large caseloads (fresh process per case) ==")
    cases = ((300, "builtin"), (200, "generated-20")) if quick else SCALE_CASES
    results = []
    for n, name in cases:
        progress(f"scale {n:,} x {name}")
        if quick:
            results.append(scale_case(n, name, repeats))
        else:
            results.append(in_subprocess(["scale", str(n), name, str(repeats)]))
    rows_t, rows_step, rows_proc = [], [], []
    for (n, name), r in zip(cases, results, strict=True):
        if "error" in r:
            say(f"{n:,} x {name}: {r['error']}")
            continue
        label = f"{n:,} x {r['m']} ({name})"
        rows_t.append(
            [
                label,
                fmt_time(r["setup"]),
                fmt_time(r["generate"]),
                fmt_best(r["validate"], r["validate_runs"]),
                fmt_best(r["recommend"], r["recommend_runs"]),
                f"{r['recommend'] / (n * r['m']) * 1e9:.3g}",
                f"{r['eligible_share']:.1%}",
            ]
        )
        rows_step.append(
            [
                label,
                fmt_mib(r["rss_before"]),
                fmt_mib(r["peak_recommend"]),
                f"{r['maxrss_before']:,.0f} -> {r['maxrss_after']:,.0f} MiB",
                fmt_mib(r["step_traced"]),
                fmt_mib(r["step_held"]),
            ]
        )
        rows_proc.append(
            [
                label,
                fmt_mib(r["frame_mib"]),
                fmt_mib(r["peak_generate"]),
                fmt_mib(r["peak_validate"]),
                fmt_mib(r["peak_recommend"]),
                fmt_mib(r["process_peak"]),
                "yes" if r["process_peak"] < 2048 else "NO",
            ]
        )
    if not rows_t:
        return
    headers = ["case", "setup", "generate", "validate", "recommend", "ns/pair", "eligible"]
    say(table(headers, rows_t))
    say(
        "setup = Recommender(catalog) incl. specificity on the reference caseload; generate = "
        "generate_caseload(n), once;\nrecommend = recommend_batch(validated caseload), "
        "numeric columns built inside each run; ns/pair = recommend / (clients x\napproaches)"
        "; eligible = share of (client, approach) pairs that are eligible."
    )
    say()
    say("memory of the recommend step (validated caseload in memory, raw DataFrame freed):")
    headers = [
        "case",
        "RSS before",
        "peak RSS in step",
        "ru_maxrss before -> after",
        "tracemalloc peak",
        "held after",
    ]
    say(table(headers, rows_step))
    say()
    say("memory of the whole worker process (target: seconds and under 2 GB):")
    headers = [
        "case",
        "frame (deep)",
        "peak RSS generate",
        "peak RSS validate",
        "peak RSS recommend",
        "process peak",
        "< 2 GiB",
    ]
    say(table(headers, rows_proc))
    say(MEMORY_NOTE)
    if not all(r.get("peak_reset", True) for r in results):
        say("(the peak could not be reset here: each peak RSS includes the earlier steps)")
    if quick:
        say("(--quick: tiny cases run in-process; the memory figures are not meaningful)")


def part_synth(repeats: int, quick: bool) -> None:
    say("== 3. synth: generate_caseload (fresh process per size) ==")
    sizes = (300,) if quick else SYNTH_SIZES
    rows = []
    for n in sizes:
        progress(f"synth {n:,}")
        r = synth_case(n, repeats) if quick else in_subprocess(["synth", str(n), str(repeats)])
        if "error" in r:
            say(f"{n:,}: {r['error']}")
            continue
        rows.append(
            [
                f"{n:,}",
                fmt_best(r["generate"], r["runs"]),
                fmt_mib(r["frame_mib"]),
                fmt_mib(r["rss_before"]),
                fmt_mib(r["peak_generate"]),
                f"{r['maxrss_before']:,.0f} -> {r['maxrss_after']:,.0f} MiB",
                fmt_mib(r["step_traced"]),
                fmt_mib(r["process_peak"]),
            ]
        )
    if not rows:
        return
    headers = [
        "clients",
        "generate",
        "frame (deep)",
        "RSS before",
        "peak RSS",
        "ru_maxrss before -> after",
        "tracemalloc peak",
        "process peak",
    ]
    say(table(headers, rows))
    say("seed 1; the memory columns are around the first call, as in part 2.")
    if quick:
        say("(--quick: in-process; the memory figures are not meaningful)")


# --- 4. assignment --------------------------------------------------------------------------


def part_assign(repeats: int, quick: bool, budget: float) -> None:
    say("== 4. assignment: optimal vs greedy ==")
    if importlib.util.find_spec("matchkit.planning._assignment") is None:
        say("skipped: matchkit.planning._assignment not available")
        return
    module = importlib.import_module("matchkit.planning._assignment")
    if not all(hasattr(module, f) for f in ("assign_optimal", "assign_greedy")):
        say("skipped: matchkit.planning._assignment has no assign_optimal and assign_greedy")
        return
    n = 500 if quick else ASSIGN_CLIENTS
    rec = mk.Recommender(generate_catalog(ASSIGN_APPROACHES, seed=3))
    batch = rec.recommend_batch(mk.generate_caseload(n, seed=SEED))
    score, allowed = batch.score, batch.status == 2
    m = score.shape[1]
    capacity = np.full(m, max(1, round(ASSIGN_CAPACITY_SHARE * n)), dtype=np.int64)
    greedy_kw: dict[str, Any] = {}
    if "compare_optimal" in inspect.signature(module.assign_greedy).parameters:
        greedy_kw["compare_optimal"] = False  # time greedy alone, not greedy + the optimum
    calls = {
        "assign_optimal": lambda: module.assign_optimal(score, allowed, capacity),
        "assign_greedy": lambda: module.assign_greedy(score, allowed, capacity, **greedy_kw),
    }
    rows, totals = [], {}
    for name, call in calls.items():
        progress(f"assign {name}")
        seconds, runs, plan = best_of(call, repeats, budget)
        choice = np.asarray(plan.approach)
        placed = np.flatnonzero(choice >= 0)
        feasible = bool(
            allowed[placed, choice[placed]].all()
            and (np.bincount(choice[placed], minlength=m) <= capacity).all()
        )
        totals[name] = float(score[placed, choice[placed]].sum())
        rows.append(
            [
                name,
                fmt_best(seconds, runs),
                str(getattr(plan, "method", "?")),
                f"{totals[name]:,.3f}",
                f"{placed.size:,}",
                "yes" if feasible else "NO",
            ]
        )
    say(
        f"{n:,} clients x {m} approaches (generate_catalog({m}, seed=3)), capacity "
        f"{capacity[0]:,} per approach ({capacity.sum():,} places), allowed = eligible "
        f"({int(allowed.sum()):,} pairs)"
    )
    say(table(["method", "time", "solver", "total score", "placed", "feasible"], rows))
    opt, greedy = totals["assign_optimal"], totals["assign_greedy"]
    gap = f"{(opt - greedy) / opt:.3%}" if opt > 0 else "-"
    say(f"greedy gap: {opt - greedy:,.3f} = {gap} of the optimal total score")
    say(
        "total score and feasibility recomputed here from the score matrix; greedy timed "
        "with compare_optimal=False."
    )
    if greedy > opt + 1e-9:
        say("WARNING: greedy beat the optimum")


# --- main -----------------------------------------------------------------------------------


def part_one(quick: bool) -> None:
    """One client through ``Recommender.recommend``: latency percentiles, checked vs batch."""
    say("5. one client: Recommender.recommend (through the batch path)")
    rec = mk.Recommender(mk.load_catalog())
    examples = mk.read_caseload(REPO / "profiles" / "examples" / "clients.jsonl")
    profiles = list(examples.profiles())
    batch = rec.recommend_batch(examples)
    for row, p in enumerate(profiles):  # the single path gives the batch's results, exactly
        one = {r.approach_id: r for r in rec.recommend(p, include_ineligible=True)}
        for j, approach_id in enumerate(batch.approach_ids):
            r = one[approach_id]
            assert r.score == batch.score[row, j] and r.status == ["ineligible", "verify",
                "eligible"][batch.status[row, j]], (p.client_id, approach_id)  # fmt: skip
    say(f"check: {len(profiles)} example clients, recommend == their batch rows: yes")
    calls = 50 if quick else 400
    for p in profiles[:3]:
        rec.recommend(p)  # warm
    times = []
    cpu = time.process_time()
    for _ in range(calls):
        for p in profiles:
            t = time.perf_counter()
            rec.recommend(p)
            times.append(time.perf_counter() - t)
    cpu = time.process_time() - cpu
    ms = np.array(times) * 1e3
    rows = [
        [
            f"{len(times):,}",
            f"{np.percentile(ms, 50):.2f} ms",
            f"{np.percentile(ms, 90):.2f} ms",
            f"{ms.min():.2f} ms",
            f"{cpu / len(times) * 1e3:.2f} ms",
        ]
    ]
    # CPU time per call (process_time): what the calls cost this process, less sensitive to
    # waiting for a core on a loaded machine than the wall times.
    say(table(["calls", "p50", "p90", "min", "cpu/call"], rows))
    n = 500 if quick else 50_000
    result = rec.recommend_batch(mk.generate_caseload(n, seed=SEED))
    rows = []
    for _ in range(1 if quick else 3):
        t, c = time.perf_counter(), time.process_time()
        for _ in result.iter_clients(top=3, lang="nl"):
            pass
        explained, explained_cpu = time.perf_counter() - t, time.process_time() - c
        # The whole text of `matchkit recommend --lang nl --top 3` (the table format), into
        # memory: explanations, then the per-client blocks.
        out = io.StringIO()
        t, c = time.perf_counter(), time.process_time()
        write_recommendations(result, out, "table", 3, False, "nl")
        whole, whole_cpu = time.perf_counter() - t, time.process_time() - c
        rows.append(
            [fmt_time(explained), fmt_time(explained_cpu), fmt_time(whole), fmt_time(whole_cpu)]
        )
    say(f"Dutch text (top 3, --lang nl) for {n:,} clients, {len(out.getvalue()):,} characters")
    say("(whole text = iter_clients + the per-client blocks of the table format):")
    say(table(["iter_clients", "cpu", "whole text", "cpu"], rows))


def part_six(args: argparse.Namespace, repeats: int) -> None:
    """The pipeline beside its floors (``benchmarks/floors.py``)."""
    say("== 6. the pipeline beside its floors (same run) ==")
    base = QUICK if args.quick else Sizes()
    sizes = Sizes(
        clients=args.floors_clients or base.clients,
        catalog=args.floors_catalog or base.catalog,
        catalog_clients=args.floors_catalog_clients or base.catalog_clients,
        assign_clients=args.floors_assign_clients or base.assign_clients,
    )
    rows = part_floors(sizes, 1 if args.quick else min(repeats, 2), progress, args.quick)
    headers = ["figure", "time", "floor", "floor time", "ratio", "peak RSS", "note"]
    say(table(headers, report(rows, fmt_time)))
    say(
        "time = best of (k) runs; command-line figures run matchkit in a fresh process "
        "(Python start and import included, see the --help row) and peak RSS is that "
        "process's own; floor = the least work on the same data: kernel = bare numpy pass "
        "of one batch's arithmetic, write_csv = pyarrow.csv.write_csv of the same output "
        "table, read_json = pyarrow.json.read_json of the same file, safe_load = PyYAML on "
        "the same catalog files, HiGHS IPM = scipy linprog(method='highs-ipm') on the same "
        "LP. ratio = time / floor."
    )
    if args.quick:
        say("(--quick: the commands ran in this process: no start-up, no memory figures)")


def worker(args: list[str]) -> None:
    kind, rest = args[0], args[1:]
    if kind == "scale":
        result = scale_case(int(rest[0]), rest[1], int(rest[2]))
    else:
        result = synth_case(int(rest[0]), int(rest[1]))
    print("RESULT " + json.dumps(result), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="matchkit speed and memory benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes only (smoke test)")
    parser.add_argument("--sizes", type=int, nargs="+", help="clients for part 1")
    parser.add_argument(
        "--parts", type=int, nargs="+", choices=(1, 2, 3, 4, 5, 6), default=[1, 2, 3, 4, 5, 6]
    )
    for name, help_text in (
        ("clients", "clients in part 6's pipeline figures"),
        ("catalog", "approaches in part 6's catalog figures (at most 9,999)"),
        ("catalog_clients", "clients recommended against that catalog"),
        ("assign_clients", "clients in part 6's assignment"),
    ):
        parser.add_argument(
            f"--floors-{name.replace('_', '-')}", type=int, default=None, help=help_text
        )
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--loop-max", type=int, default=1_000, help="largest n for the loop")
    parser.add_argument("--rowwise-max", type=int, default=100_000, help="largest n, rowwise")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per baseline before fewer repeats"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.quick:
        sizes, repeats, budget = args.sizes or [50, 200], min(args.repeats, 2), 3.0
    else:
        sizes, repeats, budget = (
            args.sizes or [100, 1_000, 10_000, 100_000],
            args.repeats,
            args.budget,
        )
    if any(n > 500 for n in sizes) and args.quick:
        parser.error("--quick runs at most 500 clients")
    start, fingerprint = time.perf_counter(), src_fingerprint()
    say("matchkit benchmarks" + (" (--quick)" if args.quick else ""))
    for line in machine():
        say(line)
    say()
    ok = True
    if 1 in args.parts:
        ok = part_batch(sizes, repeats, args.loop_max, args.rowwise_max, budget)
        say()
    if 2 in args.parts:
        part_scale(repeats, args.quick)
        say()
    if 3 in args.parts:
        part_synth(repeats, args.quick)
        say()
    if 4 in args.parts:
        part_assign(repeats, args.quick, budget)
        say()
    if 5 in args.parts:
        part_one(args.quick)
        say()
    if 6 in args.parts:
        part_six(args, repeats)
        say()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    say(f"total {fmt_time(time.perf_counter() - start)}; load avg {load} at the end")
    if src_fingerprint() != fingerprint:
        say("WARNING: src/ changed during the run; the parts above measured different code")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
