"""Canonical printer: ``parse_rule(to_text(node)) == node`` for every node within the limits."""

from __future__ import annotations

from decimal import Decimal

from matchkit.rules._ast import And, Compare, Contains, Known, Member, Node, Not, Or, Value

__all__ = ["format_literal", "to_text"]


def format_literal(value: Value) -> str:
    """Write a literal as the grammar spells it.

    Parameters
    ----------
    value : bool, int, float or str
        The literal. Floats are written positionally (``0.00001``, never ``1e-05``) and always
        with a decimal point, so they read back as floats.

    Returns
    -------
    str
        ``true``, ``false``, a number or a quoted string.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float; Decimal writes it out
        # without an exponent, which the grammar does not have.
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    quote = "'" if '"' in value else '"'
    return f"{quote}{value}{quote}"


def to_text(node: Node) -> str:
    """Print a rule in canonical form, with the fewest parentheses that keep its structure.

    Parameters
    ----------
    node : Node
        Any rule node.

    Returns
    -------
    str
        Text that parses back to an equal node (when it fits the length and depth limits).

    Examples
    --------
    >>> from matchkit.rules import parse_rule
    >>> to_text(parse_rule("(age>=50) and (zrm.housing in [1,2,] or not(has_transport))"))
    'age >= 50 and (zrm.housing in [1, 2] or not has_transport)'
    """
    if isinstance(node, Or):
        return " or ".join(_wrap(item, isinstance(item, Or)) for item in node.items)
    if isinstance(node, And):
        return " and ".join(_wrap(item, isinstance(item, Or | And)) for item in node.items)
    if isinstance(node, Not):
        return "not " + _wrap(node.operand, isinstance(node.operand, Or | And))
    if isinstance(node, Compare):
        if node.op == "==" and node.literal is True:
            return node.field
        return f"{node.field} {node.op} {format_literal(node.literal)}"
    if isinstance(node, Member):
        op = "not in" if node.negated else "in"
        values = ", ".join(format_literal(v) for v in node.values)
        return f"{node.field} {op} [{values}]"
    if isinstance(node, Contains):
        return f"{node.field} contains {format_literal(node.item)}"
    if isinstance(node, Known):
        return f"{node.field} is {'known' if node.want_known else 'unknown'}"
    raise TypeError(f"not a rule node: {node!r}")


def _wrap(node: Node, parenthesise: bool) -> str:
    text = to_text(node)
    return f"({text})" if parenthesise else text
