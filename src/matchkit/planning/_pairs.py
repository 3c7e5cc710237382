"""Validation of a planning request and its sparse form: the list of candidate pairs.

Everything downstream works on :class:`Pairs`, the (client, approach) pairs that may be
assigned, so no solver ever sees a dense ``n * m`` constraint matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from matchkit.errors import AssignmentError

MAX_CAPACITY: Final = 2**53
"""The most places an approach may have: every count up to here is exact in float64."""

_SHOWN = 3  # how many offending positions an error message lists


@dataclass(frozen=True, eq=False)
class Pairs:
    """The candidate pairs of one request, ordered by client, then approach.

    Attributes
    ----------
    n_clients, n_approaches : int
        Size of the dense problem.
    client, approach : ndarray of int64, shape (k,)
        Indices of each candidate pair.
    score : ndarray of float64, shape (k,)
        Score of each candidate pair, in [0, 1].
    capacity : ndarray of int64, shape (n_approaches,)
        Places per approach.
    """

    n_clients: int
    n_approaches: int
    client: npt.NDArray[np.int64]
    approach: npt.NDArray[np.int64]
    score: npt.NDArray[np.float64]
    capacity: npt.NDArray[np.int64]

    @property
    def size(self) -> int:
        """Number of candidate pairs."""
        return int(self.client.size)


@dataclass(frozen=True, eq=False)
class Share:
    """One min-share requirement: at least ``share`` of the assigned clients are ``member``."""

    name: str
    member: npt.NDArray[np.bool_]
    share: float


def _positions(mask: npt.NDArray[np.bool_], labels: tuple[str, ...]) -> str:
    """Describe where ``mask`` is true, e.g. ``"[client 3, approach 1] and 4 more"``."""
    where = np.argwhere(mask)
    shown = ", ".join(
        "[" + ", ".join(f"{lab} {int(v)}" for lab, v in zip(labels, row, strict=True)) + "]"
        for row in where[:_SHOWN]
    )
    more = len(where) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _bool_array(name: str, value: Any, shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    array = np.asarray(value)
    if array.dtype != np.bool_:
        raise AssignmentError(f"{name} must be a boolean array; got dtype {array.dtype}")
    if array.shape != shape:
        raise AssignmentError(
            f"{name} must have shape {shape} to match score; got shape {array.shape}"
        )
    return array


def _score_array(score: Any) -> npt.NDArray[np.float64]:
    try:
        array = np.asarray(score, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AssignmentError(f"score must be an array of numbers; got {exc}") from exc
    if array.ndim != 2:
        raise AssignmentError(
            f"score must be 2-D with shape (n_clients, n_approaches); got shape {array.shape}"
        )
    return array


def _capacity_array(capacity: Any, n_approaches: int) -> npt.NDArray[np.int64]:
    array = np.asarray(capacity)
    if array.shape != (n_approaches,):
        raise AssignmentError(
            f"capacity must have shape ({n_approaches},), one entry per approach (column of "
            f"score); got shape {array.shape}"
        )
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.number):
        raise AssignmentError(f"capacity must hold non-negative integers; got dtype {array.dtype}")
    with np.errstate(invalid="ignore"):
        bad = (
            ~np.isfinite(array) | (array < 0) | (array > MAX_CAPACITY) | (array != np.round(array))
        )
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise AssignmentError(
            f"capacity[{first}]={array[first].item()!r} is not allowed; expected a non-negative "
            "integer number of places up to 2**53 (bad entries at "
            f"{_positions(bad, ('approach',))})"
        )
    return array.astype(np.int64)


def build_pairs(
    score: Any,
    allowed: Any,
    capacity: Any,
    exclude: Any | None = None,
) -> Pairs:
    """Validate a request and list its candidate pairs (allowed and not excluded).

    Parameters
    ----------
    score : array_like of float, shape (n, m)
        Score of each pair; must lie in [0, 1] wherever ``allowed`` is true.
    allowed : array_like of bool, shape (n, m)
        Pairs that may be assigned.
    capacity : array_like of int, shape (m,)
        Places per approach, non-negative.
    exclude : array_like of bool, shape (n, m), optional
        Pairs that may not be assigned even if allowed.

    Returns
    -------
    Pairs
        The candidate pairs, ordered by client, then approach.

    Raises
    ------
    AssignmentError
        When a shape, dtype or value is not allowed; the message says which and where.
    """
    score_arr = _score_array(score)
    shape = score_arr.shape
    allowed_arr = _bool_array("allowed", allowed, shape)
    capacity_arr = _capacity_array(capacity, shape[1])
    with np.errstate(invalid="ignore"):
        bad = allowed_arr & ~((score_arr >= 0.0) & (score_arr <= 1.0))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        got = score_arr[i, j].item()
        raise AssignmentError(
            f"score[{i}, {j}]={got!r} is not allowed for an allowed pair; expected a number "
            f"in [0, 1] (bad allowed pairs at {_positions(bad, ('client', 'approach'))})"
        )
    candidate = allowed_arr
    if exclude is not None:
        candidate = allowed_arr & ~_bool_array("exclude", exclude, shape)
    client, approach = np.nonzero(candidate)
    return Pairs(
        n_clients=shape[0],
        n_approaches=shape[1],
        client=client.astype(np.int64),
        approach=approach.astype(np.int64),
        score=score_arr[client, approach],
        capacity=capacity_arr,
    )


def build_shares(
    groups: Mapping[str, Any] | None,
    min_share: Mapping[str, Any] | None,
    n_clients: int,
) -> list[Share]:
    """Validate group min-share requirements.

    Parameters
    ----------
    groups : mapping of str to array_like of bool, shape (n_clients,), optional
        Group membership per client.
    min_share : mapping of str to float, optional
        Required minimum share of each named group among the assigned clients.
    n_clients : int
        Number of clients (rows of score).

    Returns
    -------
    list of Share
        One entry per name in ``min_share``, in its order; groups without a share are
        checked but not returned.

    Raises
    ------
    AssignmentError
        When a share names an unknown group, lies outside [0, 1], or a membership array
        has the wrong shape or dtype.
    """
    groups = {} if groups is None else groups
    min_share = {} if min_share is None else min_share
    members = {
        name: _bool_array(f"groups[{name!r}]", value, (n_clients,))
        for name, value in groups.items()
    }
    unknown = [name for name in min_share if name not in members]
    if unknown:
        raise AssignmentError(
            f"min_share names unknown group(s) {unknown}; known groups: {sorted(members)}"
        )
    shares = []
    for name, value in min_share.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise AssignmentError(
                f"min_share[{name!r}]={value!r} is not allowed; expected a number in [0, 1]"
            )
        share = float(value)
        if not (math.isfinite(share) and 0.0 <= share <= 1.0):
            raise AssignmentError(
                f"min_share[{name!r}]={value!r} is not allowed; expected a number in [0, 1]"
            )
        shares.append(Share(name=name, member=members[name], share=share))
    return shares
