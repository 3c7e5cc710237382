"""Numeric views of a caseload: values plus "known" masks, computed once per field.

Rules and scoring read clients through :class:`CaseloadColumns`: every scalar field as a
float64 array (enum levels as their index, booleans as 0/1, unknown as NaN), text fields as
object arrays, list fields as membership masks. Derived fields are computed here in
three-valued logic, so "unknown" travels through them too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._fields import FIELDS, ZRM_COLUMNS, Kind
from matchkit._types import BoolArray, FloatArray

__all__ = ["CaseloadColumns", "RecordColumns"]


_STARTKWALIFICATIE_FROM = FIELDS["education"].values.index("mbo2")
_BOUNDED = frozenset({"zrm_problem_domains", "zrm_min"})


class CaseloadColumns:
    """Column source over a typed caseload frame (see ``matchkit.rules.ColumnSource``)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._n = len(frame)
        self._scalars: dict[str, tuple[FloatArray, BoolArray]] = {}
        self._lists: dict[str, tuple[dict[str, BoolArray], BoolArray]] = {}
        self._bounds: dict[str, tuple[FloatArray, FloatArray]] = {}
        self._distinct: dict[str, tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]] = {}
        self._zrm: FloatArray | None = None

    @property
    def n(self) -> int:
        """Number of clients."""
        return self._n

    def scalar(self, name: str) -> tuple[FloatArray, BoolArray]:
        """Return values and known-mask of a scalar field (stored or derived)."""
        if name not in self._scalars:
            values = self._derived(name) if FIELDS[name].derived else self._stored(name)
            self._scalars[name] = (values, ~np.isnan(values))
        return self._scalars[name]

    def known(self, name: str) -> BoolArray:
        """Return the known-mask of any field."""
        spec = FIELDS[name]
        if spec.kind is Kind.LIST:
            return self._list(name)[1]
        if spec.kind is Kind.STR:
            return np.asarray(self._frame[name].notna(), dtype=bool)
        return self.scalar(name)[1]

    def text(self, name: str) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """Return a text field as an object array (None when unknown) and its known-mask."""
        col = self._frame[name]
        known = np.asarray(col.notna(), dtype=bool)
        values = np.asarray(col.astype(object).where(known, None), dtype=object)
        return values, known

    def contains(self, name: str, item: str) -> tuple[BoolArray, BoolArray]:
        """Return (item is in the list, the list is known) for a list field."""
        members, known = self._list(name)
        if item not in members:
            distinct, inverse = self._distinct_lists(name)
            found = np.fromiter(
                (v is not None and item in v for v in distinct), dtype=bool, count=len(distinct)
            )
            members[item] = found[inverse]
        return members[item], known

    def _distinct_lists(self, name: str) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
        """Return the distinct list objects of a list field and each row's position among them.

        Rows often share one list object (the readers keep one list per distinct list), so
        each shared list is looked at once; a frame of separate lists has as many as rows.
        """
        if name not in self._distinct:
            values = self._frame[name].to_numpy(dtype=object)
            ids = np.fromiter(map(id, values), dtype=np.intp, count=self._n)
            _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
            self._distinct[name] = (values[first], inverse.ravel().astype(np.intp))
        return self._distinct[name]

    def _list(self, name: str) -> tuple[dict[str, BoolArray], BoolArray]:
        if name not in self._lists:
            distinct, inverse = self._distinct_lists(name)
            known_distinct = np.fromiter(
                (v is not None for v in distinct), dtype=bool, count=len(distinct)
            )
            members: dict[str, BoolArray] = {}
            vocab = FIELDS[name].values
            if vocab:
                position = {item: i for i, item in enumerate(vocab)}
                hot = np.zeros((len(distinct), len(vocab)), dtype=bool)
                for k, v in enumerate(distinct.tolist()):
                    if v is not None:
                        for item in v:
                            i = position.get(item) if isinstance(item, str) else None
                            if i is not None:
                                hot[k, i] = True
                rows = hot[inverse]
                members = {item: rows[:, i].copy() for i, item in enumerate(vocab)}
            self._lists[name] = (members, known_distinct[inverse])
        return self._lists[name]

    def _stored(self, name: str) -> FloatArray:
        col = self._frame[name]
        kind = FIELDS[name].kind
        if kind is Kind.ENUM:
            codes = np.asarray(col.cat.codes, dtype=np.float64)
            codes[codes < 0] = np.nan
            return codes
        if kind in (Kind.INT, Kind.FLOAT, Kind.BOOL):
            return np.asarray(col.to_numpy(dtype="float64", na_value=np.nan), dtype=np.float64)
        raise TypeError(f"{name} is a {kind} field, not a scalar")

    def _derived(self, name: str) -> FloatArray:
        out = np.full(self._n, np.nan)
        if name == "single_parent":
            household, h_known = self.scalar("household")
            children, c_known = self.scalar("children")
            couple = h_known & (household == FIELDS["household"].values.index("couple"))
            no_children = c_known & (children == 0)
            out[h_known & c_known] = 1.0
            out[couple | no_children] = 0.0
        elif name == "long_term":
            months, known = self.scalar("months_on_assistance")
            out[known] = (months[known] >= 24).astype(np.float64)
        elif name == "startkwalificatie":
            edu, known = self.scalar("education")
            out[known] = (edu[known] >= _STARTKWALIFICATIE_FROM).astype(np.float64)
        elif (bounds := self.bounds(name)) is not None:
            lo, hi = bounds
            exact = lo == hi
            out[exact] = lo[exact]
        else:
            raise KeyError(name)
        return out

    def bounds(self, name: str) -> tuple[FloatArray, FloatArray] | None:
        """Return the range a partly known ZRM aggregate must lie in, or None.

        ``zrm_problem_domains`` lies between the number of known domains scored 1-3 and that
        number plus the unknown domains; ``zrm_min`` between 1 (when a domain is unknown)
        and the lowest known score. The value is known where the two meet.
        """
        if name not in _BOUNDED:
            return None
        if name not in self._bounds:
            # Domain by domain, from the columns: no (n, 13) matrix, whose strided build was
            # most of the cost (2026-12-05, 1M clients under cProfile, reading the 13 columns
            # included: both aggregates 0.55 s -> 0.23 s). Counts are whole numbers and a
            # minimum does not depend on the order: the same values as the matrix's row sums
            # and row minima.
            n = self._n
            if name == "zrm_problem_domains":
                lo = np.zeros(n)
                unknown_count = np.zeros(n)
                for c in ZRM_COLUMNS:
                    values, known = self.scalar(c)
                    np.add(lo, values <= 3, out=lo)
                    np.add(unknown_count, ~known, out=unknown_count)
                hi = lo + unknown_count
            else:
                hi = np.full(n, np.inf)
                any_unknown = np.zeros(n, dtype=np.bool_)
                for c in ZRM_COLUMNS:
                    values, known = self.scalar(c)
                    np.fmin(hi, values, out=hi)  # fmin skips NaN (an unknown domain)
                    np.logical_or(any_unknown, ~known, out=any_unknown)
                np.fmin(hi, 5.0, out=hi, where=any_unknown)  # an unknown domain counts as 5
                lo = np.where(any_unknown, 1.0, hi)
            self._bounds[name] = (lo, hi)
        return self._bounds[name]

    def zrm_matrix(self) -> FloatArray:
        """Return the ZRM scores as an (n, 13) float array, NaN where unknown."""
        if self._zrm is None:
            self._zrm = (
                np.column_stack([self.scalar(c)[0] for c in ZRM_COLUMNS])
                if self._n
                else np.empty((0, len(ZRM_COLUMNS)))
            )
            self._zrm.setflags(write=False)
        return self._zrm

    def __getstate__(self) -> dict[str, Any]:
        return {
            "_frame": self._frame,
            "_n": self._n,
            "_scalars": {},
            "_lists": {},
            "_bounds": {},
            "_distinct": {},
            "_zrm": None,
        }


