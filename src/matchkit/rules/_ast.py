"""The rule syntax tree: immutable nodes that compare equal whatever their source positions.

Every node keeps the 0-based offset of the token it starts at (``pos``; literals keep their
own offsets too) so that later checks can point at the spot, but positions are excluded from
equality and hashing: ``parse_rule("a  and b") == parse_rule("a and b")``.

Nodes validate themselves on construction, so every node that exists can be printed by
:func:`~matchkit.rules.to_text` and parsed back to an equal node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Final, Literal, TypeAlias

__all__ = [
    "COMPARISON_OPS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ORDER_OPS",
    "And",
    "Compare",
    "CompareOp",
    "Contains",
    "Known",
    "Member",
    "Node",
    "Not",
    "Or",
    "Test",
    "Value",
    "is_field_name",
]

Value: TypeAlias = bool | int | float | str
"""A literal: ``true``/``false``, a number or a string."""

CompareOp: TypeAlias = Literal["==", "!=", "<", "<=", ">", ">="]

COMPARISON_OPS: Final[tuple[CompareOp, ...]] = ("==", "!=", "<", "<=", ">", ">=")
ORDER_OPS: Final[frozenset[str]] = frozenset({"<", "<=", ">", ">="})
KEYWORDS: Final[frozenset[str]] = frozenset(
    {"and", "or", "not", "in", "contains", "is", "known", "unknown", "true", "false"}
)
MAX_LENGTH: Final = 1000
"""Longest rule text, in characters."""
MAX_DEPTH: Final = 32
"""Deepest nesting: every ``(`` and every ``not`` opens a level."""

_NAME_START: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS: Final = _NAME_START | frozenset("0123456789")


def _is_name(text: str) -> bool:
    return bool(text) and text[0] in _NAME_START and all(c in _NAME_CHARS for c in text)


def is_field_name(text: str) -> bool:
    """Tell whether ``text`` is a field reference the grammar accepts (``name`` or ``a.b``).

    Parameters
    ----------
    text : str
        Candidate field reference.

    Returns
    -------
    bool
        True for ``name`` or ``name.name`` where the undotted form is not a keyword.
    """
    parts = text.split(".")
    if len(parts) > 2 or not all(_is_name(p) for p in parts):
        return False
    return len(parts) == 2 or text not in KEYWORDS


def _check_field(name: object) -> None:
    if not isinstance(name, str) or not is_field_name(name):
        raise ValueError(
            f"field={name!r} is not allowed; expected a name such as age or zrm.housing"
        )


def _check_value(value: object) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise ValueError(f"literal={value!r} is not allowed; expected a finite number")
        return
    if isinstance(value, str):
        if '"' in value and "'" in value:
            raise ValueError(
                f"literal={value!r} is not allowed; a string cannot hold both quote characters"
            )
        return
    raise TypeError(f"literal={value!r} is not allowed; expected a bool, number or string")


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op literal``; a bare boolean field is ``Compare(field, "==", True)``.

    Attributes
    ----------
    field : str
        Field reference as written (``zrm.housing``) or canonical after compilation.
    op : {"==", "!=", "<", "<=", ">", ">="}
        Comparison operator.
    literal : bool, int, float or str
        Value compared with.
    pos, literal_pos : int
        Offsets of the field and of the literal; equal for a bare field.
    """

    field: str
    op: CompareOp
    literal: Value
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)
    literal_pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_field(self.field)
        if self.op not in COMPARISON_OPS:
            raise ValueError(f"op={self.op!r} is not allowed; expected one of {COMPARISON_OPS}")
        _check_value(self.literal)


@dataclass(frozen=True, slots=True)
class Member:
    """``field in [values]`` or, when ``negated``, ``field not in [values]``.

    Attributes
    ----------
    field : str
        Field reference.
    values : tuple
        At least one literal, in the order written.
    negated : bool
        True for ``not in``.
    pos : int
        Offset of the field.
    value_pos : tuple of int
        Offsets of the values (empty when the node was built by hand).
    """

    field: str
    values: tuple[Value, ...]
    negated: bool = False
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)
    value_pos: tuple[int, ...] = dc_field(default=(), compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not isinstance(self.values, tuple) or not self.values:
            raise ValueError(f"values={self.values!r} is not allowed; expected a non-empty tuple")
        for value in self.values:
            _check_value(value)


@dataclass(frozen=True, slots=True)
class Contains:
    """``field contains item`` for a list field.

    Attributes
    ----------
    field : str
        Field reference.
    item : bool, int, float or str
        The literal looked for (the compiler accepts strings only).
    pos, item_pos : int
        Offsets of the field and of the item.
    """

    field: str
    item: Value
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)
    item_pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_field(self.field)
        _check_value(self.item)


@dataclass(frozen=True, slots=True)
class Known:
    """``field is known`` (``want_known``) or ``field is unknown``; never unknown itself.

    Attributes
    ----------
    field : str
        Field reference.
    want_known : bool
        True for ``is known``.
    pos : int
        Offset of the field.
    """

    field: str
    want_known: bool = True
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_field(self.field)


@dataclass(frozen=True, slots=True)
class Not:
    """``not operand``.

    Attributes
    ----------
    operand : Node
        The negated expression.
    pos : int
        Offset of the ``not`` keyword.
    """

    operand: Node
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.operand, _NODE_TYPES):
            raise TypeError(f"operand={self.operand!r} is not a rule node")


def _check_items(items: object) -> None:
    if not isinstance(items, tuple) or len(items) < 2:
        raise ValueError(f"items={items!r} is not allowed; expected a tuple of two or more nodes")
    for item in items:
        if not isinstance(item, _NODE_TYPES):
            raise TypeError(f"item={item!r} is not a rule node")


@dataclass(frozen=True, slots=True)
class And:
    """``a and b and ...``: a chain of two or more operands, as written (not flattened).

    Attributes
    ----------
    items : tuple of Node
        The operands; an ``And`` inside an ``And`` came from parentheses.
    pos : int
        Offset of the first token of the expression.
    """

    items: tuple[Node, ...]
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_items(self.items)


@dataclass(frozen=True, slots=True)
class Or:
    """``a or b or ...``: a chain of two or more operands, as written (not flattened).

    Attributes
    ----------
    items : tuple of Node
        The operands; an ``Or`` inside an ``Or`` came from parentheses.
    pos : int
        Offset of the first token of the expression.
    """

    items: tuple[Node, ...]
    pos: int = dc_field(default=0, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _check_items(self.items)


Test: TypeAlias = Compare | Member | Contains | Known
"""A leaf of the tree: one test of one field."""
Node: TypeAlias = Or | And | Not | Compare | Member | Contains | Known
"""Any rule node."""

_NODE_TYPES: Final = (Or, And, Not, Compare, Member, Contains, Known)
