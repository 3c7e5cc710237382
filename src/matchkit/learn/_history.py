"""Histories: a caseload as it was at the start, what each client took part in, what followed.

A :class:`History` is the input of learning. It holds

* ``caseload``: the clients' profiles at the start, validated against the profile contract;
* ``approach``: the approach each client took part in (an approach id), or ``<NA>`` for usual
  care / no approach;
* ``outcomes``: one float column per outcome, e.g. ``exit_12m`` (binary, 0.0/1.0) or
  ``ladder_change`` (numeric); NaN where an outcome was not recorded;
* ``start_date``: optional start dates;
* ``truth``: for synthetic histories only, the planted per-client truth for every approach.

This module holds the data structure; reading, validation and generation build on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matchkit._caseload import Caseload
from matchkit._types import FloatArray

__all__ = ["TREATMENT_COLUMN", "History", "HistoryTruth"]

TREATMENT_COLUMN = "approach_id"
"""Default name of the column that says which approach a client took part in."""


@dataclass(frozen=True)
class HistoryTruth:
    """The planted truth behind a synthetic history (never available for real data).

    Attributes
    ----------
    approach_ids : tuple of str
        The approaches, in column order of ``treated``.
    outcome : str
        The outcome column the truth is about.
    baseline : ndarray of shape (n,)
        Each client's expected outcome under usual care.
    treated : ndarray of shape (n, k)
        Each client's expected outcome under each approach.
    """

    approach_ids: tuple[str, ...]
    outcome: str
    baseline: FloatArray
    treated: FloatArray

    @property
    def effects(self) -> FloatArray:
        """Each client's true effect of each approach against usual care, shape (n, k)."""
        return self.treated - self.baseline[:, None]


@dataclass(frozen=True)
class History:
    """Who took part in what, how they looked at the start, and what followed.

    Attributes
    ----------
    caseload : Caseload
        The clients' profiles at the start.
    approach : Series
        String dtype, named ``approach_id``; ``<NA>`` means usual care.
    outcomes : DataFrame
        One float64 column per outcome; binary outcomes hold 0.0 and 1.0.
    start_date : Series or None
        Optional start dates (datetime64).
    truth : HistoryTruth or None
        The planted truth of a synthetic history (its main outcome).
    truths : tuple of HistoryTruth
        The planted truth of every outcome that has one (``truth`` among them); see
        :meth:`truth_for`.
    """

    caseload: Caseload
    approach: pd.Series
    outcomes: pd.DataFrame
    start_date: pd.Series | None = None
    truth: HistoryTruth | None = field(default=None, repr=False)
    truths: tuple[HistoryTruth, ...] = field(default=(), repr=False)

    def __len__(self) -> int:
        return len(self.caseload)

    def truth_for(self, outcome: str) -> HistoryTruth | None:
        """Return the planted truth of ``outcome``, or None (real data, or no truth for it)."""
        for t in (self.truth, *self.truths):
            if t is not None and t.outcome == outcome:
                return t
        return None

    @property
    def approach_ids(self) -> tuple[str, ...]:
        """The approaches that occur in the history, sorted (usual care excluded)."""
        return tuple(sorted(str(a) for a in self.approach.dropna().unique()))

    @property
    def binary_outcomes(self) -> tuple[str, ...]:
        """The outcome columns whose recorded values are all 0 or 1."""
        return tuple(
            str(c)
            for c in self.outcomes.columns
            if np.isin(self.outcomes[c].dropna().to_numpy(), (0.0, 1.0)).all()
        )

    @property
    def frame(self) -> pd.DataFrame:
        """One flat frame: the contract columns, ``approach_id``, the outcomes (and start date)."""
        parts = [
            self.caseload.frame,
            self.approach.rename(TREATMENT_COLUMN).reset_index(drop=True),
            self.outcomes.reset_index(drop=True),
        ]
        if self.start_date is not None:
            parts.append(self.start_date.rename("start_date").reset_index(drop=True))
        return pd.concat(parts, axis=1)
