"""One client: the records behind a caseload of profiles read exactly as its typed frame does.

``Caseload.from_profiles`` keeps the validated records and builds the typed DataFrame only
when asked; rules and scoring read the records through ``RecordColumns``. These tests hold
that source to the frame-based one, field by field, and one client to its batch row.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit._columns import CaseloadColumns, RecordColumns
from matchkit._fields import FIELDS, Kind
from tests.strategies import profile_records

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "profiles" / "examples" / "clients.jsonl"
SCALARS = [n for n, s in FIELDS.items() if s.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.ENUM)]
TEXTS = [n for n, s in FIELDS.items() if s.kind is Kind.STR]
LISTS = [n for n, s in FIELDS.items() if s.kind is Kind.LIST]


def _both(profiles: list[mk.ClientProfile]) -> tuple[CaseloadColumns, CaseloadColumns]:
    lazy = mk.Caseload.from_profiles(profiles)
    records = lazy.columns
    assert isinstance(records, RecordColumns)
    framed = CaseloadColumns(lazy.frame)  # the typed frame, built on request
    return records, framed


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(profile_records(), min_size=1, max_size=4, unique_by=lambda r: r["client_id"]))
def test_record_columns_equal_frame_columns_for_every_field(records):
    profiles = [mk.ClientProfile.model_validate(r) for r in records]
    fast, slow = _both(profiles)
    for name in SCALARS:
        a, b = fast.scalar(name), slow.scalar(name)
        assert np.array_equal(a[0], b[0], equal_nan=True) and np.array_equal(a[1], b[1]), name
        assert a[0].tobytes() == b[0].tobytes(), name
    for name in ("zrm_problem_domains", "zrm_min"):
        fast_bounds, slow_bounds = fast.bounds(name), slow.bounds(name)
        assert fast_bounds is not None and slow_bounds is not None, name
        for x, y in zip(fast_bounds, slow_bounds, strict=True):
            assert np.array_equal(x, y), name
    for name in TEXTS:
        (va, ka), (vb, kb) = fast.text(name), slow.text(name)
        assert list(va) == list(vb) and np.array_equal(ka, kb), name
        assert np.array_equal(fast.known(name), slow.known(name)), name
    for name in LISTS:
        assert np.array_equal(fast.known(name), slow.known(name)), name
        for item in (*FIELDS[name].values, "nl", "ar"):
            c1, c2 = fast.contains(name, item), slow.contains(name, item)
            assert np.array_equal(c1[0], c2[0]) and np.array_equal(c1[1], c2[1]), (name, item)


def test_lazy_frame_is_the_typed_frame():
    profiles = list(mk.read_caseload(EXAMPLES).profiles())
    lazy = mk.Caseload.from_profiles(profiles)
    assert len(lazy) == len(profiles) and lazy.client_ids == [p.client_id for p in profiles]
    expected = mk.read_caseload(EXAMPLES).frame
    assert list(lazy.frame.columns) == list(expected.columns)
    assert list(lazy.frame.dtypes.astype(str)) == list(expected.dtypes.astype(str))


@pytest.mark.slow
def test_one_client_gets_exactly_its_batch_row():
    rec = mk.Recommender(mk.load_catalog())
    caseload = mk.read_caseload(EXAMPLES)
    batch = rec.recommend_batch(caseload)
    for row, profile in enumerate(caseload.profiles()):
        alone = rec.recommend(profile, include_ineligible=True, lang="nl")
        expected = batch.recommendations(row, include_ineligible=True, lang="nl")
        assert [json.dumps(r.to_dict(), sort_keys=True) for r in alone] == [
            json.dumps(r.to_dict(), sort_keys=True) for r in expected
        ]
        assert [r.contributions for r in alone] == [r.contributions for r in expected]
