from __future__ import annotations

import io

import numpy as np
import pytest

import matchkit as mk
from matchkit.cli import main


@pytest.fixture(scope="module")
def result() -> mk.BatchResult:
    caseload = mk.generate_caseload(3_000, seed=11)
    return mk.Recommender(mk.load_catalog()).recommend_batch(caseload)


@pytest.mark.slow
def test_pool_counts_add_up_to_the_caseload(result):
    pools = mk.candidate_pools(result)
    totals = pools.summary[["eligible", "verify", "ineligible"]].sum(axis=1)
    assert (totals == len(result)).all()
    np.testing.assert_array_equal(
        pools.summary["eligible"].to_numpy(), (result.status == 2).sum(axis=0)
    )


def test_expected_entrants_follow_the_documented_formula(result):
    pools = mk.candidate_pools(result, selection_ratios={"fip": 0.2}, verify_pass_rate=0.25)
    row = pools.summary.loc["fip"]
    assert row["selection_ratio"] == 0.2
    assert row["expected_entrants"] == pytest.approx((row["eligible"] + 0.25 * row["verify"]) * 0.2)


def test_the_catalog_selection_ratio_is_used_where_the_report_gives_one(result):
    pools = mk.candidate_pools(result)
    ratio = mk.load_catalog()["aandacht-doet-bewegen"].facts.selection_ratio
    assert ratio is not None
    assert pools.summary.loc["aandacht-doet-bewegen", "selection_ratio"] == ratio.value


def test_excluding_rule_counts_match_the_rule_states(result):
    pools = mk.candidate_pools(result)
    j = result.approach_ids.index("energiebox")
    expected = (result.rule_state[j] == 0).sum(axis=0)
    got = pools.excluding_rules[pools.excluding_rules["approach_id"] == "energiebox"]
    by_rule = dict(zip(got["rule_id"], got["clients_excluded"], strict=True))
    rules = [r.id for r in mk.load_catalog()["energiebox"].rules]
    assert [by_rule[r] for r in rules] == expected.tolist()


def test_fields_to_verify_only_count_verify_clients(result):
    pools = mk.candidate_pools(result)
    for approach_id, part in pools.to_verify.groupby("approach_id"):
        j = result.approach_ids.index(approach_id)
        assert (part["clients"] <= (result.status[:, j] == 1).sum()).all()


def test_group_shares_of_each_pool_sum_to_one_per_dimension(result):
    groups = mk.candidate_pools(result).groups
    sums = groups.groupby(["approach_id", "dimension"])["share_of_pool"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"selection_ratios": {"nope": 0.5}}, "nope"),
        ({"selection_ratios": {"fip": 1.5}}, "fip"),
        ({"verify_pass_rate": -0.1}, "verify_pass_rate"),
    ],
)
@pytest.mark.slow
def test_bad_pool_parameters_are_rejected(result, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mk.candidate_pools(result, **kwargs)


@pytest.mark.slow
def test_pools_command_prints_the_tables(tmp_path):
    path = mk.write_caseload(mk.generate_caseload(500, seed=2), tmp_path / "c.parquet")
    out = io.StringIO()
    assert main(["pools", "--clients", str(path)], out=out) == 0
    text = out.getvalue()
    assert "Rules that exclude most" in text
    assert "energiebox" in text


def test_pools_command_rejects_a_malformed_selection_ratio(tmp_path, capsys):
    path = mk.write_caseload(mk.generate_caseload(50, seed=2), tmp_path / "c.parquet")
    code = main(["pools", "--clients", str(path), "--selection-ratio", "fip"], out=io.StringIO())
    assert code == 2
    assert "ID=VALUE" in capsys.readouterr().err
