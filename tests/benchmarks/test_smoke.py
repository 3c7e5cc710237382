"""The benchmark harness runs end to end on tiny sizes (speed is measured, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"

# One end-to-end run of the harness in a subprocess, shared by every test here.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=RUN.parents[1],
    )


def test_quick_run_exits_zero(quick_run):
    assert quick_run.returncode == 0, quick_run.stdout + quick_run.stderr


def test_quick_run_prints_the_speed_up_ratios(quick_run):
    lines = quick_run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("clients"))
    assert "speed-up vs loop" in lines[at]
    assert "speed-up vs rowwise" in lines[at]
    rows = lines[at + 2 : at + 4]
    assert [row.split()[0] for row in rows] == ["50", "200"]
    # The two ratio columns, e.g. "32x  0.7x": both baselines ran at both sizes.
    assert all(cell.endswith("x") for row in rows for cell in row.split()[-2:])


def test_baselines_agree_with_the_batch_path(quick_run):
    out = quick_run.stdout
    assert "baselines agree with batch on every size run: yes" in out
    checks = [line for line in out.splitlines() if line.startswith("check ")]
    assert len(checks) == 4
    assert all("DIFFERENT" not in c and "NOT CLOSE" not in c for c in checks)


@pytest.mark.parametrize(
    "part", ["== 2. scale", "== 3. synth", "== 4. assignment", "== 6. the pipeline"]
)
def test_every_part_reports(quick_run, part):
    assert part in quick_run.stdout
