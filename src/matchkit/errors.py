"""Exceptions and warnings raised by matchkit.

Every exception derives from :class:`MatchkitError`; each leaf also derives from the builtin
it refines, so a plain ``except ValueError`` keeps working::

    MatchkitError(Exception)
    ├── RecordErrors(MatchkitError, ValueError)        bad client records, all listed
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

__all__ = [
    "AssignmentError",
    "CatalogError",
    "DataQualityWarning",
    "MatchkitError",
    "MatchkitWarning",
    "OverlapError",
    "OverlapWarning",
    "ParameterError",
    "RecordError",
    "RecordErrors",
    "RuleError",
    "RuleSyntaxError",
    "UnknownApproachError",
    "UnknownFieldError",
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
        return f"{self.record}: {self.field}={self.value!r} is not allowed; expected {self.allowed}"


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


class CatalogError(MatchkitError, ValueError):
    """The approach catalog is malformed; the message names file, entry and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid approach catalog:\n" + "\n".join(f"  {p}" for p in problems))


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
        caret = " " * position + "^"
        super().__init__(f"{where}{message} at position {position}\n    {text}\n    {caret}")

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
