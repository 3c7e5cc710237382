"""Tokenizer for the rule language: a character scanner, no regular expressions, no Python."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from matchkit.errors import RuleSyntaxError
from matchkit.rules._ast import KEYWORDS, Value

__all__ = ["Token", "TokenKind", "tokenize"]

_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS: Final = frozenset("0123456789")
_NAME_CHARS: Final = _LETTERS | _DIGITS
_SPACE: Final = frozenset(" \t\r\n")
_QUOTES: Final = frozenset("\"'")


class TokenKind(StrEnum):
    """What a token is."""

    NAME = "name"
    KEYWORD = "keyword"
    NUMBER = "number"
    STRING = "string"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    LBRACKET = "["
    RBRACKET = "]"
    COMMA = ","
    EOF = "end of rule"


_PUNCTUATION: Final = {
    "(": TokenKind.LPAREN,
    ")": TokenKind.RPAREN,
    "[": TokenKind.LBRACKET,
    "]": TokenKind.RBRACKET,
    ",": TokenKind.COMMA,
}


@dataclass(frozen=True, slots=True)
class Token:
    """One token.

    Attributes
    ----------
    kind : TokenKind
        What the token is.
    text : str
        The token as written (empty for the end of the rule).
    pos : int
        0-based offset of its first character.
    value : bool, int, float, str or None
        The literal's value for numbers and strings, else None.
    """

    kind: TokenKind
    text: str
    pos: int
    value: Value | None = None

    def is_keyword(self, word: str) -> bool:
        """Tell whether this is the keyword ``word``."""
        return self.kind is TokenKind.KEYWORD and self.text == word

    def describe(self) -> str:
        """Name the token for an error message."""
        if self.kind is TokenKind.EOF:
            return "the end of the rule"
        return repr(self.text)


def _scan_name(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] in _NAME_CHARS:
        end += 1
    return end


def _scan_digits(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    return end


def _number(text: str, start: int) -> Token:
    i = start + 1 if text[start] == "-" else start
    if i >= len(text) or text[i] not in _DIGITS:
        raise RuleSyntaxError("'-' must be followed by a digit", text, start)
    end = _scan_digits(text, i)
    is_float = end < len(text) and text[end] == "."
    if is_float:
        if end + 1 >= len(text) or text[end + 1] not in _DIGITS:
            raise RuleSyntaxError("expected a digit after the decimal point", text, end)
        end = _scan_digits(text, end + 1)
    if end < len(text) and (text[end] in _LETTERS or text[end] == "."):
        raise RuleSyntaxError(
            "malformed number; a number is digits with an optional decimal part", text, start
        )
    literal = text[start:end]
    if not math.isfinite(float(literal)):
        raise RuleSyntaxError("number out of range", text, start)
    value: Value = float(literal) if is_float else int(literal)
    return Token(TokenKind.NUMBER, literal, start, value)


def _name(text: str, start: int) -> Token:
    end = _scan_name(text, start)
    if end < len(text) and text[end] == ".":
        if end + 1 >= len(text) or text[end + 1] not in _LETTERS:
            raise RuleSyntaxError("expected a name after '.'", text, end)
        end = _scan_name(text, end + 1)
        if end < len(text) and text[end] == ".":
            raise RuleSyntaxError("a field has at most one '.'", text, end)
        return Token(TokenKind.NAME, text[start:end], start)
    word = text[start:end]
    kind = TokenKind.KEYWORD if word in KEYWORDS else TokenKind.NAME
    return Token(kind, word, start)


def _operator(text: str, start: int) -> Token:
    char = text[start]
    follows_eq = start + 1 < len(text) and text[start + 1] == "="
    if char in "<>":
        op = char + "=" if follows_eq else char
        return Token(TokenKind.OP, op, start)
    if not follows_eq:
        hint = "use '==' to compare" if char == "=" else "use '!=' for 'not equal'"
        raise RuleSyntaxError(f"unexpected {char!r}; {hint}", text, start)
    return Token(TokenKind.OP, char + "=", start)


def tokenize(text: str) -> list[Token]:
    """Split a rule into tokens, ending with an EOF token at ``len(text)``.

    Parameters
    ----------
    text : str
        The rule.

    Returns
    -------
    list of Token
        The tokens in order.

    Raises
    ------
    RuleSyntaxError
        At the first character that cannot start or continue a token.
    """
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _SPACE:
            i += 1
            continue
        if char in _PUNCTUATION:
            token = Token(_PUNCTUATION[char], char, i)
        elif char in "=!<>":
            token = _operator(text, i)
        elif char in _QUOTES:
            close = text.find(char, i + 1)
            if close < 0:
                raise RuleSyntaxError("unterminated string", text, i)
            token = Token(TokenKind.STRING, text[i : close + 1], i, text[i + 1 : close])
        elif char == "-" or char in _DIGITS:
            token = _number(text, i)
        elif char in _LETTERS:
            token = _name(text, i)
        else:
            raise RuleSyntaxError(f"unexpected character {char!r}", text, i)
        tokens.append(token)
        i += len(token.text)
    tokens.append(Token(TokenKind.EOF, "", len(text)))
    return tokens
