"""Part 5: one client through ``Recommender.recommend``; the Dutch text of a caseload."""

from __future__ import annotations

import io
import time

import numpy as np
from common import (
    REPO,
    SEED,
    fmt_time,
    say,
    table,
)

import matchkit as mk
from matchkit.cli import write_recommendations


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
