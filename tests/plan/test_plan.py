from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

import matchkit as mk
from matchkit.cli import main
from matchkit.planning import group_masks
from matchkit.planning._assignment import assign_greedy, assign_optimal
from matchkit.synth._evaluate import audit_groups


@pytest.fixture(scope="module")
def result() -> mk.BatchResult:
    caseload = mk.generate_caseload(2_000, seed=21)
    return mk.Recommender(mk.load_catalog()).recommend_batch(caseload)


def test_plan_respects_capacity_and_eligibility(result):
    plan = mk.plan_assignment(result, capacity={"fip": 10, "app": 5})
    counts = plan.assignments["approach_id"].value_counts()
    places = plan.summary["places"]
    for approach_id, count in counts.items():
        assert count <= places[str(approach_id)]
    index = {cid: i for i, cid in enumerate(result.client_ids)}
    for cid, approach_id in plan.assignments.dropna().loc[:, ["client_id", "approach_id"]].values:
        j = result.approach_ids.index(approach_id)
        assert result.status[index[cid], j] == 2


def test_include_verify_allows_more_candidates(result):
    strict = mk.plan_assignment(result)
    loose = mk.plan_assignment(result, include_verify=True)
    assert (loose.summary["candidates"] >= strict.summary["candidates"]).all()
    assert loose.total_score >= strict.total_score - 1e-9


def test_greedy_is_never_better_than_the_optimum_and_reports_its_gap(result):
    optimal = mk.plan_assignment(result, capacity={"fip": 40})
    greedy = mk.plan_assignment(result, capacity={"fip": 40}, method="greedy")
    assert greedy.total_score <= optimal.total_score + 1e-9
    assert greedy.gap == pytest.approx(optimal.total_score - greedy.total_score)
    assert optimal.gap is None


def test_the_plan_reports_the_gap_of_its_assignment(result):
    greedy = mk.plan_assignment(result, capacity={"fip": 40}, method="greedy")
    cap = greedy.summary["places"].to_numpy()
    assignment = assign_greedy(result.score, result.status == 2, cap)
    assert greedy.total_score == assignment.total
    assert greedy.gap == assignment.gap


@pytest.mark.parametrize("places", [-1, 1.5, float("nan"), "3", True, None])
def test_plans_and_assignments_reject_the_same_capacities_in_the_same_words(result, places):
    with pytest.raises(mk.ParameterError) as from_plan:
        mk.plan_assignment(result, capacity={"fip": places})
    cap = np.array([places if a == "fip" else 1 for a in result.approach_ids], dtype=object)
    with pytest.raises(mk.AssignmentError) as from_assignment:
        assign_optimal(result.score, result.status == 2, cap)
    allowed = "is not allowed; expected a non-negative integer number of places"
    assert f"capacity[fip]={places!r} {allowed}" in str(from_plan.value)
    j = result.approach_ids.index("fip")
    assert f"capacity[{j}]={places!r} {allowed}" in str(from_assignment.value)


def test_pools_plans_and_evaluations_list_the_same_audit_groups(result):
    masks = group_masks(result.caseload)
    expected = [(d, g, int(m.sum())) for d, levels in masks.items() for g, m in levels.items()]
    plan_groups = mk.plan_assignment(result).groups
    assert (
        list(
            zip(plan_groups["dimension"], plan_groups["group"], plan_groups["clients"], strict=True)
        )
        == expected
    )
    pools = mk.candidate_pools(result).groups
    for _, part in pools.groupby("approach_id", sort=False):
        assert list(zip(part["dimension"], part["group"], strict=True)) == [e[:2] for e in expected]
    gains = {"x": np.ones(len(result))}
    table = audit_groups(gains, result.caseload)
    table = table[table["group"] != "gap (max - min)"]
    got = sorted(zip(table["dimension"], table["group"], table["clients"], strict=True))
    assert got == sorted(expected)


def test_exclusions_are_respected(result):
    plan = mk.plan_assignment(result)
    taken = plan.assignments.dropna().iloc[0]
    again = mk.plan_assignment(result, exclude={taken["client_id"]: [taken["approach_id"]]})
    row = again.assignments.set_index("client_id").loc[taken["client_id"]]
    assert row["approach_id"] != taken["approach_id"]


@pytest.mark.slow
def test_minimum_group_share_holds(result):
    plan = mk.plan_assignment(result, min_share={"age=50+": 0.6})
    assigned = plan.assignments["approach_id"].notna().to_numpy()
    age = result.caseload.frame["age"].to_numpy(dtype=float)
    assert (age[assigned] >= 50).mean() >= 0.6 - 1e-9


def test_an_impossible_share_is_a_clear_error(result):
    with pytest.raises(mk.AssignmentError, match="gender=other"):
        mk.plan_assignment(result, min_share={"gender=other": 0.9})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"capacity": {"nope": 3}}, "nope"),
        ({"capacity": {"fip": -1}}, "fip"),
        ({"min_share": {"colour=blue": 0.5}}, "colour=blue"),
        ({"exclude": {"nobody": ["fip"]}}, "nobody"),
    ],
)
def test_bad_planning_parameters_name_what_is_wrong(result, kwargs, match):
    with pytest.raises(mk.ParameterError, match=match):
        mk.plan_assignment(result, **kwargs)


