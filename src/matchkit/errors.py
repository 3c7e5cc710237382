"""Exceptions and warnings raised by matchkit.

Every exception derives from :class:`MatchkitError`; each leaf also derives from the builtin
it refines, so a plain ``except ValueError`` keeps working::

    MatchkitError(Exception)
    ├── RecordErrors(MatchkitError, ValueError)        bad client records, all listed
    │   ├── UnreadableFileError                        a file that cannot be read at all
    │   └── MissingColumnsError                        no column for a required field
    ├── CatalogError(MatchkitError, ValueError)        a malformed approach catalog
    ├── RuleError(MatchkitError, ValueError)           a rule that does not parse or resolve
    │   ├── RuleSyntaxError
    │   └── UnknownFieldError
    ├── AssignmentError(MatchkitError, ValueError)     an infeasible or malformed planning request
    ├── ParameterError(MatchkitError, ValueError)      a malformed option or argument value
    ├── OverlapError(MatchkitError, ValueError)        no overlap between an approach and usual care
    └── UnknownApproachError(MatchkitError, KeyError)  an approach id not in the catalog

    MatchkitWarning(UserWarning)
    ├── DataQualityWarning                             suspicious but legal data
    └── OverlapWarning                                 rows trimmed for lack of overlap
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matchkit._text import clip_repr, clip_text

_RULE_WINDOW = 160  # characters of a long rule shown around the problem
_RULE_WHOLE = 1_200  # rules up to this length are shown whole (the parser allows 1,000)

__all__ = [
    "AssignmentError",
    "CatalogError",
    "DataQualityWarning",
    "MatchkitError",
    "MatchkitWarning",
    "MissingColumnsError",
    "OverlapError",
    "OverlapWarning",
    "ParameterError",
    "RecordError",
    "RecordErrors",
    "RuleError",
    "RuleSyntaxError",
    "UnknownApproachError",
    "UnknownFieldError",
    "UnreadableFileError",
]


class MatchkitError(Exception):
    """Root of every error matchkit raises."""


class MatchkitWarning(UserWarning):
    """Root of every warning matchkit issues."""


class DataQualityWarning(MatchkitWarning):
    """Data that is legal but suspicious, such as ZRM finances above 3 while on assistance."""


@dataclass(frozen=True)
class RecordError:
    """One problem with one field of one record.

    Attributes
    ----------
    record : str
        Where the record is: ``"line 12"`` or ``"row 3"``, with the client_id when known.
    field : str
        The contract field name (``zrm_housing`` for a ZRM domain).
    value : Any
        The value that was given.
    allowed : str
        What would have been accepted.
    """

    record: str
    field: str
    value: Any
    allowed: str

    def __str__(self) -> str:
        shown = clip_repr(self.value)
        return f"{self.record}: {self.field}={shown} is not allowed; expected {self.allowed}"


class RecordErrors(MatchkitError, ValueError):
    """Some client records break the profile contract; every problem is listed.

    The valid records are not lost: :attr:`valid` holds them (a
    :class:`matchkit.Caseload`, or ``None`` when the input could not be read at all).
    """

    def __init__(self, errors: Sequence[RecordError], valid: Any = None, source: str = "") -> None:
        self.errors = list(errors)
        self.valid = valid
        self.source = source
        n_records = len({e.record for e in self.errors})
        where = f" in {source}" if source else ""
        lines = [f"{len(self.errors)} problem(s) in {n_records} record(s){where}:"]
        lines += [f"  {e}" for e in self.errors]
        super().__init__("\n".join(lines))


class UnreadableFileError(RecordErrors):
    """A client file that cannot be read at all: not its format, not UTF-8, not a file.

    The message is one line naming the file and why (and the line, when known).
    """

    def __init__(self, source: str, reason: str) -> None:
        self.errors = [RecordError(source, "(file)", None, reason)]
        self.valid = None
        self.source = source
        self.reason = reason
        ValueError.__init__(self, f"{source}: {reason}")


class MissingColumnsError(RecordErrors):
    """Client data without a column for a required field (``client_id``, ``age``).

    One error for the whole input, not one per record: the message names the missing
    columns and lists the accepted ones. :attr:`missing` holds the missing field names.
    """

    def __init__(self, missing: Sequence[str], accepted: str, source: str = "") -> None:
        self.missing = list(missing)
        where = f"{source}: " if source else ""
        names = ", ".join(self.missing)
        reason = (
            f"no column for the required field(s) {names}; every record needs them. "
            f"Accepted columns: {accepted} (Python) or --columns map.yaml (command line)"
        )
        self.errors = [RecordError("header", name, None, reason) for name in self.missing]
        self.valid = None
        self.source = source
        ValueError.__init__(self, f"{where}{reason}")


class CatalogError(MatchkitError, ValueError):
    """The approach catalog is malformed; the message names file, entry and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(f"invalid approach catalog: {self.problems[0]}")
        else:
            lines = [f"  {p}" for p in self.problems]
            super().__init__("invalid approach catalog:\n" + "\n".join(lines))


class RuleError(MatchkitError, ValueError):
    """A rule that cannot be used, with the position of the problem.

    Attributes
    ----------
    text : str
        The rule text.
    position : int
        0-based character offset of the problem.
    context : str
        Where the rule comes from (approach and rule id), when known.
    """

    def __init__(self, message: str, text: str, position: int, context: str = "") -> None:
        self.reason = message
        self.text = text
        self.position = position
        self.context = context
        where = f"{context}: " if context else ""
        # Show a window of a long rule around the problem, saying how long the rule is.
        start = max(0, position - _RULE_WINDOW // 2) if len(text) > _RULE_WHOLE else 0
        shown = text if len(text) <= _RULE_WHOLE else text[start : start + _RULE_WINDOW]
        if len(text) > _RULE_WHOLE:
            shown = (
                f"{'…' if start else ''}{shown}{'…' if len(text) > start + _RULE_WINDOW else ''}"
            )
            note = f" (rule of {len(text):,} characters)"
        else:
            note = ""
        caret = " " * (position - start + (1 if start else 0)) + "^"
        super().__init__(
            f"{where}{clip_text(message)} at position {position}{note}\n    {shown}\n    {caret}"
        )

    def with_context(self, context: str) -> RuleError:
        """Return the same error naming where the rule comes from."""
        return type(self)(self.reason, self.text, self.position, context)


class RuleSyntaxError(RuleError):
    """The rule text does not follow the grammar."""


class UnknownFieldError(RuleError):
    """The rule names a field that is not in the client-profile contract."""


class AssignmentError(MatchkitError, ValueError):
    """A planning request that is malformed or cannot be satisfied."""


class ParameterError(MatchkitError, ValueError):
    """An option or argument value that is not allowed (names it, and what is allowed)."""


class OverlapError(MatchkitError, ValueError):
    """An approach's participants and usual care share too few comparable clients to compare."""


class OverlapWarning(MatchkitWarning):
    """Rows without overlap were left out of an effect estimate (names how many, and where)."""


class UnknownApproachError(MatchkitError, KeyError):
    """An approach id that is not in the catalog."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown approach"
