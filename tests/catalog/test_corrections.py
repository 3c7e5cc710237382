"""Issue 9, part 1: each catalog correction, tested against the section of the report it rests on.

Every test builds a client the report describes and checks what the catalog makes of it, so
the test would have caught the error it names.
"""

from __future__ import annotations

from typing import Any

import pytest

import matchkit as mk

CATALOG = mk.load_catalog()
REC = mk.Recommender(CATALOG)

# A complete profile that fits no approach in particular; each test changes what it needs.
BASE: dict[str, Any] = {
    "client_id": "c",
    "age": 40,
    "gender": "female",
    "municipality": "Utrecht",
    "months_on_assistance": 36,
    "household": "single",
    "children": 0,
    "migration_background": "none",
    "dutch_level": "B2",
    "other_languages": [],
    "education": "mbo2",
    "work_experience_years": 5.0,
    "years_since_last_job": 3.0,
    "participation_ladder": 3,
    "work_capacity_pct": 60,
    "part_time_income_eur": 0.0,
    "wants_paid_work": True,
    "motivation": "some",
    "interests": [],
    "psych_complaints": "none",
    "physical_limitations": "none",
    "social_skills": "medium",
    "independence": "medium",
    "can_work_in_group": True,
    "has_help_question": False,
    "has_transport": True,
    "has_childcare": False,
    "exempt_from_work_obligation": False,
    "fully_disabled": False,
    "in_other_trajectory": False,
    "uses_minimum_schemes": True,
    "zrm": {
        "finances": 3,
        "work_education": 3,
        "time_use": 4,
        "housing": 4,
        "domestic_relations": 4,
        "mental_health": 4,
        "physical_health": 4,
        "substance_use": 5,
        "basic_adl": 5,
        "instrumental_adl": 4,
        "social_network": 4,
        "community_participation": 3,
        "justice": 5,
    },
}


def client(**changes: Any) -> mk.ClientProfile:
    data = {**BASE, **changes}
    return mk.ClientProfile(**data)


def rec(approach_id: str, lang: str = "en", **changes: Any) -> mk.Recommendation:
    recs = REC.recommend(client(**changes), include_ineligible=True, lang=lang)  # type: ignore[arg-type]
    return next(r for r in recs if r.approach_id == approach_id)


def target(approach_id: str, entry_id: str) -> mk.Approach:
    approach = CATALOG[approach_id]
    assert entry_id in {t.id for t in approach.target}, entry_id
    return approach


# ------------------------------------------------------------------------------------ FIP §3.5


def test_fip_part_time_earners_on_step_5_are_not_shut_out_footnote_12_and_3_5_3():
    r = rec("fip", participation_ladder=5, part_time_income_eur=8000.0)
    assert r.status == "eligible"
    assert not any("ladder" in rule for rule in r.failed_rules)


def test_fip_part_time_income_above_6000_raises_the_score_3_5_3():
    low = rec("fip", participation_ladder=5, part_time_income_eur=3000.0)
    high = rec("fip", participation_ladder=5, part_time_income_eur=8000.0)
    assert high.score > low.score
    assert any(
        "6.000" in reason for reason in rec("fip", "nl", part_time_income_eur=8000.0).reasons
    )


def test_fip_young_people_over_a_year_on_benefit_are_captured_3_5_3():
    young = rec("fip", age=23, months_on_assistance=18)
    older = rec("fip", age=30, months_on_assistance=18)
    assert young.score > older.score
    assert any("young person" in reason.lower() for reason in young.reasons)


def test_fip_has_no_hard_ladder_rule_so_no_contradicting_explanations_3_5_1():
    r = rec("fip", "nl", participation_ladder=6, part_time_income_eur=4000.0)
    assert r.status == "eligible"
    assert not any(reason.startswith("Niet voldaan") for reason in r.reasons)
    assert not any("voetnoot" in reason or "footnote" in reason for reason in r.reasons)


# ------------------------------------------------------------------------------ Buurt-m/v §3.3

BUURT = {
    "participation_ladder": 4,
    "social_skills": "high",
    "motivation": "high",
    "interests": ["care"],
}


def test_buurt_mv_without_transport_is_eligible_with_transport_to_arrange_3_3_2_and_4_2_11():
    r = rec("buurt-mv", "nl", has_transport=False, **BUURT)
    assert r.status == "eligible"
    assert r.to_arrange == ["transport"]
    assert any(reason.startswith("Te regelen: vervoer") for reason in r.reasons)
    with_transport = rec("buurt-mv", has_transport=True, **BUURT)
    assert with_transport.score == pytest.approx(r.score)  # arranging never changes the score


def test_buurt_mv_childcare_for_young_children_is_to_arrange_4_2_8():
    r = rec("buurt-mv", children=1, youngest_child_age=3, has_childcare=False, **BUURT)
    assert r.status == "eligible" and r.to_arrange == ["childcare"]
    older = rec("buurt-mv", children=1, youngest_child_age=15, has_childcare=False, **BUURT)
    assert older.to_arrange == []


# ----------------------------------------------------------------------------- Energiebox §3.4

