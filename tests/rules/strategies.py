"""Hypothesis strategies for rule syntax trees, typed rules and caseload rows."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from matchkit._fields import FIELDS, ZRM_DOMAINS, FieldSpec, Kind
from matchkit.rules import And, Compare, Contains, Known, Member, Node, Not, Or, to_text
from matchkit.rules._ast import COMPARISON_OPS, KEYWORDS, MAX_DEPTH, MAX_LENGTH

# --- untyped trees: anything the grammar can say -------------------------------------------

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)
field_refs = st.one_of(
    st.sampled_from(sorted(FIELDS)),
    st.sampled_from([f"zrm.{d}" for d in ZRM_DOMAINS]),
    identifiers.filter(lambda s: s not in KEYWORDS),
    st.tuples(identifiers, identifiers).map(".".join),
)
# The grammar has no exponent, so keep floats whose positional form stays short.
floats = st.floats(
    min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False
).filter(lambda x: x == 0 or abs(x) >= 1e-6)
strings = st.text(max_size=8).filter(lambda s: not ('"' in s and "'" in s))
literals = st.one_of(st.booleans(), st.integers(-(10**9), 10**9), floats, strings)


def _tests(fields: st.SearchStrategy[str]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Compare, fields, st.sampled_from(COMPARISON_OPS), literals),
        st.builds(Compare, fields, st.just("=="), st.just(True)),  # bare boolean field
        st.builds(
            Member, fields, st.lists(literals, min_size=1, max_size=4).map(tuple), st.booleans()
        ),
        st.builds(Contains, fields, literals),
        st.builds(Known, fields, st.booleans()),
    )


def _combine(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    operands = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(Not, children), operands.map(And), operands.map(Or))


def nesting(node: Node) -> int:
    """Nesting levels the parser counts in ``to_text(node)``: each `(` and each `not`."""
    if isinstance(node, Not):
        return 1 + nesting(node.operand) + isinstance(node.operand, And | Or)
    if isinstance(node, And):
        return max(nesting(i) + isinstance(i, And | Or) for i in node.items)
    if isinstance(node, Or):
        return max(nesting(i) + isinstance(i, Or) for i in node.items)
    return 0


def _within_limits(node: Node) -> bool:
    return nesting(node) <= MAX_DEPTH and len(to_text(node)) <= MAX_LENGTH


def trees(leaves: st.SearchStrategy[Node] | None = None) -> st.SearchStrategy[Node]:
    """Random syntax trees within the length and depth limits."""
    base = _tests(field_refs) if leaves is None else leaves
    return st.recursive(base, _combine, max_leaves=8).filter(_within_limits)


# --- typed rules over a few fields, and rows to evaluate them on ---------------------------

EVAL_FIELDS = (
    "age",
    "work_experience_years",
    "zrm_housing",
    "wants_paid_work",
    "single_parent",
    "dutch_level",
    "household",
    "gender",
    "municipality",
    "interests",
    "other_languages",
)
_TOWNS = ("Utrecht", "Zwolle", "Delft")
_LANGUAGES = ("en", "ar", "tr", "pl")


def field_values(spec: FieldSpec) -> st.SearchStrategy[Any]:
    """Known values of a field (also used as literals, from the same small domain)."""
    if spec.kind is Kind.INT:
        low = int(spec.minimum if spec.minimum is not None else 0)
        high = int(spec.maximum) if spec.maximum is not None else low + 6
        return st.integers(low, min(high, low + 6))
    if spec.kind is Kind.FLOAT:
        return st.sampled_from((0.0, 0.5, 1.0, 2.5, 10.0))
    if spec.kind is Kind.BOOL:
        return st.booleans()
    if spec.kind is Kind.ENUM:
        return st.sampled_from(spec.values)
    if spec.kind is Kind.STR:
        return st.sampled_from(_TOWNS)
    vocabulary = spec.values[:4] or _LANGUAGES
    return st.lists(st.sampled_from(vocabulary), max_size=3, unique=True)


def _typed_test(name: str, *, with_known: bool) -> st.SearchStrategy[Node]:
    spec = FIELDS[name]
    known = [st.builds(Known, st.just(name), st.booleans())] if with_known else []
    if spec.kind is Kind.LIST:
        items = st.sampled_from(spec.values[:4] or _LANGUAGES)
        return st.one_of(st.builds(Contains, st.just(name), items), *known)
    values = field_values(spec)
    ops = COMPARISON_OPS if spec.numeric else ("==", "!=")
    return st.one_of(
        st.builds(Compare, st.just(name), st.sampled_from(ops), values),
        st.builds(
            Member,
            st.just(name),
            st.lists(values, min_size=1, max_size=3).map(tuple),
            st.booleans(),
        ),
        *known,
    )


def typed_trees(*, with_known: bool = True) -> st.SearchStrategy[Node]:
    """Well-typed rules over :data:`EVAL_FIELDS` (compile with ``allow_sensitive=True``)."""
    leaves = st.one_of([_typed_test(name, with_known=with_known) for name in EVAL_FIELDS])
    return trees(leaves)


def rows(min_size: int = 1, max_size: int = 12) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Clients as dicts over :data:`EVAL_FIELDS`, ``None`` for unknown."""
    row = st.fixed_dictionaries(
        {name: st.none() | field_values(FIELDS[name]) for name in EVAL_FIELDS}
    )
    return st.lists(row, min_size=min_size, max_size=max_size)


def columns(table: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Turn rows into the column mapping ArraySource takes."""
    return {name: [row[name] for row in table] for name in EVAL_FIELDS}


# --- token soup ----------------------------------------------------------------------------

TOKENS = (
    *"()[],",
    *COMPARISON_OPS,
    *sorted(KEYWORDS),
    "age",
    "zrm.housing",
    "zrm_min",
    "dutch_level",
    "household",
    "interests",
    "municipality",
    "wants_paid_work",
    "gender",
    "nonsense",
    '"B1"',
    "'care'",
    '"single"',
    "1",
    "-2.5",
    "0",
    ".",
    "-",
    "=",
    "!",
    "'",
    '"',
    "__import__",
    "os",
    "system",
    "__class__",
)
token_soup = st.tuples(
    st.lists(st.sampled_from(TOKENS), max_size=30), st.sampled_from(("", " "))
).map(lambda parts: parts[1].join(parts[0]))
