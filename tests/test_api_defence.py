"""A defended Python API: wrong types and values name the parameter; nothing is misread."""

from __future__ import annotations

import numpy as np
import pytest

import matchkit as mk
from matchkit.errors import ParameterError


@pytest.fixture(scope="module")
def rec() -> mk.Recommender:
    return mk.Recommender(mk.load_catalog())


@pytest.fixture(scope="module")
def result(rec) -> mk.BatchResult:
    profiles = [mk.ClientProfile(client_id=f"c-{i}", age=30 + i) for i in range(5)]
    return rec.recommend_batch(profiles)


CLIENT = {"client_id": "c-1", "age": 60, "social_skills": "high", "wants_paid_work": True}


@pytest.mark.parametrize(
    ("client", "error"),
    [("c-1", TypeError), (None, TypeError), (42, TypeError), ({"client_id": "c-1"}, ValueError)],
)
def test_recommend_refuses_what_is_not_a_profile(rec, client, error):
    with pytest.raises(error, match=r"client|age"):
        rec.recommend(client)


def test_recommend_accepts_a_mapping_validated_as_a_profile(rec):
    from_mapping = rec.recommend(CLIENT)
    from_model = rec.recommend(mk.ClientProfile(**CLIENT))
    assert from_mapping == from_model


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"top": 0}, ParameterError, "top"),
        ({"top": -1}, ParameterError, "top"),
        ({"top": "3"}, TypeError, "top"),
        ({"top": 2.0}, TypeError, "top"),
        ({"top": True}, TypeError, "top"),
        ({"lang": "de"}, ParameterError, "lang"),
        ({"lang": None}, ParameterError, "lang"),
        ({"include_ineligible": "yes"}, TypeError, "include_ineligible"),
    ],
)
def test_listing_options_are_checked_everywhere(rec, result, kwargs, error, name):
    with pytest.raises(error, match=name):
        rec.recommend(CLIENT, **kwargs)
    with pytest.raises(error, match=name):
        result.recommendations(0, **kwargs)
    with pytest.raises(error, match=name):
        next(result.iter_clients(**kwargs))
    if "lang" not in kwargs:
        with pytest.raises(error, match=name):
            result.to_frame(**kwargs)


def test_top_1_lists_one_and_none_lists_all(rec):
    assert len(rec.recommend(CLIENT, top=1)) == 1
    assert len(rec.recommend(CLIENT, top=None)) >= 1


@pytest.mark.parametrize("bad", [None, "catalog", [1, 2], {}])
def test_recommender_needs_a_catalog(bad):
    with pytest.raises(TypeError, match="catalog"):
        mk.Recommender(bad)


@pytest.mark.parametrize("bad", [["a"], "c-1", 5, [None], {"client_id": "c-1"}])
def test_recommend_batch_refuses_what_is_not_a_caseload(rec, bad):
    with pytest.raises(TypeError, match=r"caseload|profiles"):
        rec.recommend_batch(bad)


def test_a_string_as_exclude_value_is_refused_not_split_into_letters(result):
    with pytest.raises(TypeError, match="exclude"):
        mk.plan_assignment(result, exclude={"c-1": "fip"})
    plan = mk.plan_assignment(result, exclude={"c-1": ["fip"]})
    assert plan.assignments.loc[0, "approach_id"] != "fip"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"capacity": {"fip": 2**60}}, ParameterError),
        ({"capacity": {"fip": 10**30}}, ParameterError),
        ({"capacity": {"fip": -1}}, ParameterError),
        ({"capacity": {"fip": 1.5}}, ParameterError),
        ({"capacity": "fip=3"}, TypeError),
        ({"min_share": {"gender=unknown": 2}}, ParameterError),
        ({"min_share": {"gender=unknown": float("nan")}}, ParameterError),
        ({"min_share": {"gender=unknown": "half"}}, TypeError),
        ({"include_verify": "no"}, TypeError),
        ({"method": "best"}, ParameterError),
    ],
)
def test_plan_assignment_checks_its_arguments(result, kwargs, error):
    with pytest.raises(error):
        mk.plan_assignment(result, **kwargs)


def test_plan_assignment_needs_a_batch_result():
    with pytest.raises(TypeError, match="result"):
        mk.plan_assignment(None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"selection_ratios": {"fip": 2}},
        {"selection_ratios": {"fip": 0}},
        {"selection_ratios": {"fip": float("nan")}},
        {"selection_ratios": {"nosuch": 0.5}},
        {"verify_pass_rate": 1.5},
        {"verify_pass_rate": float("inf")},
    ],
)
def test_candidate_pools_raise_parameter_error(result, kwargs):
    with pytest.raises(ParameterError):
        mk.candidate_pools(result, **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"prior": 2.0},
        {"prior": float("nan")},
        {"prior_weight": 0.0},
        {"prior_weight": float("inf")},
        {"specificity_bounds": (0.0, 1.0)},
        {"specificity_bounds": (2.0, 1.0)},
        {"specificity_bounds": (1.0,)},
    ],
)
def test_scoring_model_raises_parameter_error(kwargs):
    with pytest.raises(ParameterError):
        mk.ScoringModel(**kwargs)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: mk.generate_caseload(-1), ParameterError),
        (lambda: mk.generate_caseload(5, seed=-1), ParameterError),
        (lambda: mk.generate_caseload("5"), TypeError),
        (lambda: mk.generate_caseload(5, unknown_rates={"age": 0.5}), ParameterError),
        (lambda: mk.evaluate(mk.load_catalog(), n=0), ParameterError),
        (lambda: mk.evaluate(None, n=10), TypeError),
        (lambda: mk.read_caseload(42), TypeError),
        (lambda: mk.read_caseload(b"bytes"), TypeError),
        (lambda: mk.read_caseload(""), ParameterError),
        (lambda: mk.write_caseload("not a caseload", "x.csv"), TypeError),
        (lambda: mk.load_catalog(42), TypeError),
    ],
)
def test_other_public_functions_name_what_is_wrong(call, error):
    with pytest.raises(error):
        call()


def test_write_caseload_refuses_an_unknown_format(tmp_path):
    caseload = mk.read_caseload([mk.ClientProfile(client_id="a", age=30)])
    with pytest.raises(ParameterError, match="format"):
        mk.write_caseload(caseload, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_recommendations_for_one_client_equal_the_batch_row(rec, result):
    one = rec.recommend(mk.ClientProfile(client_id="c-2", age=32), top=3)
    assert one == result.recommendations(2, top=3)
    assert np.isfinite([r.score for r in one]).all()