class RecordColumns(CaseloadColumns):
    """The same column source over validated flat records (a few clients, no DataFrame).

    Building a typed DataFrame costs milliseconds, most of the time one client takes; the
    arrays here are the ones :class:`CaseloadColumns` reads from such a frame, value for value
    (``tests/recommend/test_one_client.py`` checks every field).
    """

    def __init__(self, records: list[dict[str, Any]]) -> None:
        super().__init__(_NO_FRAME)  # every field is read from the records
        self._records = records
        self._n = len(records)

    def _values(self, name: str) -> list[Any]:
        return [r.get(name) for r in self._records]

    def known(self, name: str) -> BoolArray:
        """Return the known-mask of any field."""
        if FIELDS[name].kind is Kind.STR:
            return np.array([v is not None for v in self._values(name)], dtype=bool)
        return super().known(name)

    def text(self, name: str) -> tuple[npt.NDArray[np.object_], BoolArray]:
        """Return a text field as an object array (None when unknown) and its known-mask."""
        values = np.array([*self._values(name), None], dtype=object)[: self._n]
        return values, np.array([v is not None for v in values], dtype=bool)

    def contains(self, name: str, item: str) -> tuple[BoolArray, BoolArray]:
        """Return (item is in the list, the list is known) for a list field."""
        members, known = self._list(name)
        if item not in members:
            members[item] = np.array(
                [v is not None and item in v for v in self._values(name)], dtype=bool
            )
        return members[item], known

    def _list(self, name: str) -> tuple[dict[str, BoolArray], BoolArray]:
        if name not in self._lists:
            values = self._values(name)
            known = np.array([v is not None for v in values], dtype=bool)
            vocab = FIELDS[name].values
            members = {
                item: np.array([v is not None and item in v for v in values], dtype=bool)
                for item in vocab
            }
            self._lists[name] = (members, known)
        return self._lists[name]

    def _stored(self, name: str) -> FloatArray:
        spec = FIELDS[name]
        values = self._values(name)
        if spec.kind is Kind.ENUM:
            index = _LEVEL_INDEX[name]
            return np.array([np.nan if v is None else index[v] for v in values], dtype=np.float64)
        if spec.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL):
            return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        raise TypeError(f"{name} is a {spec.kind} field, not a scalar")

    def __getstate__(self) -> dict[str, Any]:
        return {**super().__getstate__(), "_records": self._records}


_NO_FRAME = pd.DataFrame()
"""The frame behind :class:`RecordColumns`: none (an empty one, built once, never written)."""

_LEVEL_INDEX = {
    name: {level: float(i) for i, level in enumerate(spec.values)}
    for name, spec in FIELDS.items()
    if spec.kind is Kind.ENUM
}