def test_capacity_prices_are_zero_where_places_are_left(result):
    plan = mk.plan_assignment(result, capacity={"fip": 100_000})
    row = plan.summary.loc["fip"]
    assert row["assigned"] < row["places"]
    assert row["capacity_price"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow
def test_assign_command_writes_the_plan_csv(tmp_path):
    clients = mk.write_caseload(mk.generate_caseload(1_000, seed=3), tmp_path / "c.parquet")
    out_csv = tmp_path / "plan.csv"
    out = io.StringIO()
    code = main(
        ["assign", "--clients", str(clients), "--capacity", "fip=20,app=10", "--out", str(out_csv)],
        out=out,
    )
    assert code == 0
    plan = pd.read_csv(out_csv)
    assert list(plan.columns) == ["client_id", "approach_id", "score"]
    assert len(plan) == 1_000
    assert (plan["approach_id"] == "fip").sum() <= 20
    assert "Plan (" in out.getvalue()


def test_assign_command_rejects_a_bad_share(tmp_path, capsys):
    clients = mk.write_caseload(mk.generate_caseload(50, seed=3), tmp_path / "c.parquet")
    code = main(
        [
            "assign",
            "--clients",
            str(clients),
            "--min-share",
            "gender=female",
            "--out",
            str(tmp_path / "p.csv"),
        ],
        out=io.StringIO(),
    )
    assert code == 2
    assert "DIMENSION=GROUP:SHARE" in capsys.readouterr().err


@pytest.mark.slow
def test_report_is_one_self_contained_page_with_charts(tmp_path):
    clients = mk.write_caseload(mk.generate_caseload(800, seed=4), tmp_path / "c.parquet")
    page = tmp_path / "report.html"
    assert main(["report", "--clients", str(clients), "--out", str(page)], out=io.StringIO()) == 0
    text = page.read_text()
    assert text.count("data:image/png;base64,") == 4
    assert not re.search(r"<script|src=\"http", text)
    for heading in ("Candidate pools", "ZRM profile", "Assignment of places", "Audit groups"):
        assert heading in text


@pytest.mark.slow
def test_report_in_dutch_has_no_snake_case_headers_or_rule_syntax(tmp_path):
    # Issue 9, part 8: the whole page in Dutch for an adviser.
    clients = mk.write_caseload(mk.generate_caseload(600, seed=5), tmp_path / "c.parquet")
    page = tmp_path / "rapport.html"
    argv = ["report", "--clients", str(clients), "--lang", "nl", "--out", str(page)]
    assert main([*argv, "--capacity", "fip=17"], out=io.StringIO()) == 0
    text = page.read_text()
    assert "<html lang='nl'>" in text
    for heading in (
        "Kandidaten per aanpak",
        "Verdeling van de plaatsen",
        "Toetsing per groep",
        "Te regelen voorzieningen",
        "Wat elke aangeboden aanpak biedt",
    ):
        assert heading in text
    visible = re.sub(r"<[^>]+>|data:image/png;base64,[A-Za-z0-9+/=]+", " ", text)
    visible = re.sub(r"<style>.*?</style>", " ", visible, flags=re.S)
    snake = set(re.findall(r"\b[a-z]+_[a-z_]+\b", visible)) - {"mbo_2"}
    assert not snake, sorted(snake)[:10]
    for syntax in ("participation_ladder", ">=", "&gt;=", 'contains "', "not in_other"):
        assert syntax not in visible
    for english in ("Candidate pools", "eligible", "Audit groups"):
        assert english not in visible
    # Names, not ids, and the places the user asked for.
    assert "FIP (Frequent, Intensief, Persoonlijk)" in text


@pytest.mark.slow
def test_pools_use_the_users_capacities_and_count_conditions_to_arrange():
    caseload = mk.generate_caseload(1_500, seed=6)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    pools = mk.candidate_pools(result, capacity={"fip": 17})
    assert pools.summary.loc["fip", "places"] == 17
    assert pools.summary.loc["app", "places"] == mk.load_catalog()["app"].places
    plan = mk.plan_assignment(result, capacity={"fip": 17})
    assert plan.summary.loc["fip", "places"] == pools.summary.loc["fip", "places"]  # type: ignore[operator]
    arrange = pools.to_arrange.set_index(["approach_id", "arrange_id"])
    j = result.approach_ids.index("buurt-mv")
    k = [a.id for a in result.catalog["buurt-mv"].arrange].index("transport")
    in_pool = result.status[:, j] != 0
    expected = int((result.arrange_state[j][in_pool, k] == 0).sum())
    assert arrange.loc[("buurt-mv", "transport"), "clients"] == expected > 0
    with pytest.raises(mk.ParameterError, match="capacity"):
        mk.candidate_pools(result, capacity={"nope": 3})