ENERGIEBOX = {"age": 58, "interests": ["sustainability"], "wants_paid_work": True}


def test_energiebox_asks_socially_skilled_not_high_skills_3_4_4b():
    assert rec("energiebox", social_skills="medium", **ENERGIEBOX).status == "eligible"
    assert rec("energiebox", social_skills="low", **ENERGIEBOX).status == "ineligible"


def test_energiebox_has_no_unsourced_dutch_preference_3_4_2():
    approach = CATALOG["energiebox"]
    assert not any(t.feature == "dutch_level" or "dutch" in t.id for t in approach.target)
    a1 = rec("energiebox", dutch_level="A1", **ENERGIEBOX)
    c1 = rec("energiebox", dutch_level="C1", **ENERGIEBOX)
    assert a1.score == pytest.approx(c1.score)


def test_energiebox_independence_childcare_and_transport_are_preconditions_4_2_8():
    approach = CATALOG["energiebox"]
    assert {a.id for a in approach.arrange} == {"transport", "childcare"}
    assert "independence" in {t.id for t in approach.target}
    r = rec(
        "energiebox",
        has_transport=False,
        children=1,
        youngest_child_age=2,
        has_childcare=False,
        **ENERGIEBOX,
    )
    assert r.status == "eligible" and sorted(r.to_arrange) == ["childcare", "transport"]


# --------------------------------------------------- Opleiden in de zorg §3.2 and TOP §3.8


def test_opleiden_childcare_depends_on_young_children_3_2_2():
    base = {"dutch_level": "B1", "interests": ["care"], "work_capacity_pct": 80}
    young = rec("opleiden-in-de-zorg", children=2, youngest_child_age=3, **base)
    teen = rec("opleiden-in-de-zorg", children=1, youngest_child_age=16, **base)
    assert young.to_arrange == ["childcare"] and teen.to_arrange == []
    assert young.status == teen.status == "eligible"


def test_top_single_parent_item_depends_on_young_children_3_8_1():
    small = rec("top", "nl", children=1, youngest_child_age=4, participation_ladder=3)
    grown = rec("top", "nl", children=1, youngest_child_age=16, participation_ladder=3)
    assert small.score > grown.score
    assert any("jonge kinderen" in reason for reason in small.reasons if "Past bij" in reason)
    # A missing bonus is never shown as a difference.
    assert not any("jonge kinderen" in reason for reason in grown.reasons)


def test_unknown_youngest_child_age_is_unknown_not_false():
    assert mk.ClientProfile(client_id="x", age=30, children=2).youngest_child_age is None
    r = rec("opleiden-in-de-zorg", children=2, youngest_child_age=None)
    assert r.to_arrange == []  # unknown: asked at intake, not claimed to be needed


# -------------------------------------------------------------------------------------- TOP


def test_top_requires_needing_help_with_barriers_3_8_2():
    assert rec("top", participation_ladder=4).status == "eligible"
    r = rec("top", "nl", participation_ladder=6)
    assert r.status == "ineligible"
    assert "needs-help-with-barriers" in r.failed_rules
    assert any("cliënt: trede 6" in reason for reason in r.reasons)


def test_top_has_no_unsourced_a2_preference_3_8_2():
    assert not any(t.feature == "dutch_level" for t in CATALOG["top"].target)


# -------------------------------------------------------------------------------------- APP


def test_app_does_not_mark_native_speakers_down_3_6_4d():
    app = {"months_on_assistance": 48, "participation_ladder": 2}
    native = rec("app", dutch_level="C2", **app)
    learner = rec("app", dutch_level="A1", **app)
    assert native.status == learner.status == "eligible"
    assert learner.score >= native.score  # the taaleis is a lever ...
    unknown = rec("app", dutch_level=None, **app)
    assert native.score == pytest.approx(unknown.score)  # ... never a penalty
    assert not any("Differs" in reason and "Dutch" in reason for reason in native.reasons)


# ---------------------------------------------------------------------- Aandacht doet bewegen


def test_aandacht_no_longer_prefers_mild_complaints_3_7_4():
    base = {"motivation": "some", "has_help_question": True}
    mild = rec("aandacht-doet-bewegen", psych_complaints="mild", **base)
    severe = rec("aandacht-doet-bewegen", psych_complaints="severe", **base)
    assert mild.score == pytest.approx(severe.score)
    assert not any("common mental" in t.label.nl for t in CATALOG["aandacht-doet-bewegen"].target)


def test_aandacht_severe_cases_are_routed_to_other_care_first_3_7_2():
    r = rec(
        "aandacht-doet-bewegen",
        "nl",
        psych_complaints="severe",
        motivation="some",
        has_help_question=True,
    )
    assert r.status == "eligible"
    assert r.to_arrange == ["other-care-first-when-severe"]
    assert any("andere hulpverlening" in reason for reason in r.reasons)


def test_no_partly_fits_when_the_client_has_none_of_it():
    r = rec("aandacht-doet-bewegen", "en", psych_complaints="none")
    assert not any(reason.startswith("Partly fits") for reason in r.reasons)
