"""A large result reads a client's stored values from whole columns, the same as cell by cell."""

from __future__ import annotations

import numpy as np

import matchkit as mk
from matchkit.recommend._recommender import _plain, _plain_column


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def test_whole_columns_equal_the_cell_by_cell_values_in_every_field():
    caseload = mk.generate_caseload(3_000, seed=8)
    frame = caseload.frame
    for name in frame.columns:
        by_cell = [_plain(v) for v in frame[name].to_numpy(dtype=object)]
        whole = _plain_column(frame[name])
        assert len(whole) == len(by_cell)
        assert all(_same(a, b) for a, b in zip(whole, by_cell, strict=True)), name
        assert any(v is None for v in by_cell) == any(v is None for v in whole), name


def test_a_large_result_gives_each_client_their_own_values():
    caseload = mk.generate_caseload(300, seed=9)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    for row in (0, 17, 299):
        for name in ("age", "dutch_level", "wants_paid_work", "interests", "municipality"):
            assert _same(result._stored_value(row, name), caseload.value(row, name)), name
