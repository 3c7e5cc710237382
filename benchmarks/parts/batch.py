"""Part 1: ``recommend_batch`` against the per-client loop and the row-wise baseline."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from baselines import per_client_loop, rowwise_recommend
from common import (
    SEED,
    best_of,
    fmt_best,
    fmt_ratio,
    fmt_time,
    fresh,
    progress,
    say,
    table,
)

import matchkit as mk

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
