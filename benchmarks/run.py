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
import json
import os
import sys
import time
from collections.abc import Sequence

from common import (
    fmt_time,
    machine,
    say,
    src_fingerprint,
)
from parts.assign import part_assign
from parts.batch import part_batch
from parts.one import part_one
from parts.scale import part_scale, part_synth, scale_case, synth_case
from parts.six import part_six


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
