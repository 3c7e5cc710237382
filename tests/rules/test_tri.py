"""Kleene's strong three-valued logic on Tri vectors."""

from __future__ import annotations

import numpy as np
import pytest

from matchkit.rules import Tri

T, F, U = "true", "false", "unknown"


def tri(*labels: str) -> Tri:
    values = np.array(labels)
    return Tri(values == T, values == F)


# Written out by hand from Kleene's tables, not computed with the code under test.
AND = {
    (T, T): T, (T, F): F, (T, U): U,
    (F, T): F, (F, F): F, (F, U): F,
    (U, T): U, (U, F): F, (U, U): U,
}  # fmt: skip
OR = {
    (T, T): T, (T, F): T, (T, U): T,
    (F, T): T, (F, F): F, (F, U): U,
    (U, T): T, (U, F): U, (U, U): U,
}  # fmt: skip
NOT = {T: F, F: T, U: U}


@pytest.mark.parametrize(("a", "b"), sorted(AND))
def test_and_follows_kleene(a, b):
    assert (tri(a) & tri(b)).labels().tolist() == [AND[a, b]]


@pytest.mark.parametrize(("a", "b"), sorted(OR))
def test_or_follows_kleene(a, b):
    assert (tri(a) | tri(b)).labels().tolist() == [OR[a, b]]


@pytest.mark.parametrize("a", sorted(NOT))
def test_not_follows_kleene(a):
    assert (~tri(a)).labels().tolist() == [NOT[a]]


def test_operations_work_elementwise_over_all_nine_pairs():
    pairs = sorted(AND)
    left, right = tri(*(a for a, _ in pairs)), tri(*(b for _, b in pairs))
    assert (left & right).labels().tolist() == [AND[p] for p in pairs]
    assert (left | right).labels().tolist() == [OR[p] for p in pairs]


def test_unknown_and_known_are_complements():
    value = tri(T, F, U)
    assert value.unknown.tolist() == [False, False, True]
    assert value.known.tolist() == [True, True, False]


def test_from_mask_ignores_values_where_unknown():
    value = Tri.from_mask(np.array([True, False, True]), np.array([True, True, False]))
    assert value.labels().tolist() == [T, F, U]


def test_unknowns_are_all_unknown():
    assert Tri.unknowns(3).labels().tolist() == [U, U, U]


def test_a_value_cannot_be_both_true_and_false():
    with pytest.raises(ValueError, match="both true and false"):
        Tri(np.array([True]), np.array([True]))


@pytest.mark.parametrize(
    ("true", "false"),
    [
        (np.array([1, 0]), np.array([0, 0])),
        ([True], [False]),
        (np.zeros((2, 2), dtype=bool), np.zeros((2, 2), dtype=bool)),
    ],
)
def test_tri_wants_one_dimensional_bool_arrays(true, false):
    with pytest.raises(TypeError, match="1-d numpy bool array"):
        Tri(true, false)


def test_tri_wants_equal_shapes():
    with pytest.raises(ValueError, match="differ in shape"):
        Tri(np.zeros(2, dtype=bool), np.zeros(3, dtype=bool))


def test_python_boolean_operators_are_refused():
    with pytest.raises(TypeError, match=r"use &, \| and ~"):
        bool(tri(T))


def test_combining_with_something_else_is_a_type_error():
    with pytest.raises(TypeError):
        tri(T) & True  # type: ignore[operator]


def test_the_repr_spells_the_values():
    assert repr(tri(T, U)) == "Tri(['true', 'unknown'])"
