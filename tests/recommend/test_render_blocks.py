"""Block rendering gives, byte for byte, what rendering each client and approach alone gives.

``BatchResult.iter_clients`` and ``recommendations`` render a block of clients once per
distinct case (``matchkit.recommend._render``). The reference here is the straightforward
loop: per client, per listed approach, the per-pair renderer with the client's own facts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import matchkit as mk
from matchkit.recommend._explain import render_reasons
from matchkit.recommend._scoring import INELIGIBLE, STATUS_NAMES, contributions, match_criteria
from matchkit.synth import DEFAULT_UNKNOWN_RATES, generate_catalog

# Unknown-heavy: thin files (intake leads, expectations), many fields to verify.
HEAVY = {k: min(0.9, 3 * v + 0.2) for k, v in DEFAULT_UNKNOWN_RATES.items()}
OFFERING = mk.Offering(by_area={"Utrecht": ["energiebox", "fip", "buurt-mv", "top"]})


def _matches(result: mk.BatchResult, j: int) -> Any:
    """Preference matches of approach ``j`` for every client, computed once per result."""
    cache = result.__dict__.setdefault("_test_matches", {})
    if j not in cache:
        cache[j] = match_criteria(result.catalog.approaches[j], result.caseload.columns)[1]
    return cache[j]


def reference(
    result: mk.BatchResult, row: int, top: int | None, include_ineligible: bool, lang: Any
) -> list[mk.Recommendation]:
    """One client, approach by approach, the way it was rendered before blocks."""
    m = len(result.approach_ids)
    order = [j for j in np.argsort(result.rank[row], kind="stable") if result.rank[row, j] > 0]
    if top is not None:
        order = order[:top]
    apart = [int(j) for j in np.flatnonzero(result.not_offered[row])]
    order += sorted(apart, key=lambda j: (-result.score[row, j], j))
    if include_ineligible:
        order += [j for j in range(m) if result.status[row, j] == INELIGIBLE]
    facts = result.client_facts(row)
    municipality = facts.get("municipality")
    lead = result.intake_lead(row, lang)
    out = []
    for j in order:
        approach = result.catalog.approaches[j]
        status = int(result.status[row, j])
        state = result.rule_state[j][row]
        target_match = _matches(result, j)[row]
        verify = result.to_verify(row, j)
        parts = contributions(approach, state, target_match, result.model, result.evidence[j])
        reasons = render_reasons(
            approach,
            status,
            state,
            target_match,
            float(result.coverage[row, j]),
            verify,
            lang,
            facts=facts,
            arrange_state=result.arrange_state[j][row],
            specificity=result.evidence[j].target_specificity,
            offered=bool(result.offered[row, j]),
            municipality=str(municipality) if municipality else None,
            expectation=result._expectation(row, j),
        )
        out.append(
            mk.Recommendation(
                approach_id=approach.id,
                rank=int(result.rank[row, j]) or None,
                status=STATUS_NAMES[status],
                score=float(result.score[row, j]),
                reasons=[*lead, *reasons] if result.rank[row, j] == 1 else reasons,
                to_verify=verify,
                failed_rules=result.failed_rules(row, j),
                coverage=float(result.coverage[row, j]),
                contributions={f"{kind}:{key}": value for kind, key, value in parts},
                name=approach.name,
                offered=bool(result.offered[row, j]),
                to_arrange=result.to_arrange(row, j),
            )
        )
    return out


def _compare(
    result: mk.BatchResult, lang: Any, top: int | None, include_ineligible: bool, chunk: int = 300
) -> int:
    seen = 0
    listing = result.iter_clients(
        top=top, include_ineligible=include_ineligible, lang=lang, chunk_size=chunk
    )
    for row, (cid, recs) in enumerate(listing):
        assert cid == result.client_ids[row]
        expected = reference(result, row, top, include_ineligible, lang)
        assert recs == expected, (cid, lang)
        # Byte for byte, and the types of what goes into JSON.
        assert [r.reasons for r in recs] == [r.reasons for r in expected]
        assert all(type(r.score) is float and type(r.coverage) is float for r in recs)
        seen += len(recs)
    return seen


def _exercised(result: mk.BatchResult) -> None:
    """The caseload reaches every branch the key must capture."""
    rows = np.arange(len(result))
    assert result.thin_rows(rows).any() and not result.thin_rows(rows).all()
    assert result.not_offered.any()
    assert (result.status == INELIGIBLE).any() and (result.status == 1).any()
    assert any((s == 0).any() for s in result.arrange_state if s.size)


@pytest.fixture(scope="module")
def builtin() -> mk.BatchResult:
    rec = mk.Recommender(mk.load_catalog(), offering=OFFERING)
    return rec.recommend_batch(mk.generate_caseload(600, seed=7, unknown_rates=HEAVY))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_blocks_equal_the_per_client_reference(builtin, lang):
    _exercised(builtin)
    assert _compare(builtin, lang, 3, False) > 600
    assert _compare(builtin, lang, None, True) == 600 * len(builtin.approach_ids)
    # Small blocks: an approach listed for one client of a block, renderings kept across.
    _compare(builtin, lang, 2, True, chunk=3)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("catalog", ["builtin", "generated"])
def test_blocks_equal_the_reference_on_2000_clients(lang, catalog):
    cat = mk.load_catalog() if catalog == "builtin" else generate_catalog(12, seed=4)
    offering = OFFERING if catalog == "builtin" else None
    rec = mk.Recommender(cat, offering=offering)
    result = rec.recommend_batch(mk.generate_caseload(2_000, seed=11, unknown_rates=HEAVY))
    _compare(result, lang, 3, False)
    _compare(result, lang, None, True)


@pytest.mark.slow
def test_one_row_goes_through_the_same_blocks(builtin):
    for row in (0, 3, 41):
        for lang in ("en", "nl"):
            got = builtin.recommendations(row, include_ineligible=True, lang=lang)
            assert got == reference(builtin, row, None, True, lang)


def test_recommendations_do_not_share_mutable_lists():
    rec = mk.Recommender(mk.load_catalog())
    result = rec.recommend_batch(mk.generate_caseload(100, seed=7, unknown_rates=HEAVY))
    a, b = (dict(result.iter_clients(lang="nl")) for _ in range(2))
    cid = result.client_ids[0]
    first = a[cid][0]
    first.reasons.append("changed")
    first.contributions["x"] = 1.0
    assert b[cid][0].reasons[-1] != "changed"
    others = [r for recs in a.values() for r in recs if r is not first]
    assert all("changed" not in r.reasons and "x" not in r.contributions for r in others)


def test_clients_alike_but_for_which_fact_to_verify_get_their_own_text():
    """Same status, rule states and coverage; only the unknown field of a rule differs."""
    base = mk.load_catalog()
    data = base["energiebox"].model_dump()
    data["arrange"] = []  # nothing else may tell the clients apart
    data["rules"].append(
        {
            "id": "single-no-children",
            "rule": 'household == "single" and children == 0',
            "source": "test",
            "reason": {"nl": "alleenstaand zonder kinderen", "en": "single without children"},
            "weight": 1.0,
        }
    )
    approach = mk.Approach.model_validate(data)
    assert approach.compile() == []
    catalog = mk.Catalog([approach])
    common = {"age": 60, "social_skills": "high", "interests": ["sustainability"]}
    differences: list[dict[str, Any]] = [
        {"children": 0},
        {"household": "single"},
        {"children": 0},
        {"household": "single"},
    ]
    clients = [
        mk.ClientProfile(client_id=f"c-{i}", **common, **facts)
        for i, facts in enumerate(differences)
    ]
    result = mk.Recommender(catalog).recommend_batch(clients)
    assert (result.status[:, 0] == 1).all()
    verify = [recs[0].to_verify for _, recs in result.iter_clients(lang="en")]
    asked = [[f for f in v if f in ("household", "children")] for v in verify]
    assert asked == [["household"], ["children"], ["household"], ["children"]]
    for lang in ("en", "nl"):
        for row, (_, recs) in enumerate(result.iter_clients(lang=lang)):
            assert recs == reference(result, row, None, False, lang)


def test_clients_alike_but_for_a_quoted_value_get_their_own_text():
    """Ineligible on the same rule with different ages: each reason quotes its own age."""
    data = mk.load_catalog()["energiebox"].model_dump()
    data["arrange"] = []
    catalog = mk.Catalog([mk.Approach.model_validate(data)])
    clients = [
        mk.ClientProfile(client_id=f"c-{i}", age=age, social_skills="high")
        for i, age in enumerate([30, 40, 30, 40])
    ]
    result = mk.Recommender(catalog).recommend_batch(clients)
    assert (result.status[:, 0] == 0).all()
    for lang in ("en", "nl"):
        listed = list(result.iter_clients(include_ineligible=True, lang=lang))
        assert listed[0][1][0].reasons != listed[1][1][0].reasons
        for row, (_, recs) in enumerate(listed):
            assert recs == reference(result, row, None, True, lang)
