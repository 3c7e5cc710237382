"""Part 6: the whole pipeline beside its floors (``benchmarks/floors.py``)."""

from __future__ import annotations

import argparse

from common import (
    fmt_time,
    progress,
    say,
    table,
)
from floors import QUICK, Sizes, part_floors, report


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
