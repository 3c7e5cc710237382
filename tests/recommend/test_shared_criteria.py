"""Criteria shared by approaches are evaluated once, with results equal to the per-approach path.

The Recommender counts each distinct rule text once on the reference population and reuses a
criterion evaluated for one approach for the next approach with the same text. Both must give
exactly (bit for bit) what evaluating every approach on its own gives.
"""

from __future__ import annotations

from dataclasses import fields
from functools import partial

import numpy as np
import pytest

import matchkit as mk
from matchkit.recommend._recommender import reference_caseload
from matchkit.recommend._scoring import evaluate_approach, evidence_weights
from matchkit.recommend._shared import SharedCriteria, criterion_keys, shared_uses
from matchkit.synth._catalog import generate_catalog


def _catalog(n: int, seed: int) -> mk.Catalog:
    # The built-in approaches have graded preferences (the per-approach path for their
    # reference shares); the generated ones share many rule texts.
    return mk.Catalog(generate_catalog(n, seed=seed).approaches + mk.load_catalog().approaches)


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    x, y = np.asarray(a), np.asarray(b)
    return x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")


def _check_equal_to_per_approach_path(catalog: mk.Catalog, caseload: mk.Caseload) -> None:
    rec = mk.Recommender(catalog)
    assert rec._shared_uses, "the catalog should share rule texts"
    ref = reference_caseload().columns
    result = rec.recommend_batch(caseload)
    cols = caseload.columns
    for j, approach in enumerate(catalog.approaches):
        alone = evidence_weights(approach, rec.model, ref)
        for f in fields(alone):
            assert _same(getattr(rec.evidence[j], f.name), getattr(alone, f.name)), (
                approach.id,
                f.name,
            )
        ev = evaluate_approach(approach, cols, rec.model, alone)
        assert _same(result.status[:, j], ev.status), approach.id
        assert _same(result.score[:, j], ev.score), approach.id
        assert _same(result.rule_state[j], ev.rule_state), approach.id
        assert _same(result.coverage[:, j], ev.coverage.astype(np.float32)), approach.id


def test_a_small_shared_catalog_equals_the_per_approach_path():
    caseload = mk.generate_caseload(150, seed=3)
    _check_equal_to_per_approach_path(_catalog(25, seed=2), caseload)


@pytest.mark.slow
def test_300_generated_approaches_equal_the_per_approach_path():
    caseload = mk.generate_caseload(2_000, seed=4)
    _check_equal_to_per_approach_path(_catalog(300, seed=1), caseload)


def test_every_full_evaluation_is_the_same_whatever_the_budget():
    catalog = _catalog(60, seed=5)
    caseload = mk.generate_caseload(300, seed=6)
    rec = mk.Recommender(catalog)
    cols = caseload.columns
    uses = shared_uses(catalog.approaches)
    runs = []
    for budget in (None, 0, 5_000, 1 << 30):
        shared = None if budget is None else SharedCriteria(uses, budget=budget)
        runs.append(
            [
                evaluate_approach(a, cols, rec.model, ev, shared)
                for a, ev in zip(catalog.approaches, rec.evidence, strict=True)
            ]
        )
        assert shared is None or (shared._bytes == 0 and not shared._kept and not shared._left)
    for other in runs[1:]:
        for a, b in zip(runs[0], other, strict=True):
            for f in fields(a):
                assert _same(getattr(a, f.name), getattr(b, f.name)), f.name


def test_only_repeated_criteria_are_kept_and_each_until_its_last_use():
    catalog = generate_catalog(80, seed=7)
    keys = [k for a in catalog.approaches for k in criterion_keys(a)]
    uses = shared_uses(catalog.approaches)
    assert uses and all(keys.count(k) == n > 1 for k, n in uses.items())
    shared = SharedCriteria(uses)
    computed: list[tuple[str, str]] = []

    def compute(key: tuple[str, str]) -> np.ndarray:
        computed.append(key)
        return np.zeros(4)

    for k in keys:
        shared.get(k, partial(compute, k))
    assert sorted(set(computed)) == sorted(set(keys))
    assert len(computed) == len(set(keys))  # each text computed once
    assert shared._bytes == 0 and not shared._kept


def _rank_by_flat_lexsort(status, score, offered, tiebreak):
    # The ranking as first written: one lexsort over every (client, approach) pair.
    n, m = status.shape
    out = (status == 0) | ~offered
    key = np.where(out, np.inf, -score)
    second = np.zeros((n, m)) if tiebreak is None else np.where(out, np.inf, -tiebreak)
    rows, cols = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    flat = np.lexsort((cols, second.ravel(), key.ravel(), rows))
    order = (flat - rows * m).reshape(n, m)
    ranks = np.empty((n, m), dtype=np.int16)
    np.put_along_axis(ranks, order, np.arange(1, m + 1, dtype=np.int16)[None, :], axis=1)
    ranks[out] = 0
    return ranks


@pytest.mark.parametrize("with_tiebreak", [False, True])
def test_ranking_row_by_row_equals_one_flat_lexsort(with_tiebreak):
    from matchkit.recommend._recommender import _rank

    rng = np.random.default_rng(11)
    n, m = 400, 37
    status = rng.integers(0, 3, size=(n, m)).astype(np.int8)
    score = rng.choice([0.0, -0.0, 0.25, 0.5, 0.5000000000000001, 1.0], size=(n, m))
    offered = rng.random((n, m)) < 0.9
    tiebreak = rng.choice([0.1, 0.2, 0.3], size=(n, m)) if with_tiebreak else None
    got = _rank(status, score, offered, tiebreak=tiebreak)
    assert np.array_equal(got, _rank_by_flat_lexsort(status, score, offered, tiebreak))
