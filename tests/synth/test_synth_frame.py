"""The synthetic caseload has the contract's columnar form and is internally consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import FIELDS, STORED_FIELDS, ZRM_COLUMNS, Kind
from matchkit.synth import DEFAULT_UNKNOWN_RATES, REGIONS, generate_caseload

STRING_FIELDS = ("client_id", "municipality", "neighbourhood")


def expected_dtype(name: str) -> object:
    spec = FIELDS[name]
    if spec.kind is Kind.STR:
        return pd.StringDtype()
    if spec.kind is Kind.INT:
        return pd.Int64Dtype()
    if spec.kind is Kind.FLOAT:
        return np.dtype("float64")
    if spec.kind is Kind.BOOL:
        return pd.BooleanDtype()
    if spec.kind is Kind.ENUM:
        return pd.CategoricalDtype(list(spec.values), ordered=spec.ordered)
    return np.dtype(object)


def assert_contract_form(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == STORED_FIELDS
    for name in STORED_FIELDS:
        assert frame[name].dtype == expected_dtype(name), name
    for name in STRING_FIELDS:
        assert frame[name].dtype == "string"
    for name in STORED_FIELDS:
        if FIELDS[name].kind is Kind.ENUM:
            assert list(frame[name].cat.categories) == list(FIELDS[name].values)
            assert frame[name].cat.ordered == FIELDS[name].ordered


@pytest.mark.parametrize("which", [0, 1], ids=["observed", "truth"])
def test_columns_and_dtypes_are_exactly_the_contract(caseload, which):
    assert_contract_form(caseload[which])


@pytest.mark.parametrize("which", [0, 1], ids=["observed", "truth"])
@pytest.mark.slow
def test_validating_a_generated_caseload_again_changes_nothing(which):
    # generate_caseload skips validation because it builds the contract form directly.
    generated = generate_caseload(3_000, seed=9, return_truth=True)[which]
    assert isinstance(generated, mk.Caseload)
    revalidated = mk.Caseload.from_frame(generated.frame.copy())
    pd.testing.assert_frame_equal(revalidated.frame, generated.frame)


def test_an_empty_caseload_still_has_the_contract_form():
    observed, truth = generate_caseload(0, return_truth=True)
    assert len(observed) == len(truth) == 0
    assert_contract_form(observed.frame)
    assert_contract_form(truth.frame)


def test_client_ids_are_numbered_and_unique(observed):
    ids = observed["client_id"]
    assert ids.iloc[0] == "syn-0000001"
    assert ids.iloc[-1] == f"syn-{len(observed):07d}"
    assert ids.is_unique
    assert ids.str.fullmatch(r"[A-Za-z0-9._-]{1,64}").all()


@pytest.mark.slow
def test_the_same_seed_gives_an_identical_frame():
    first, first_truth = generate_caseload(2_000, seed=7, return_truth=True)
    second, second_truth = generate_caseload(2_000, seed=7, return_truth=True)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_frame_equal(first_truth.frame, second_truth.frame)


def test_a_different_seed_gives_a_different_frame():
    first = generate_caseload(2_000, seed=7).frame
    second = generate_caseload(2_000, seed=8).frame
    differs = [name for name in STORED_FIELDS if not first[name].equals(second[name])]
    assert set(differs) >= {"age", "months_on_assistance", "interests", "zrm_housing"}


@pytest.mark.slow
def test_changing_unknown_rates_leaves_the_truth_unchanged():
    _, default = generate_caseload(3_000, seed=3, return_truth=True)
    _, other = generate_caseload(
        3_000, seed=3, unknown_rates={"motivation": 0.9, "zrm": 0.0}, return_truth=True
    )
    pd.testing.assert_frame_equal(default.frame, other.frame)


def test_changing_one_unknown_rate_changes_only_that_column():
    default = generate_caseload(3_000, seed=3).frame
    other = generate_caseload(3_000, seed=3, unknown_rates={"motivation": 0.9}).frame
    differs = [name for name in STORED_FIELDS if not default[name].equals(other[name])]
    assert differs == ["motivation"]


def known_values_equal(observed: pd.DataFrame, truth: pd.DataFrame, name: str) -> bool:
    known = observed[name].notna().to_numpy()
    left, right = observed[name][known], truth[name][known]
    if FIELDS[name].kind is Kind.LIST:
        return left.tolist() == right.tolist()
    return bool((left.astype(object) == right.astype(object)).all())


@pytest.mark.parametrize("name", STORED_FIELDS)
def test_a_known_observed_value_is_the_true_value(caseload, name):
    observed, truth = caseload
    assert known_values_equal(observed, truth, name)


def test_the_truth_is_complete_except_structurally_absent_values(truth):
    missing = truth.isna().sum()
    assert set(missing[missing > 0].index) == {"youngest_child_age", "years_since_last_job"}
    assert truth["youngest_child_age"].isna().eq(truth["children"] == 0).all()
    never_worked = truth["years_since_last_job"].isna()
    assert (truth.loc[never_worked, "work_experience_years"] == 0).all()


def test_zero_unknown_rates_make_the_observed_frame_the_truth():
    rates = dict.fromkeys(DEFAULT_UNKNOWN_RATES, 0.0)
    observed, truth = generate_caseload(2_000, seed=5, unknown_rates=rates, return_truth=True)
    pd.testing.assert_frame_equal(observed.frame, truth.frame)


@pytest.mark.parametrize("name", [n for n in STORED_FIELDS if FIELDS[n].kind is Kind.ENUM])
def test_enum_fields_use_every_level_and_nothing_else(truth, name):
    # pd.Categorical cannot hold values outside its levels; all levels should occur.
    assert set(truth[name].unique()) == set(FIELDS[name].values)


@pytest.mark.parametrize(
    "name", [n for n in STORED_FIELDS if FIELDS[n].kind in (Kind.INT, Kind.FLOAT)]
)
def test_numbers_stay_within_the_contract_bounds(truth, name):
    spec = FIELDS[name]
    values = truth[name].dropna().astype(float)
    if spec.minimum is not None:
        assert values.min() >= spec.minimum
    if spec.maximum is not None:
        assert values.max() <= spec.maximum


def test_ages_span_the_working_life(truth):
    assert truth["age"].min() == 18
    assert truth["age"].max() >= 66


def test_zrm_finances_is_at_most_3_on_assistance(truth):
    assert truth["zrm_finances"].max() <= 3
    assert set(truth["zrm_finances"].unique()) == {1, 2, 3}


@pytest.mark.parametrize("name", [c for c in ZRM_COLUMNS if c != "zrm_finances"])
def test_other_zrm_domains_range_from_problems_to_fully_self_reliant(truth, name):
    # Score 1 (acute problems) may be rare, as in basic ADL; 2 to 5 all occur.
    assert {2, 3, 4, 5} <= set(truth[name].unique()) <= {1, 2, 3, 4, 5}


def test_youngest_child_age_is_given_exactly_when_there_are_children(truth):
    has_children = truth["children"] > 0
    assert truth["youngest_child_age"].notna().eq(has_children).all()
    youngest = truth.loc[has_children, "youngest_child_age"]
    parent_age = truth.loc[has_children, "age"]
    assert youngest.between(0, 17).all()
    assert (parent_age - youngest >= 18).all()


def test_childcare_is_only_arranged_for_children_at_home(truth):
    assert not truth.loc[truth["children"] == 0, "has_childcare"].any()


def test_a_fully_disabled_client_has_no_work_capacity(truth):
    disabled = truth["fully_disabled"]
    assert disabled.any()
    assert (truth.loc[disabled, "work_capacity_pct"] == 0).all()
    assert (truth.loc[disabled, "participation_ladder"] <= 2).all()


def test_work_experience_fits_in_the_years_since_18(truth):
    adult_years = truth["age"] - 18
    assert (truth["work_experience_years"] <= adult_years + 1e-9).all()
    since = truth["years_since_last_job"]
    assert (since[since.notna()] <= adult_years[since.notna()]).all()


def test_months_on_assistance_fit_in_the_years_since_18(truth):
    assert (truth["months_on_assistance"] <= (truth["age"] - 18) * 12).all()


def test_list_fields_hold_fresh_lists_of_allowed_strings(observed):
    for name in ("interests", "other_languages"):
        values = observed[name]
        known = values.dropna()
        assert values.isna().any()
        assert all(type(v) is list for v in known)
        assert len({id(v) for v in known}) == len(known)
    interests = {x for v in observed["interests"].dropna() for x in v}
    assert interests == set(FIELDS["interests"].values)
    languages = {x for v in observed["other_languages"].dropna() for x in v}
    assert all(len(code) == 2 and code.isalpha() and code.islower() for code in languages)


def test_an_empty_list_means_known_to_be_none(truth):
    assert (truth["interests"].map(len) == 0).any()
    assert (truth["other_languages"].map(len) == 0).any()
    assert truth["interests"].notna().all()


def test_municipalities_and_neighbourhoods_come_from_the_regions(truth):
    by_name = {r.name: set(r.neighbourhoods) for r in REGIONS}
    assert set(truth["municipality"].unique()) == set(by_name)
    pairs = truth[["municipality", "neighbourhood"]].drop_duplicates()
    assert all(h in by_name[m] for m, h in pairs.itertuples(index=False))


def test_a_named_municipality_gets_all_clients():
    frame = generate_caseload(500, seed=1, municipality="Zaanstad").frame
    assert (frame["municipality"] == "Zaanstad").all()
    assert frame["neighbourhood"].dropna().isin(["Poelenburg", "Peldersveld"]).any()


def test_an_unlisted_municipality_gets_generic_neighbourhoods():
    frame = generate_caseload(500, seed=1, municipality="Amersfoort").frame
    assert (frame["municipality"] == "Amersfoort").all()
    assert set(frame["neighbourhood"].dropna()) <= {"Centrum", "Noord", "Oost", "Zuid", "West"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": -1}, "n=-1"),
        ({"n": 10, "seed": -3}, "seed=-3"),
        ({"n": 10, "municipality": ""}, "municipality=''"),
        ({"n": 10, "unknown_rates": {"motivation": 1.5}}, r"unknown_rates\['motivation'\]=1.5"),
        ({"n": 10, "unknown_rates": {"motivation": -0.1}}, "from 0 to 1"),
        ({"n": 10, "unknown_rates": {"motivation": float("nan")}}, "from 0 to 1"),
        ({"n": 10, "unknown_rates": {"motivation": "high"}}, "from 0 to 1"),
        ({"n": 10, "unknown_rates": {"shoe_size": 0.1}}, r"unknown_rates\['shoe_size'\]"),
        ({"n": 10, "unknown_rates": {"age": 0.1}}, "age is required"),
        ({"n": 10, "unknown_rates": {"client_id": 0.1}}, "client_id is required"),
    ],
)
def test_bad_arguments_are_rejected_with_what_was_given_and_what_is_allowed(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_caseload(**kwargs)


@pytest.mark.parametrize("n", [2.5, "10", True])
def test_a_count_that_is_not_a_whole_number_is_a_type_error(n):
    with pytest.raises(TypeError, match="whole number"):
        generate_caseload(n)


def test_unknown_rates_that_are_not_a_mapping_are_a_type_error():
    with pytest.raises(TypeError, match="expected a mapping"):
        generate_caseload(10, unknown_rates=[("motivation", 0.1)])  # type: ignore[call-overload]


def test_a_known_municipality_is_matched_case_insensitively():
    frame = generate_caseload(50, seed=1, municipality="sittard-geleen").frame
    assert (frame["municipality"] == "Sittard-Geleen").all()


@settings(max_examples=25)
@given(n=st.integers(0, 60), seed=st.integers(0, 2**63))
@pytest.mark.slow
def test_small_caseloads_keep_every_invariant(n, seed):
    observed_caseload, truth_caseload = generate_caseload(n, seed=seed, return_truth=True)
    observed, truth = observed_caseload.frame, truth_caseload.frame
    assert len(observed) == n
    assert_contract_form(observed)
    assert (truth["zrm_finances"] <= 3).all()
    assert truth["youngest_child_age"].notna().eq(truth["children"] > 0).all()
    assert truth["age"].between(18, 67).all()
    for name in ("age", "months_on_assistance", "motivation", "zrm_housing", "interests"):
        assert known_values_equal(observed, truth, name)
