"""Part 4: optimal against greedy assignment."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

import numpy as np
from common import (
    ASSIGN_APPROACHES,
    ASSIGN_CAPACITY_SHARE,
    ASSIGN_CLIENTS,
    SEED,
    best_of,
    fmt_best,
    progress,
    say,
    table,
)

import matchkit as mk
from matchkit.synth._catalog import generate_catalog

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
