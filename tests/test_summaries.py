"""Result objects print short, readable summaries instead of walls of frames."""

from __future__ import annotations

import pytest

import matchkit as mk


@pytest.fixture(scope="module")
def result():
    caseload = mk.read_caseload(mk.generate_caseload(1_500, seed=3))
    return mk.Recommender(mk.load_catalog()).recommend_batch(caseload)


def _check_short(text: str, ids: list[str]) -> None:
    lines = text.splitlines()
    assert len(lines) <= 14
    assert max(map(len, lines)) <= 100
    assert "..." not in text  # nothing truncated
    for approach_id in ids:
        assert approach_id in text


def test_batch_result_prints_status_counts_per_approach(result):
    text = str(result)
    assert text == repr(result)
    assert text.startswith("BatchResult: 1500 clients x 7 approaches")
    _check_short(text, result.approach_ids)
    counts = result.status_counts()
    fip = next(line for line in text.splitlines() if line.startswith("fip "))
    assert fip.split()[1:4] == [
        str(counts.loc["fip", c]) for c in ("eligible", "verify", "ineligible")
    ]
    assert "<table" in result._repr_html_()


def test_pools_print_places_counts_and_expected_entrants(result):
    pools = mk.candidate_pools(result)
    text = repr(pools)
    assert text.startswith("Pools: 7 approaches, 1500 clients")
    assert "expected_entrants" in text
    _check_short(text, result.approach_ids)
    assert "<table" in pools._repr_html_()


def test_plan_prints_assigned_total_and_bottleneck(result):
    plan = mk.plan_assignment(result, capacity={"fip": 40})
    text = str(plan)
    assigned = int(plan.assignments["approach_id"].notna().sum())
    assert text.startswith(f"Plan (highs-lp): {assigned} of 1500 clients assigned")
    assert f"bottleneck: {plan.bottleneck}" in text
    _check_short(text, result.approach_ids)


def test_plan_with_min_share_says_why_prices_are_missing(result):
    plan = mk.plan_assignment(result, capacity={"fip": 40}, min_share={"age=50+": 0.4})
    assert plan.summary["capacity_price"].isna().all()
    assert "capacity prices: not defined for minimum group shares" in str(plan)


def test_greedy_plan_shows_its_gap(result):
    plan = mk.plan_assignment(result, method="greedy")
    assert f"greedy: {plan.gap:.4f} below the optimum" in str(plan)


@pytest.mark.slow
def test_evaluation_prints_metrics_per_strategy():
    ev = mk.evaluate(mk.load_catalog(), n=1_000, seed=2)
    text = repr(ev)
    assert text.startswith("Evaluation of 5 strategies on 1000 synthetic clients")
    _check_short(text, ["recommender", "rules_only", "oracle", "expected_gain"])
    assert "<table" in ev._repr_html_()
