"""Learning from histories: who took part in what, what followed, and what that says.

A :class:`History` is a caseload as it was at the start, the approach each client took part in
(empty for usual care) and the outcomes that followed. :func:`read_history`,
:func:`validate_history` and :func:`write_history` move histories in and out of JSONL, CSV,
Parquet and DataFrames with the caseload's validation and all-errors reporting.
"""

from matchkit.learn._history import TREATMENT_COLUMN, History, HistoryTruth
from matchkit.learn._io import START_DATE_COLUMN, read_history, validate_history, write_history

__all__ = [
    "START_DATE_COLUMN",
    "TREATMENT_COLUMN",
    "History",
    "HistoryTruth",
    "read_history",
    "validate_history",
    "write_history",
]
