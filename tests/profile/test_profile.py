from __future__ import annotations

import warnings

import pydantic
import pytest
from hypothesis import given

import matchkit as mk
from matchkit._fields import FIELDS, STORED_FIELDS, ZRM_DOMAINS
from tests.strategies import invalid_value, profile_records


def test_only_client_id_and_age_are_required():
    p = mk.ClientProfile(client_id="c-1", age=30)
    assert p.motivation is None
    assert p.interests is None
    assert p.zrm == {}


@pytest.mark.parametrize("missing", ["client_id", "age"])
def test_required_field_missing_is_rejected_with_its_name(missing):
    data = {"client_id": "c-1", "age": 30}
    del data[missing]
    with pytest.raises(pydantic.ValidationError, match=missing):
        mk.ClientProfile(**data)


def test_unknown_is_kept_distinct_from_false_zero_and_empty():
    unknown = mk.ClientProfile(client_id="a", age=30)
    known = mk.ClientProfile(client_id="a", age=30, wants_paid_work=False, children=0, interests=[])
    assert unknown.wants_paid_work is None and known.wants_paid_work is False
    assert unknown.children is None and known.children == 0
    assert unknown.interests is None and known.interests == []


@pytest.mark.parametrize(
    ("enum", "low", "high"),
    [
        (mk.DutchLevel, "A2", "B1"),
        (mk.Education, "vmbo", "mbo2"),
        (mk.Motivation, "some", "high"),
        (mk.PsychComplaints, "mild", "severe"),
        (mk.SocialSkills, "low", "medium"),
    ],
)
def test_ordered_enums_compare_by_their_order(enum, low, high):
    assert enum(low) < enum(high)
    assert enum(high) >= low
    assert not enum(low) > enum(high)


def test_ordered_enum_levels_match_the_registry():
    for enum, name in [
        (mk.DutchLevel, "dutch_level"),
        (mk.Education, "education"),
        (mk.Motivation, "motivation"),
        (mk.PsychComplaints, "psych_complaints"),
        (mk.PhysicalLimitations, "physical_limitations"),
        (mk.SocialSkills, "social_skills"),
        (mk.Independence, "independence"),
    ]:
        assert tuple(e.value for e in enum) == FIELDS[name].values


def test_model_fields_match_the_contract_registry():
    model = set(mk.ClientProfile.model_fields) - {"zrm"}
    stored = {f for f in STORED_FIELDS if not f.startswith("zrm_")}
    assert model == stored


@pytest.mark.parametrize(
    ("kwargs", "single_parent"),
    [
        ({"household": "single", "children": 2}, True),
        ({"household": "couple", "children": 2}, False),
        ({"household": "single", "children": 0}, False),
        ({"household": "single"}, None),
        ({"children": 1}, None),
        ({"children": 0}, False),
    ],
)
def test_single_parent_is_derived_in_three_valued_logic(kwargs, single_parent):
    assert mk.ClientProfile(client_id="a", age=30, **kwargs).single_parent is single_parent


@pytest.mark.parametrize(("months", "long_term"), [(None, None), (23, False), (24, True)])
def test_long_term_means_24_months_or_more(months, long_term):
    p = mk.ClientProfile(client_id="a", age=30, months_on_assistance=months)
    assert p.long_term is long_term


def test_youngest_child_age_must_be_absent_without_children():
    with pytest.raises(pydantic.ValidationError, match="youngest_child_age"):
        mk.ClientProfile(client_id="a", age=30, children=0, youngest_child_age=3)


def test_zrm_finances_above_three_warns_but_is_accepted():
    with pytest.warns(mk.DataQualityWarning, match="finances"):
        p = mk.ClientProfile(client_id="a", age=30, zrm={"finances": 4})
    assert p.zrm["finances"] == 4


@pytest.mark.parametrize(
    ("zrm", "match"), [({"housing": 6}, "zrm.housing"), ({"wellbeing": 3}, "zrm.wellbeing")]
)
def test_bad_zrm_scores_and_domains_are_rejected(zrm, match):
    with pytest.raises(pydantic.ValidationError, match=match):
        mk.ClientProfile(client_id="a", age=30, zrm=zrm)


def test_legacy_eleven_domain_zrm_is_translated():
    p = mk.ClientProfile(
        client_id="a",
        age=30,
        zrm11={"day_activities": 2, "adl": 4, "addiction": 5},  # type: ignore[call-arg]
    )
    assert p.zrm == {
        "work_education": 2,
        "time_use": 2,
        "basic_adl": 4,
        "instrumental_adl": 4,
        "substance_use": 5,
    }


def test_leefgebieden_take_the_lowest_known_domain():
    areas = mk.leefgebieden_from_zrm({"domestic_relations": 4, "social_network": 2})
    assert areas["sociale_relaties"] == 2
    assert areas["wonen"] is None
    assert len(areas) == 8


def test_every_zrm_domain_belongs_to_a_leefgebied():
    from matchkit._fields import FIP_LEEFGEBIEDEN

    covered = {d for ds in FIP_LEEFGEBIEDEN.values() for d in ds}
    assert covered <= set(ZRM_DOMAINS)
    assert covered >= set(ZRM_DOMAINS) - {"justice"}


@given(profile_records())
@pytest.mark.slow
def test_valid_records_round_trip_through_the_model(rec):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = mk.ClientProfile.model_validate(rec)
    again = mk.ClientProfile.model_validate_json(p.model_dump_json())
    assert again == p


@pytest.mark.parametrize(
    "name", [n for n in STORED_FIELDS if not n.startswith("zrm_") and n != "client_id"]
)
@given(data=__import__("hypothesis").strategies.data())
def test_an_invalid_value_in_any_field_is_rejected_with_that_field_named(name, data):
    bad = data.draw(invalid_value(name))
    rec = {"client_id": "c-1", "age": 30, name: bad}
    with pytest.raises(pydantic.ValidationError) as exc:
        mk.ClientProfile.model_validate(rec)
    assert name in str(exc.value)
