"""A justified rule on a sensitive field may decide eligibility, never the score."""

from __future__ import annotations

import pytest

import matchkit as mk


@pytest.fixture(scope="module")
def catalog() -> mk.Catalog:
    base = mk.load_catalog()
    data = base["energiebox"].model_dump(mode="json")
    data["rules"].append(
        {
            "id": "women-or-older",
            "rule": 'gender == "female" or age >= 60',
            "source": "test",
            "reason": {"nl": "vrouw of 60+", "en": "woman or 60+"},
            "justification": "a test of the promise that sensitive rules never score",
            "weight": 3.0,
        }
    )
    approach = mk.Approach.model_validate(data)
    problems = approach.compile()
    assert problems == []
    return mk.Catalog([approach, *[base[i] for i in base.ids if i != "energiebox"]])


@pytest.mark.parametrize("specificity", [True, False])
def test_gender_changes_the_status_but_not_the_score(catalog, specificity):
    rec = mk.Recommender(catalog, model=mk.ScoringModel(specificity=specificity))
    common = {
        "age": 55,
        "social_skills": "high",
        "wants_paid_work": True,
        "months_on_assistance": 30,
    }
    clients = [
        mk.ClientProfile(client_id="female", gender="female", **common),
        mk.ClientProfile(client_id="unknown", **common),
        mk.ClientProfile(client_id="male", gender="male", **common),
    ]
    result = rec.recommend_batch(clients)
    j = result.approach_ids.index("energiebox")
    scores = result.score[:, j]
    assert scores[0] == scores[1] == scores[2]
    coverage = result.coverage[:, j]
    assert coverage[0] == coverage[1] == coverage[2]
    # Eligibility still follows the rule: true, unknown, false.
    assert [int(s) for s in result.status[:, j]] == [2 if _others_true(result, j) else 1, 1, 0]
    recs = result.recommendations(0, include_ineligible=True)
    energiebox = next(r for r in recs if r.approach_id == "energiebox")
    assert energiebox.contributions.get("rule:women-or-older", 0.0) == 0.0


def _others_true(result: mk.BatchResult, j: int) -> bool:
    states = result.rule_state[j][0]
    return bool((states[:-1] == 1).all())
