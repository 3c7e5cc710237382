"""Recursive-descent parser for the rule language (grammar in ``docs/rules.md``).

Recursion is bounded by :data:`MAX_DEPTH`: every ``(`` and every ``not`` opens a level, and
the parser refuses the level past the limit with a :class:`RuleSyntaxError` long before
Python's own recursion limit is near.
"""

from __future__ import annotations

from typing import Final, NoReturn

from matchkit.errors import RuleSyntaxError
from matchkit.rules._ast import (
    KEYWORDS,
    MAX_DEPTH,
    MAX_LENGTH,
    And,
    Compare,
    CompareOp,
    Contains,
    Known,
    Member,
    Node,
    Not,
    Or,
    Test,
    Value,
)
from matchkit.rules._lexer import Token, TokenKind, tokenize

__all__ = ["parse_rule"]

_OPS: Final[dict[str, CompareOp]] = {
    "==": "==",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}


def parse_rule(text: str) -> Node:
    """Parse a rule into its syntax tree, without resolving or type-checking fields.

    Parameters
    ----------
    text : str
        The rule, at most 1,000 characters and 32 levels of nesting.

    Returns
    -------
    Node
        The tree; field names are kept as written (``zrm.housing``).

    Raises
    ------
    RuleSyntaxError
        When the text does not follow the grammar, with the offset of the offending token.

    Examples
    --------
    >>> parse_rule("zrm.housing >= 3")
    Compare(field='zrm.housing', op='>=', literal=3)
    >>> parse_rule("not wants_paid_work")
    Not(operand=Compare(field='wants_paid_work', op='==', literal=True))
    """
    if not isinstance(text, str):
        raise TypeError(f"a rule must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(
            f"the rule is {len(text)} characters long; at most {MAX_LENGTH} are allowed",
            text,
            MAX_LENGTH,
        )
    parser = _Parser(text, tokenize(text))
    if parser.peek.kind is TokenKind.EOF:
        raise RuleSyntaxError("the rule is empty", text, 0)
    node = parser.or_expr()
    parser.expect_end()
    return node


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.after_bare_field = False

    @property
    def peek(self) -> Token:
        return self.tokens[self.index]

    def at(self, kind: TokenKind) -> bool:
        # A method rather than `self.peek.kind is ...`, which mypy would narrow for good.
        return self.peek.kind is kind

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.EOF:
            self.index += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> NoReturn:
        token = token or self.peek
        hint = ""
        nearby = (token, self.tokens[self.index - 1]) if self.index else (token,)
        if any(t.kind is TokenKind.NAME and t.text.lower() in KEYWORDS for t in nearby):
            hint = " (keywords are written in lower case)"
        raise RuleSyntaxError(
            f"expected {expected}, found {token.describe()}{hint}", self.text, token.pos
        )

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError(
                f"the rule nests deeper than {MAX_DEPTH} levels", self.text, token.pos
            )

    def expect_end(self) -> None:
        if self.peek.kind is not TokenKind.EOF:
            operator = "an operator, " if self.after_bare_field else ""
            self.fail(f"{operator}'and', 'or' or the end of the rule")

    # or_expr := and_expr ( "or" and_expr )*
    def or_expr(self) -> Node:
        start = self.peek.pos
        items = [self.and_expr()]
        while self.peek.is_keyword("or"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items), pos=start)

    # and_expr := not_expr ( "and" not_expr )*
    def and_expr(self) -> Node:
        start = self.peek.pos
        items = [self.not_expr()]
        while self.peek.is_keyword("and"):
            self.advance()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items), pos=start)

    # not_expr := "not" not_expr | primary
    def not_expr(self) -> Node:
        if not self.peek.is_keyword("not"):
            return self.primary()
        token = self.advance()
        self.enter(token)
        operand = self.not_expr()
        self.depth -= 1
        return Not(operand, pos=token.pos)

    # primary := "(" or_expr ")" | test
    def primary(self) -> Node:
        token = self.peek
        if token.kind is TokenKind.LPAREN:
            self.advance()
            self.enter(token)
            node = self.or_expr()
            if self.peek.kind is not TokenKind.RPAREN:
                operator = "an operator, " if self.after_bare_field else ""
                self.fail(f"{operator}'and', 'or' or ')' (for the '(' at {token.pos})")
            self.advance()
            self.depth -= 1
            self.after_bare_field = False
            return node
        if token.kind is TokenKind.NAME:
            return self.test()
        return self.fail("a field, 'not' or '('")

    # test := field ( comparison | membership | contains | known )?
    def test(self) -> Test:
        name = self.advance()
        field, pos = name.text, name.pos
        token = self.peek
        self.after_bare_field = False
        if token.kind is TokenKind.OP:
            self.advance()
            literal, literal_pos = self.literal()
            return Compare(field, _OPS[token.text], literal, pos=pos, literal_pos=literal_pos)
        if token.is_keyword("in") or token.is_keyword("not"):
            self.advance()
            negated = token.is_keyword("not")
            if negated:
                if not self.peek.is_keyword("in"):
                    self.fail(f"'in' after 'not' (write 'not {field}' to negate a field)")
                self.advance()
            values, value_pos = self.list_()
            return Member(field, values, negated, pos=pos, value_pos=value_pos)
        if token.is_keyword("contains"):
            self.advance()
            item, item_pos = self.literal()
            return Contains(field, item, pos=pos, item_pos=item_pos)
        if token.is_keyword("is"):
            self.advance()
            word = self.advance()
            if word.is_keyword("known") or word.is_keyword("unknown"):
                return Known(field, word.text == "known", pos=pos)
            hint = " ('is not known' is written 'is unknown')" if word.is_keyword("not") else ""
            self.fail(f"'known' or 'unknown' after 'is'{hint}", word)
        self.after_bare_field = True
        return Compare(field, "==", True, pos=pos, literal_pos=pos)

    # literal := number | string | "true" | "false"
    def literal(self) -> tuple[Value, int]:
        token = self.peek
        if token.kind in (TokenKind.NUMBER, TokenKind.STRING) and token.value is not None:
            self.advance()
            return token.value, token.pos
        if token.is_keyword("true") or token.is_keyword("false"):
            self.advance()
            return token.text == "true", token.pos
        return self.fail("a number, a string, true or false")

    # list := "[" literal ( "," literal )* ","? "]"
    def list_(self) -> tuple[tuple[Value, ...], tuple[int, ...]]:
        if not self.at(TokenKind.LBRACKET):
            self.fail('a list such as ["a", "b"]')
        self.advance()
        if self.at(TokenKind.RBRACKET):
            self.fail("a value; a list needs at least one")
        values: list[Value] = []
        positions: list[int] = []
        while True:
            value, pos = self.literal()
            values.append(value)
            positions.append(pos)
            if self.at(TokenKind.COMMA):
                self.advance()
                if self.at(TokenKind.RBRACKET):
                    break
            elif not self.at(TokenKind.RBRACKET):
                self.fail("',' or ']'")
            else:
                break
        self.advance()
        return tuple(values), tuple(positions)
