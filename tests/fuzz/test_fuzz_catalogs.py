"""Hostile catalogs and rules: a Catalog, a CatalogError or a RuleError, nothing else."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import matchkit as mk
from matchkit.cli import main
from matchkit.errors import CatalogError, RuleError
from matchkit.rules import compile_rule
from tests.fuzz.conftest import fuzz
from tests.fuzz.strategies import hostile_text, hostile_values

BASE = mk.load_catalog()["energiebox"].model_dump(mode="json")
CLIENTS = mk.read_caseload(
    [
        mk.ClientProfile(client_id="a", age=30),
        mk.ClientProfile(client_id="b", age=60, gender="female", zrm={"housing": 2}),
    ]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = [p for p in _paths(BASE) if p]


def _replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(BASE))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            catalog = mk.load_catalog(path)
        except CatalogError:
            assert main(["validate", "catalog", str(path)], out=io.StringIO()) == 2
            return
        # A catalog that loads must recommend: finite scores, statuses 0..2.
        result = mk.Recommender(catalog).recommend_batch(CLIENTS)
        assert np.isfinite(result.score).all()
        assert set(np.unique(result.status)) <= {0, 1, 2}


@pytest.mark.slow
@fuzz
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), hostile_values), min_size=1, max_size=3))
def test_a_catalog_with_hostile_values_loads_or_is_a_catalog_error(changes):
    data = BASE
    for path, value in changes:
        try:
            data = _replaced(path, value) if data is BASE else _apply(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    text = yaml.safe_dump(data, allow_unicode=True)
    _load(text)


def _apply(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


yaml_fragments = st.sampled_from(
    [
        "&a [1, 2]",
        "*a",
        "!!python/object/apply:os.system ['echo pwned']",
        "!!binary aGVsbG8=",
        "{a: 1, a: 2}",
        "[" * 40 + "]" * 40,
        ".inf",
        ".nan",
        "1e999",
        "99999999999999999999999999",
        "? complex key",
        "|\n  block",
        "'unterminated",
        "\t tab",
        "\x1b[31m",
    ]
)


@pytest.mark.slow
@fuzz
@given(
    line=st.integers(0, 80),
    fragment=st.one_of(yaml_fragments, hostile_text),
)
def test_hostile_yaml_text_is_a_catalog_or_a_catalog_error(line, fragment):
    lines = yaml.safe_dump(BASE, allow_unicode=True).splitlines()
    i = min(line, len(lines) - 1)
    key, sep, _ = lines[i].partition(":")
    lines[i] = f"{key}{sep} {fragment}" if sep else fragment
    _load("\n".join(lines) + "\n")


RULE_WORDS = st.sampled_from(
    [
        "age",
        "gender",
        "zrm.housing",
        "interests",
        "contains",
        "in",
        "and",
        "or",
        "not",
        "==",
        "!=",
        ">=",
        "<",
        "(",
        ")",
        "[",
        "]",
        ",",
        "'care'",
        '"female"',
        "true",
        "null",
        "known",
        "1e308",
        "-1",
        "99999999999999999999",
        "nan",
        "__import__('os')",
        "lambda",
        "__class__",
        ".",
        "zrm_min",
        "single_parent",
        "months_on_assistance",
        "1.5",
    ]
)


@fuzz
@given(
    words=st.lists(st.one_of(RULE_WORDS, hostile_text), min_size=1, max_size=12),
)
def test_hostile_rule_text_compiles_or_is_a_rule_error(words):
    text = " ".join(words)
    try:
        rule = compile_rule(text, allow_sensitive=True)
    except RuleError as exc:
        message = str(exc)
        rule = None
    if rule is None:
        assert len(message) < 3_000
        return
    tri = rule.evaluate(CLIENTS.columns)
    assert not (tri.true & tri.false).any()
