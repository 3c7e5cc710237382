"""Partly known ZRM aggregates are bounded, so unknown domains are never read as 'no problem'."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import ZRM_DOMAINS
from matchkit.rules import compile_rule
from matchkit.synth._catalog import generate_catalog

# Complete ZRMs without problems need finances 4, which is legal but warned about.
pytestmark = pytest.mark.filterwarnings("ignore::matchkit.errors.DataQualityWarning")


def _columns(zrms: list[dict[str, int]]):
    profiles = [mk.ClientProfile(client_id=f"c{i}", age=30, zrm=z) for i, z in enumerate(zrms)]
    return mk.Caseload.from_profiles(profiles).columns


@pytest.mark.parametrize(
    ("zrm", "expected"),
    [
        ({"housing": 2, "finances": 3}, "true"),  # two known problems: true whatever is unknown
        ({"housing": 2}, "unknown"),  # one known problem, twelve unknown domains
        (dict.fromkeys(ZRM_DOMAINS, 4), "false"),  # complete ZRM, no problems
        (dict.fromkeys(ZRM_DOMAINS[:-1], 4), "false"),  # one unknown domain cannot make two
        (dict.fromkeys(ZRM_DOMAINS[:-2], 4) | {ZRM_DOMAINS[-2]: 1}, "unknown"),  # one + maybe one
        (dict.fromkeys(ZRM_DOMAINS[:-1], 4) | {ZRM_DOMAINS[-1]: 2}, "false"),  # exactly one
        ({}, "unknown"),
    ],
)
def test_problem_domain_count_is_three_valued(zrm, expected):
    tri = compile_rule("zrm_problem_domains >= 2").evaluate(_columns([zrm]))
    assert tri.labels().tolist() == [expected]


def test_lowest_score_is_bounded_by_unknown_domains():
    cols = _columns([{"housing": 2}, {"housing": 4}, dict.fromkeys(ZRM_DOMAINS, 4)])
    assert compile_rule("zrm_min <= 3").evaluate(cols).labels().tolist() == [
        "true",
        "unknown",
        "false",
    ]
    assert compile_rule("zrm_min in [4, 5]").evaluate(cols).labels().tolist() == [
        "false",
        "unknown",
        "true",
    ]


zrm_scores = st.dictionaries(st.sampled_from(ZRM_DOMAINS), st.integers(1, 5))


@pytest.mark.slow
@given(zrm_scores, zrm_scores, st.integers(0, 13), st.sampled_from([">=", "<=", "==", "!="]))
def test_learning_zrm_scores_never_flips_a_settled_aggregate(partial, extra, threshold, op):
    completed = {**extra, **partial}
    rule = compile_rule(f"zrm_problem_domains {op} {threshold}")
    before, after = rule.evaluate(_columns([partial, completed])).labels().tolist()
    assert before == "unknown" or before == after


@pytest.mark.slow
@given(
    st.lists(
        st.fixed_dictionaries({"zrm": zrm_scores, "participation_ladder": st.integers(1, 6)}),
        min_size=1,
        max_size=5,
    ),
    zrm_scores,
)
def test_learning_facts_never_settles_differently_with_a_generated_catalog(records, extra):
    rec = mk.Recommender(generate_catalog(40, seed=5))
    partial = [mk.ClientProfile(client_id=f"c{i}", age=40, **r) for i, r in enumerate(records)]
    completed = [
        mk.ClientProfile(client_id=f"c{i}", age=40, **dict(r, zrm={**extra, **r["zrm"]}))
        for i, r in enumerate(records)
    ]
    before = rec.recommend_batch(partial).status
    after = rec.recommend_batch(completed).status
    settled = before != 1
    np.testing.assert_array_equal(before[settled], after[settled])


def test_graded_preference_on_a_partial_count_is_unknown_until_settled():
    from matchkit._catalog import TargetEntry
    from matchkit.recommend._scoring import graded_match

    entry = TargetEntry(
        id="p",
        feature="zrm_problem_domains",
        prefer={"min": 2},
        tolerance=2,
        source="test",
        label={"nl": "x", "en": "x"},
    )
    cols = _columns([{"housing": 2, "finances": 1}, {"housing": 2}, dict.fromkeys(ZRM_DOMAINS, 4)])
    match = graded_match(entry, cols)
    assert match[0] == 1.0
    assert np.isnan(match[1])
    assert match[2] == 0.0
