"""Parts 2 and 3: large caseloads and ``generate_caseload``, a fresh process per case."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
from common import (
    MIB,
    RUN,
    SCALE_CASES,
    SEED,
    SYNTH_SIZES,
    best_of,
    catalog_for,
    fmt_best,
    fmt_mib,
    fmt_time,
    fresh,
    maxrss_mib,
    peak_mib,
    process_peak_mib,
    progress,
    reset_peak,
    rss_mib,
    say,
    table,
    traced,
)

import matchkit as mk

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
    cmd = [sys.executable, str(RUN), "--worker", *args]
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
