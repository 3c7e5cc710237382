"""Capacities keep their full size: a huge capacity binds like an ample one, never wraps."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.cli import main
from matchkit.planning._assignment import assign_optimal

EXAMPLES = Path(__file__).parents[2] / "profiles" / "examples" / "clients.jsonl"


@pytest.fixture(scope="module")
def result() -> mk.BatchResult:
    return mk.Recommender(mk.load_catalog()).recommend_batch(mk.read_caseload(EXAMPLES))


@pytest.mark.parametrize("huge", [2**31, 2**32, 4294967296 + 7, 2**53])
@pytest.mark.parametrize("method", ["optimal", "greedy"])
def test_a_capacity_beyond_int32_gives_the_plan_of_an_ample_one(result, huge, method):
    ample = dict.fromkeys(result.approach_ids, 100000)
    big = dict.fromkeys(result.approach_ids, huge)
    a = mk.plan_assignment(result, capacity=ample, method=method)
    b = mk.plan_assignment(result, capacity=big, method=method)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    assert a.total_score == b.total_score
    assert (b.summary["places"] == huge).all()


def test_the_solver_takes_int64_capacities_beyond_int32(rng):
    score = rng.random((40, 3))
    allowed = rng.random((40, 3)) < 0.7
    small = assign_optimal(score, allowed, np.array([2, 40, 5]))
    big = assign_optimal(score, allowed, np.array([2, 2**40, 5], dtype=np.int64))
    assert np.array_equal(small.approach, big.approach)


@pytest.mark.slow
def test_the_cli_solves_with_a_capacity_of_2_to_the_32(tmp_path):
    outs = []
    for places in ("100000", "4294967296"):
        target = tmp_path / f"plan-{places}.csv"
        argv = ["assign", "--clients", str(EXAMPLES), "--capacity", f"fip={places}"]
        assert main([*argv, "--out", str(target)], out=io.StringIO()) == 0
        outs.append(target.read_text())
    assert outs[0] == outs[1]
