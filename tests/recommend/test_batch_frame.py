"""The flat table of a batch lists exactly what each client's rendered recommendations say."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit._fields import DERIVED_FROM, STORED_FIELDS
from matchkit.synth import DEFAULT_UNKNOWN_RATES, generate_caseload, generate_catalog

COLUMNS = ["client_id", "approach_id", "rank", "status", "score", "to_verify", "failed_rules"]


def rendered_rows(
    batch: mk.BatchResult, top: int | None, include_ineligible: bool
) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for cid, recs in batch.iter_clients(top=top, include_ineligible=include_ineligible):
        for r in recs:
            rank = pd.NA if r.rank is None else r.rank
            verify, failed = ";".join(r.to_verify), ";".join(r.failed_rules)
            rows.append((cid, r.approach_id, rank, r.status, r.score, verify, failed))
    return rows


@pytest.mark.slow
@settings(max_examples=25)
@given(
    n=st.integers(1, 40),
    caseload_seed=st.integers(0, 2**32),
    catalog=st.one_of(st.none(), st.tuples(st.integers(1, 8), st.integers(0, 2**32))),
    unknown=st.sampled_from([None, 0.0, 0.5, 0.9]),
    top=st.one_of(st.none(), st.integers(1, 3)),
    include_ineligible=st.booleans(),
)
def test_to_frame_agrees_with_iter_clients_on_generated_caseloads(
    n, caseload_seed, catalog, unknown, top, include_ineligible
):
    rates = None if unknown is None else dict.fromkeys(DEFAULT_UNKNOWN_RATES, unknown)
    caseload = generate_caseload(n, seed=caseload_seed, unknown_rates=rates)
    approaches = (
        mk.load_catalog() if catalog is None else generate_catalog(catalog[0], seed=catalog[1])
    )
    batch = mk.Recommender(approaches).recommend_batch(caseload)
    frame = batch.to_frame(top=top, include_ineligible=include_ineligible)
    assert list(frame.columns) == COLUMNS
    text = pd.Series(["a text"]).dtype  # what pandas makes of strings (str, or object)
    for name in ("client_id", "approach_id", "status", "to_verify", "failed_rules"):
        assert frame[name].dtype == text, name
    assert frame["rank"].dtype == "Int64" and frame["score"].dtype == "float64"
    got = list(frame.itertuples(index=False, name=None))
    expected = rendered_rows(batch, top, include_ineligible)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[:2] == e[:2]
        assert (g[2] is pd.NA and e[2] is pd.NA) or g[2] == e[2]
        assert g[3:] == e[3:]


def reference_to_verify(batch: mk.BatchResult, row: int, j: int) -> list[str]:
    """Per-row reference: unknown fields read by an unknown hard rule of a verify pair."""
    if batch.status[row, j] != 1:
        return []
    cols = batch.caseload.columns
    approach = batch.catalog.approaches[j]
    fields = {
        stored
        for compiled, state in zip(approach.compiled_rules, batch.rule_state[j][row], strict=True)
        if state == -1
        for name in compiled.fields
        for stored in DERIVED_FROM.get(name, (name,))
        if not cols.known(stored)[row]
    }
    return sorted(fields, key=STORED_FIELDS.index)


def reference_failed_rules(batch: mk.BatchResult, row: int, j: int) -> list[str]:
    rules = batch.catalog.approaches[j].rules
    return [r.id for r, s in zip(rules, batch.rule_state[j][row], strict=True) if s == 0]


@pytest.mark.slow
def test_the_per_row_lists_match_a_per_row_reference():
    caseload = generate_caseload(300, seed=5, unknown_rates={"motivation": 0.8, "zrm": 0.6})
    batch = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    seen_verify = seen_failed = False
    for j in range(len(batch.approach_ids)):
        for row in range(len(batch)):
            to_verify, failed = batch.to_verify(row, j), batch.failed_rules(row, j)
            assert to_verify == reference_to_verify(batch, row, j)
            assert failed == reference_failed_rules(batch, row, j)
            seen_verify |= bool(to_verify)
            seen_failed |= bool(failed)
    assert seen_verify and seen_failed


def test_long_lists_of_names_are_coded_as_the_short_ones(monkeypatch):
    from matchkit.recommend import _recommender

    caseload = generate_caseload(400, seed=9, unknown_rates={"motivation": 0.7, "zrm": 0.5})
    batch = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    counted = batch.to_frame(include_ineligible=True)
    assert (counted["failed_rules"] != "").any() and (counted["to_verify"] != "").any()
    monkeypatch.setattr(_recommender, "_COUNTED_NAMES", 0)  # every list through the sort
    pd.testing.assert_frame_equal(batch.to_frame(include_ineligible=True), counted)
