"""Part 6 of the harness: each step of the pipeline beside its floor, measured in one run.

A floor is the least work a step could do on the same data with the tools it already uses:

- ``kernel``: a bare numpy pass doing one batch's arithmetic on the same caseload and
  catalog shape (:func:`kernel`): per approach, one comparison per hard rule, one
  equality per preference, a weighted mean, then a rank over the approaches;
- ``write_csv``: ``pyarrow.csv.write_csv`` of the same output table;
- ``read_json``: ``pyarrow.json.read_json`` of the same JSONL file;
- ``read_parquet`` / ``write_parquet``: ``pyarrow.parquet`` on the same data;
- ``safe_load``: PyYAML (C loader when present) reading the same catalog files;
- ``HiGHS IPM``: ``scipy.optimize.linprog(method="highs-ipm")`` on the same LP.

Command-line figures run ``matchkit`` in a fresh process (through a small launcher, so the
peak resident set is that process's own: Linux carries ``ru_maxrss`` across fork+exec from a
large parent); their time includes starting Python and importing matchkit, shown on its own
line. Library figures run in this process.
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import yaml
from scipy.optimize import linprog

import matchkit as mk
from matchkit.planning._assignment import assign_optimal
from matchkit.synth._catalog import _approach, generate_catalog

MIB = 1024 * 1024

# The launcher starts the command, waits for it and reports its own wall time and peak RSS.
_LAUNCHER = (
    "import os, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "print('LAUNCHED', time.perf_counter() - t, usage.ru_maxrss, "
    "os.waitstatus_to_exitcode(status), file=sys.stderr)\n"
)
_MATCHKIT = [sys.executable, "-c", "from matchkit.cli import run; run()"]


@dataclass
class Sizes:
    """How big each figure of part 6 is (``--floors-*`` options)."""

    clients: int = 1_000_000
    catalog: int = 9_999
    catalog_clients: int = 1_000
    assign_clients: int = 100_000
    assign_approaches: int = 25


QUICK = Sizes(clients=500, catalog=20, catalog_clients=50, assign_clients=300)


@dataclass
class Row:
    figure: str
    seconds: float
    runs: int
    floor_name: str
    floor: float | None
    rss_mib: float | None = None
    note: str = ""


def run_cli(args: Sequence[str], repeats: int, in_process: bool) -> tuple[float, int, float | None]:
    """Best wall time, runs and the largest peak RSS (MiB) of ``matchkit args``.

    ``in_process`` (``--quick``) calls the command-line entry point in this process instead:
    no start-up, no memory figure.
    """
    if in_process:
        seconds, runs, _ = timed(lambda: _main_in_process(args), repeats)
        return seconds, runs, None
    best, peak, runs = math.inf, 0.0, 0
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, *_MATCHKIT, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        line = next((x for x in done.stderr.splitlines() if x.startswith("LAUNCHED")), None)
        if line is None:
            raise RuntimeError(f"matchkit {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        _, seconds, maxrss, code = line.split()
        if int(code) != 0:
            raise RuntimeError(f"matchkit {' '.join(args)} exited {code}:\n{done.stderr[-2000:]}")
        best, peak, runs = min(best, float(seconds)), max(peak, int(maxrss) / 1024), runs + 1
        if float(seconds) > 60:
            break  # one run of a minute is enough on a shared machine
    return best, runs, peak


def _main_in_process(args: Sequence[str]) -> None:
    from matchkit.cli import main

    code = main(list(args), out=io.StringIO())
    if code != 0:
        raise RuntimeError(f"matchkit {' '.join(args)} exited {code}")


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, int, Any]:
    best, runs, result = math.inf, 0, None
    for _ in range(repeats):
        result = None
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, runs = min(best, elapsed), runs + 1
        if elapsed > 60:
            break
    return best, runs, result


# --- floors ---------------------------------------------------------------------------------


def _write_copy(source: Path, target: Path) -> None:
    """Copy a file through memory: the least work of writing the same bytes again."""
    target.write_bytes(source.read_bytes())


def numeric_matrix(caseload: mk.Caseload) -> np.ndarray:
    """The caseload's numeric contract fields as one float matrix (NaN = unknown)."""
    frame = caseload.frame
    columns = [
        c for c in frame.columns if c != "client_id" and pd.api.types.is_numeric_dtype(frame[c])
    ]
    return np.column_stack([frame[c].to_numpy(dtype=float, na_value=np.nan) for c in columns])


