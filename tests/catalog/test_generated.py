from __future__ import annotations

import pytest

import matchkit as mk
from matchkit.synth._catalog import generate_catalog


def test_generated_catalog_is_valid_and_deterministic():
    a = generate_catalog(50, seed=4)
    b = generate_catalog(50, seed=4)
    assert len(a) == 50
    assert [x.model_dump() for x in a.approaches] == [x.model_dump() for x in b.approaches]


def test_generated_catalog_never_reads_sensitive_fields():
    catalog = generate_catalog(200, seed=1)
    for approach in catalog.approaches:
        assert not approach.sensitive_rules


def test_generated_catalog_recommends():
    caseload = mk.generate_caseload(300, seed=1)
    result = mk.Recommender(generate_catalog(30, seed=2)).recommend_batch(caseload)
    assert result.status.shape == (300, 30)
    assert (result.status == 2).any()


@pytest.mark.parametrize("n", [0, -1, 10_000])
def test_generated_catalog_size_is_checked(n):
    with pytest.raises(ValueError, match="n="):
        generate_catalog(n)
