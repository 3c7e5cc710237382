"""Criteria shared by approaches are counted once, with results equal to the per-approach path.

The Recommender counts each distinct rule text once on the reference population, and
evaluates the catalog's rules together (each distinct comparison once). Both must give exactly
(bit for bit) what evaluating every approach on its own gives.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

import matchkit as mk
from matchkit.recommend._recommender import reference_caseload
from matchkit.recommend._scoring import evaluate_approach, evidence_weights
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
    texts = [c.text for a in catalog.approaches for c in a.compiled_rules]
    assert len(set(texts)) < len(texts), "the catalog should share rule texts"
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
