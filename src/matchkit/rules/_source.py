"""Where rule evaluation reads its columns: the ColumnSource protocol and ArraySource."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from matchkit._fields import FIELDS, FieldSpec, Kind, canonical_field

__all__ = ["ArraySource", "ColumnSource"]


class ColumnSource(Protocol):
    """Columns of a caseload as rule evaluation reads them (all arrays have length ``n``).

    Enum values are the ordinal index into ``FieldSpec.values`` (as float), booleans are
    0.0/1.0 and an unknown value is NaN. Derived fields are served like stored ones.

    A source may also offer ``bounds(name) -> (low, high) | None``: for an aggregate that is
    only partly known (the number of ZRM domains with problems when some domains are
    unknown), the range its true value must lie in. Comparisons then use the range, so a
    partly known aggregate is true, false or unknown as the range allows.
    """

    @property
    def n(self) -> int:
        """Number of clients."""
        ...

    def scalar(self, name: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Return values and known-mask of an int, float, bool or enum field."""
        ...

    def text(self, name: str) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        """Return a str field as an object array (None when unknown) and its known-mask."""
        ...

    def contains(self, name: str, item: str) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Return whether a list field holds ``item``, and where the list is known."""
        ...


@runtime_checkable
class BoundedSource(Protocol):
    """A column source that can bound partly known aggregates (see :class:`ColumnSource`)."""

    def bounds(self, name: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
        """Return (low, high) arrays for ``name``, or None when it has no bounds."""
        ...


_ALL_KINDS = tuple(Kind)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class ArraySource:
    """A :class:`ColumnSource` over in-memory columns, for tests and small caseloads.

    Columns hold natural values with ``None`` (or NaN) for unknown: numbers, booleans, enum
    levels as strings (or already encoded as float indices), text, and lists of strings for
    list fields. A field without a column is unknown for every client. Derived fields are
    not computed: give them as columns when a rule reads them.

    Parameters
    ----------
    columns : mapping of str to sequence or ndarray
        Field name (``zrm.housing`` or ``zrm_housing``) to one value per client.
    n : int, optional
        Number of clients; required only when ``columns`` is empty.

    Raises
    ------
    KeyError
        For a column that is not a field.
    ValueError
        For columns of different lengths or an enum value that is not a level.

    Examples
    --------
    >>> src = ArraySource({"age": [30, None], "dutch_level": ["B1", "A2"]})
    >>> src.scalar("dutch_level")
    (array([3., 2.]), array([ True,  True]))
    >>> src.contains("interests", "care")
    (array([False, False]), array([False, False]))
    """

    def __init__(
        self, columns: Mapping[str, Sequence[Any] | npt.NDArray[Any]], *, n: int | None = None
    ) -> None:
        lengths = {len(column) for column in columns.values()}
        if n is not None:
            lengths.add(n)
        if len(lengths) > 1:
            raise ValueError(f"columns differ in length: {sorted(lengths)}")
        if not lengths:
            raise ValueError("give n when there are no columns")
        self._n = lengths.pop()
        self._scalars: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]] = {}
        self._texts: dict[str, tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]] = {}
        self._lists: dict[str, tuple[dict[str, npt.NDArray[np.bool_]], npt.NDArray[np.bool_]]] = {}
        for name, column in columns.items():
            spec = self._spec(name)
            if spec.kind is Kind.STR:
                self._texts[spec.name] = _text_column(column)
            elif spec.kind is Kind.LIST:
                self._lists[spec.name] = _list_column(column, self._n)
            else:
                self._scalars[spec.name] = _scalar_column(spec, column)

    @property
    def n(self) -> int:
        """Number of clients."""
        return self._n

    @staticmethod
    def _spec(name: str, kinds: tuple[Kind, ...] = _ALL_KINDS) -> FieldSpec:
        canonical = canonical_field(name)
        if canonical is None:
            raise KeyError(f"{name!r} is not a field")
        spec = FIELDS[canonical]
        if spec.kind not in kinds:
            raise TypeError(f"{canonical} is a {spec.kind} field, not {' or '.join(kinds)}")
        return spec

    def scalar(self, name: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        """Return values and known-mask of an int, float, bool or enum field."""
        spec = self._spec(name, (Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.ENUM))
        if spec.name in self._scalars:
            return self._scalars[spec.name]
        return np.full(self._n, np.nan), np.zeros(self._n, dtype=np.bool_)

    def text(self, name: str) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
        """Return a str field as an object array (None when unknown) and its known-mask."""
        spec = self._spec(name, (Kind.STR,))
        if spec.name in self._texts:
            return self._texts[spec.name]
        return np.full(self._n, None, dtype=object), np.zeros(self._n, dtype=np.bool_)

    def contains(self, name: str, item: str) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Return whether a list field holds ``item``, and where the list is known."""
        spec = self._spec(name, (Kind.LIST,))
        if spec.name not in self._lists:
            return np.zeros(self._n, dtype=np.bool_), np.zeros(self._n, dtype=np.bool_)
        membership, known = self._lists[spec.name]
        return membership.get(item, np.zeros(self._n, dtype=np.bool_)), known


def _scalar_column(
    spec: FieldSpec, column: Sequence[Any] | npt.NDArray[Any]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    array = np.asarray(column)
    if array.dtype.kind in "biuf":
        values = array.astype(np.float64)
        if spec.kind is Kind.ENUM:
            known = values[~np.isnan(values)]
            if np.any((known < 0) | (known >= len(spec.values)) | (known != np.floor(known))):
                raise ValueError(
                    f"{spec.name} codes must be indices 0..{len(spec.values) - 1} or NaN"
                )
    elif spec.kind is Kind.ENUM:
        array = array.astype(object)  # plain str, so messages show 'B9', not np.str_('B9')
        values = np.full(len(array), np.nan)
        for index, level in enumerate(spec.values):
            values[array == level] = index
        bad = [
            v for v, code in zip(array, values, strict=True) if math.isnan(code) and not _missing(v)
        ]
        if bad:
            raise ValueError(f"{spec.name}={bad[0]!r} is not allowed; expected {spec.allowed()}")
    else:
        values = np.array([np.nan if _missing(v) else float(v) for v in array], dtype=np.float64)
    return values, ~np.isnan(values)


def _text_column(
    column: Sequence[Any] | npt.NDArray[Any],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]]:
    values = np.array([None if _missing(v) else str(v) for v in column], dtype=object)
    known = np.array([v is not None for v in values], dtype=np.bool_)
    return values, known


def _list_column(
    column: Sequence[Any] | npt.NDArray[Any], n: int
) -> tuple[dict[str, npt.NDArray[np.bool_]], npt.NDArray[np.bool_]]:
    # Precompute one membership mask per item so that `contains` is a lookup, not a loop.
    membership: dict[str, npt.NDArray[np.bool_]] = {}
    known = np.zeros(n, dtype=np.bool_)
    for row, items in enumerate(column):
        if items is None:
            continue
        known[row] = True
        for item in items:
            membership.setdefault(item, np.zeros(n, dtype=np.bool_))[row] = True
    return membership, known
