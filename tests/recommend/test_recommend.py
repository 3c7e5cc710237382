from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import ZRM_DOMAINS
from tests.strategies import profile_records

CATALOG = mk.load_catalog()
REC = mk.Recommender(CATALOG)


def _profiles(records):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mk.DataQualityWarning)
        return [
            mk.ClientProfile.model_validate(dict(r, client_id=f"c{i}"))
            for i, r in enumerate(records)
        ]


caseloads = st.lists(profile_records(), min_size=1, max_size=12).map(_profiles)


def _as_tuple(r: mk.Recommendation):
    return (r.approach_id, r.rank, r.status, r.score, r.to_verify, r.failed_rules, r.reasons)


@pytest.mark.slow
@given(caseloads)
def test_single_client_results_equal_batch_results(profiles):
    batch = REC.recommend_batch(profiles)
    for row, profile in enumerate(profiles):
        single = REC.recommend(profile, include_ineligible=True)
        from_batch = batch.recommendations(row, include_ineligible=True)
        assert [_as_tuple(r) for r in single] == [_as_tuple(r) for r in from_batch]


@pytest.mark.slow
@given(caseloads)
def test_status_follows_the_interface_definition(profiles):
    batch = REC.recommend_batch(profiles)
    for row in range(len(profiles)):
        for j in range(len(CATALOG)):
            state = batch.rule_state[j][row]
            status = batch.status[row, j]
            if (state == 1).all():
                assert status == 2
            elif (state == 0).any():
                assert status == 0
                assert batch.failed_rules(row, j)
            else:
                assert status == 1
                assert batch.to_verify(row, j)


@given(caseloads)
@pytest.mark.slow
def test_ranks_cover_the_non_ineligible_approaches_in_rank_value_order(profiles):
    # The rank value is the score, or for a thin pair what can be expected once the unknown
    # facts are known (docs/scoring.md, "Thin files"); ties by approach id.
    batch = REC.recommend_batch(profiles)
    value = batch.rank_value()
    for row in range(len(profiles)):
        recs = batch.recommendations(row)
        assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
        assert all(r.status != "ineligible" for r in recs)
        ids = batch.approach_ids
        keys = [(-value[row, ids.index(r.approach_id)], r.approach_id) for r in recs]
        assert keys == sorted(keys)
        thick = [r for r in recs if r.coverage >= 0.5]
        assert [r.score for r in thick] == [value[row, ids.index(r.approach_id)] for r in thick]


@pytest.mark.slow
@given(caseloads)
def test_scores_are_in_the_unit_interval_and_contributions_sum_to_them(profiles):
    batch = REC.recommend_batch(profiles)
    assert ((batch.score >= 0) & (batch.score <= 1)).all()
    for r in batch.recommendations(0, include_ineligible=True):
        assert sum(r.contributions.values()) == pytest.approx(r.score)


def _fill(rec: dict[str, Any], field: str, value) -> dict[str, Any]:
    out = dict(rec)
    if field.startswith("zrm_"):
        out["zrm"] = dict(rec.get("zrm", {}), **{field[4:]: value})
    else:
        out[field] = value
    return out


@pytest.mark.slow
@given(profile_records(client_id="c0"), profile_records(client_id="c0"))
def test_learning_unknown_facts_never_changes_eligible_or_ineligible(partial, full):
    # `full` supplies values for the facts `partial` leaves unknown.
    completed = dict(partial)
    for key, value in full.items():
        if key == "zrm":
            completed["zrm"] = {**value, **partial.get("zrm", {})}
        elif key not in partial and key != "youngest_child_age":
            completed[key] = value
    if completed.get("children", 1) == 0:
        completed.pop("youngest_child_age", None)
    before, after = (
        REC.recommend_batch(_profiles([partial])),
        REC.recommend_batch(_profiles([completed])),
    )
    settled = before.status[0] != 1
    assert (before.status[0][settled] == after.status[0][settled]).all()


def test_ties_are_broken_by_approach_id():
    from matchkit.recommend._recommender import _rank

    status = np.array([[2, 2, 1]], dtype=np.int8)
    score = np.array([[0.5, 0.5, 0.5]])
    assert _rank(status, score).tolist() == [[1, 2, 3]]


def test_nothing_known_but_age_leaves_rules_to_verify():
    (top,) = [
        r
        for r in REC.recommend(mk.ClientProfile(client_id="x", age=30), include_ineligible=True)
        if r.approach_id == "top"
    ]
    assert top.status == "verify"
    assert top.to_verify == ["participation_ladder", "wants_paid_work", "can_work_in_group"]
    assert top.coverage == 0.0
    assert top.score == pytest.approx(REC.model.prior)


def test_reasons_come_in_dutch_and_english():
    client = mk.ClientProfile(client_id="x", age=30, wants_paid_work=False)
    en = REC.recommend(client, include_ineligible=True, lang="en")
    nl = REC.recommend(client, include_ineligible=True, lang="nl")
    top_en = next(r for r in en if r.approach_id == "top")
    top_nl = next(r for r in nl if r.approach_id == "top")
    assert top_en.status == "ineligible" and top_en.failed_rules
    assert top_en.reasons[0].startswith("Not met:")
    assert top_nl.reasons[0].startswith("Niet voldaan:")


def test_a_specific_need_outranks_the_broad_approach():
    client = mk.ClientProfile(
        client_id="x",
        age=40,
        months_on_assistance=48,
        psych_complaints="mild",
        motivation="some",
        has_help_question=True,
        participation_ladder=2,
        in_other_trajectory=False,
        exempt_from_work_obligation=True,
        zrm=dict.fromkeys(ZRM_DOMAINS, 3),
    )
    ranked = REC.recommend(client)
    assert ranked[0].approach_id == "aandacht-doet-bewegen"
    assert any(r.approach_id == "fip" for r in ranked[1:])


def test_batch_frame_lists_top_k_and_then_ineligible():
    caseload = mk.read_caseload("profiles/examples/clients.jsonl")
    batch = REC.recommend_batch(caseload)
    frame = batch.to_frame(top=2, include_ineligible=True)
    assert list(frame.columns) == [
        "client_id",
        "approach_id",
        "rank",
        "status",
        "score",
        "to_verify",
        "failed_rules",
    ]
    for _, group in frame.groupby("client_id", sort=False):
        ranked = [int(r) for r in group["rank"].dropna()]
        assert ranked == sorted(ranked) and len(ranked) <= 2
        statuses = group["status"].tolist()
        first_inel = statuses.index("ineligible") if "ineligible" in statuses else len(statuses)
        assert all(s == "ineligible" for s in statuses[first_inel:])


def test_batch_frame_text_columns_agree_with_the_per_client_rendering():
    caseload = mk.read_caseload("profiles/examples/clients.jsonl")
    batch = REC.recommend_batch(caseload)
    frame = batch.to_frame(include_ineligible=True)
    expected = []
    for cid, recs in batch.iter_clients(include_ineligible=True):
        for r in recs:
            expected.append(
                (
                    cid,
                    r.approach_id,
                    r.status,
                    r.score,
                    ";".join(r.to_verify),
                    ";".join(r.failed_rules),
                )
            )
    got = list(
        frame[
            ["client_id", "approach_id", "status", "score", "to_verify", "failed_rules"]
        ].itertuples(index=False, name=None)
    )
    assert got == expected