def kernel(x: np.ndarray, catalog: mk.Catalog) -> np.ndarray:
    """One batch's arithmetic with nothing around it: the floor of ``recommend_batch``.

    For each approach (as many hard rules and preferences as it has, on columns of ``x``
    taken in turn): a comparison per rule (three-valued: NaN is unknown), an equality per
    preference, their weighted mean, and a stable rank over the approaches.
    """
    n, f = x.shape
    m = len(catalog)
    score = np.empty((n, m))
    status = np.empty((n, m), dtype=np.int8)
    col = 0
    for j, approach in enumerate(catalog.approaches):
        ok = np.ones(n, dtype=bool)
        unknown = np.zeros(n, dtype=bool)
        for _ in approach.rules:
            v = x[:, col % f]
            col += 1
            ok &= v <= 3
            unknown |= np.isnan(v)
        total = np.zeros(n)
        weights = 0.0
        for pref in approach.target:
            v = x[:, col % f]
            col += 1
            total += pref.weight * (v == 1)
            weights += pref.weight
        score[:, j] = total / max(weights, 1.0)
        status[:, j] = np.where(ok, 2, np.where(unknown, 1, 0))
    key = np.where(status > 0, -score, np.inf)
    return np.argsort(key, axis=1, kind="stable")


def plain_lp_highs_ipm(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray) -> float:
    """Solve the assignment LP with scipy's HiGHS interior point; return the optimal total."""
    import scipy.sparse as sp

    client, approach = np.nonzero(allowed)
    k, (n, m) = client.size, score.shape
    rows = np.concatenate([client, n + approach])
    a_ub = sp.csr_array((np.ones(2 * k), (rows, np.tile(np.arange(k), 2))), shape=(n + m, k))
    b_ub = np.concatenate([np.ones(n), capacity])
    res = linprog(-score[client, approach], A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs-ipm")
    if res.status != 0:
        raise RuntimeError(f"HiGHS IPM: {res.message}")
    return float(-res.fun)


# --- the part -------------------------------------------------------------------------------


def write_catalog(directory: Path, n: int, seed: int = 1) -> None:
    """Write ``generate_catalog(n, seed)``'s approaches as YAML files, one per approach."""
    rng = np.random.Generator(np.random.PCG64(seed))
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        entry = _approach(i, rng)
        (directory / f"{entry['id']}.yaml").write_text(
            yaml.safe_dump(entry, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def part_floors(
    sizes: Sizes, repeats: int, progress: Callable[[str], None], quick: bool = False
) -> list[Row]:
    """Measure every figure and its floor; ``quick`` runs the commands in this process."""
    rows: list[Row] = []
    n = sizes.clients
    with tempfile.TemporaryDirectory(prefix="matchkit-floors-") as tmp_name:
        tmp = Path(tmp_name)
        parquet, jsonl = tmp / "clients.parquet", tmp / "clients.jsonl"

        progress("import matchkit in a fresh process")
        t, k, rss = run_cli(["--help"], repeats, quick)
        rows.append(Row("matchkit --help (start Python, import matchkit)", t, k, "-", None, rss))

        progress(f"synth {n:,} to Parquet")
        t, k, rss = run_cli(
            ["synth", "--n", str(n), "--seed", "1", "--out", str(parquet)], 1, quick
        )
        table = pq.read_table(parquet)
        floor, _, _ = timed(lambda: pq.write_table(table, tmp / "floor.parquet"), repeats)
        rows.append(Row(f"synth --n {n:,} -> Parquet", t, k, "write_parquet", floor, rss))
        progress(f"synth {n:,} to JSONL")
        run_cli(["synth", "--n", str(n), "--seed", "1", "--out", str(jsonl)], 1, quick)
        size = jsonl.stat().st_size / MIB

        progress("validate clients (Parquet)")
        t, k, rss = run_cli(["validate", "clients", str(parquet)], repeats, quick)
        floor, _, _ = timed(lambda: pq.read_table(parquet), repeats)
        rows.append(Row("validate clients, Parquet", t, k, "read_parquet", floor, rss))

        progress("validate clients (JSONL)")
        t, k, rss = run_cli(["validate", "clients", str(jsonl)], repeats, quick)
        floor, _, _ = timed(lambda: pa_json.read_json(jsonl), repeats)
        rows.append(
            Row("validate clients, JSONL", t, k, "read_json", floor, rss, f"{size:,.0f} MiB")
        )

        progress("recommend_batch(DataFrame) and the kernel")
        frame = table.to_pandas()
        catalog = mk.load_catalog()
        rec = mk.Recommender(catalog)
        t, k, result = timed(lambda: rec.recommend_batch(frame), repeats)
        x = numeric_matrix(result.caseload)
        floor, _, _ = timed(lambda: kernel(x, catalog), repeats)
        rows.append(Row(f"recommend_batch(DataFrame) {n:,} x 7", t, k, "kernel", floor))

        progress("to_frame(top=3) and pyarrow write_csv")
        t, k, out_frame = timed(lambda: result.to_frame(top=3), repeats)
        out_table = pa.Table.from_pandas(out_frame, preserve_index=False)
        floor_csv, _, _ = timed(lambda: pa_csv.write_csv(out_table, tmp / "floor.csv"), repeats)
        rows.append(Row("BatchResult.to_frame(top=3)", t, k, "-", None))

        progress("recommend Parquet -> CSV")
        t, k, rss = run_cli(
            ["recommend", "--clients", str(parquet), "--out", str(tmp / "recs.csv")],
            repeats,
            quick,
        )
        full = pa.Table.from_pandas(result.to_frame(), preserve_index=False)
        floor, _, _ = timed(lambda: pa_csv.write_csv(full, tmp / "floor.csv"), repeats)
        rows.append(Row("recommend Parquet -> CSV, end to end", t, k, "write_csv", floor, rss))

        progress("recommend Parquet -> JSONL, top 3")
        t, k, rss = run_cli(
            ["recommend", "--clients", str(parquet), "--top", "3", "--out", str(tmp / "r.jsonl")],
            1,
            quick,
        )
        written = tmp / "r.jsonl"
        jsonl_mib = written.stat().st_size / MIB
        copy_time, _, _ = timed(lambda: _write_copy(written, tmp / "copy.jsonl"), repeats)
        rows.append(
            Row(
                "recommend --top 3 -> JSONL, end to end",
                t,
                k,
                "write_csv",
                floor_csv,
                rss,
                f"floor: the same rows as CSV, without reasons; copying its {jsonl_mib:,.0f} "
                f"MiB through memory: {copy_time:.2f} s",
            )
        )

        progress(f"catalog of {sizes.catalog:,} approaches")
        cat_dir = tmp / "catalog"
        write_catalog(cat_dir, sizes.catalog)
        t, k, rss = run_cli(["validate", "catalog", str(cat_dir)], repeats, quick)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        files = sorted(cat_dir.glob("*.yaml"))
        floor, _, _ = timed(
            lambda: [yaml.load(f.read_text(encoding="utf-8"), Loader=loader) for f in files],
            repeats,
        )
        rows.append(
            Row(f"validate catalog, {sizes.catalog:,} approaches", t, k, "safe_load", floor, rss)
        )

        progress(f"{sizes.catalog_clients:,} clients x {sizes.catalog:,} approaches")
        big = generate_catalog(sizes.catalog, seed=1)
        few = mk.generate_caseload(sizes.catalog_clients, seed=1)

        def many() -> mk.BatchResult:
            return mk.Recommender(big).recommend_batch(few)

        t, k, many_result = timed(many, min(repeats, 2))
        floor, _, _ = timed(lambda: kernel(numeric_matrix(many_result.caseload), big), repeats)
        rows.append(
            Row(
                f"Recommender + recommend_batch, {sizes.catalog_clients:,} x {sizes.catalog:,}",
                t,
                k,
                "kernel",
                floor,
                note="setup included",
            )
        )

        progress(f"assignment {sizes.assign_clients:,} x {sizes.assign_approaches}")
        arec = mk.Recommender(generate_catalog(sizes.assign_approaches, seed=3))
        batch = arec.recommend_batch(mk.generate_caseload(sizes.assign_clients, seed=1))
        score, allowed = batch.score, batch.status == 2
        capacity = np.full(score.shape[1], max(1, round(0.02 * sizes.assign_clients)))
        t, k, plan = timed(lambda: assign_optimal(score, allowed, capacity), repeats)
        floor, _, lp_total = timed(lambda: plain_lp_highs_ipm(score, allowed, capacity), repeats)
        same = abs(plan.total - lp_total) <= 1e-6 * max(1.0, abs(lp_total))
        rows.append(
            Row(
                f"assign_optimal {sizes.assign_clients:,} x {sizes.assign_approaches}",
                t,
                k,
                "HiGHS IPM",
                floor,
                note=f"optimum {plan.total:,.4f} vs {lp_total:,.4f}: {'same' if same else 'DIFF'}",
            )
        )
    return rows


def report(rows: Sequence[Row], fmt_time: Callable[[float], str]) -> list[list[str]]:
    """Table cells: figure, time (runs), floor, floor time, ratio, peak RSS, note."""
    cells = []
    for r in rows:
        ratio = "-" if r.floor is None or r.floor <= 0 else f"{r.seconds / r.floor:,.1f}x"
        cells.append(
            [
                r.figure,
                f"{fmt_time(r.seconds)} ({r.runs})",
                r.floor_name,
                "-" if r.floor is None else fmt_time(r.floor),
                ratio,
                "-" if r.rss_mib is None else f"{r.rss_mib:,.0f} MiB",
                r.note,
            ]
        )
    return cells


def as_json(rows: Sequence[Row]) -> str:
    return json.dumps([r.__dict__ for r in rows])


def from_json(text: str) -> list[Row]:
    return [Row(**r) for r in json.loads(text)]
