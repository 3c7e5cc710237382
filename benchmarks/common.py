"""Measuring, formatting and the machine's description, shared by the parts of ``run.py``."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
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

import matchkit as mk
from matchkit.synth._catalog import generate_catalog

MIB = 1024 * 1024
REPO = Path(__file__).resolve().parents[1]
RUN = Path(__file__).resolve().parent / "run.py"
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
