"""RulePlan: many rules evaluated together give what each rule gives on its own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchkit as mk
from matchkit.rules import ArraySource, CompiledRule, RulePlan, compile_rule, to_text
from matchkit.synth import generate_catalog

from .strategies import columns, rows, typed_trees


def one_by_one(rules: list[CompiledRule], source: object) -> tuple[np.ndarray, np.ndarray]:
    tris = [rule.evaluate(source) for rule in rules]  # type: ignore[arg-type]
    n = source.n  # type: ignore[attr-defined]
    true = np.array([t.true for t in tris], dtype=bool).reshape(len(rules), n)
    false = np.array([t.false for t in tris], dtype=bool).reshape(len(rules), n)
    return true, false


def assert_same(rules: list[CompiledRule], source: object) -> None:
    true, false = RulePlan(rules).evaluate(source)  # type: ignore[arg-type]
    want_true, want_false = one_by_one(rules, source)
    np.testing.assert_array_equal(true, want_true)
    np.testing.assert_array_equal(false, want_false)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.lists(typed_trees(), min_size=1, max_size=5), rows())
def test_a_plan_agrees_with_each_rule_on_random_rules_and_clients(nodes, table):
    rules = [compile_rule(to_text(node), allow_sensitive=True) for node in nodes]
    assert_same(rules, ArraySource(columns(table)))


def catalog_rules(catalog: mk.Catalog) -> list[CompiledRule]:
    out: list[CompiledRule] = []
    for a in catalog.approaches:
        out += a.compiled_rules
        out += [c for c in a.compiled_target if c is not None]
        out += a.compiled_arrange
    return out


@pytest.mark.slow
def test_a_plan_agrees_with_each_rule_on_a_generated_caseload_and_catalog():
    # Bounded ZRM aggregates, lists, repeated comparisons and nested and/or/not included.
    caseload = mk.read_caseload(mk.generate_caseload(3_000, seed=7))
    rules = catalog_rules(mk.load_catalog()) + catalog_rules(generate_catalog(40, seed=2))
    assert_same(rules, caseload.columns)
    one = mk.read_caseload(mk.generate_caseload(1, seed=3))
    assert_same(rules, one.columns)


def test_the_comparisons_are_split_into_blocks_on_a_large_caseload(monkeypatch):
    import matchkit.rules._flat as flat

    monkeypatch.setattr(flat, "_CELLS", 8)  # blocks of one or two clients
    rules = [
        compile_rule(text)
        for text in (
            "age >= 50",
            "age < 30 or children > 1",
            "not (children == 0)",
            "months_on_assistance > 24 and age <= 60",
            "dutch_level >= 'B1'",
        )
    ]
    source = ArraySource(
        {
            "age": [60, 25, None, 45],
            "children": [0, 2, 1, None],
            "months_on_assistance": [30, None, 10, 40],
            "dutch_level": ["B2", None, "A1", "C1"],
        }
    )
    assert_same(rules, source)


def test_a_repeated_comparison_is_kept_once_and_an_empty_plan_gives_empty_arrays():
    rules = [compile_rule("age >= 50"), compile_rule("not age >= 50"), compile_rule("age >= 50")]
    plan = RulePlan(rules)
    assert len(plan) == 3
    assert len(plan._leaves) == 1
    true, false = plan.evaluate(ArraySource({"age": [60, None]}))
    assert true.tolist() == [[True, False], [False, False], [True, False]]
    assert false.tolist() == [[False, False], [True, False], [False, False]]
    true, false = RulePlan([]).evaluate(ArraySource({"age": [60, None]}))
    assert true.shape == false.shape == (0, 2)
