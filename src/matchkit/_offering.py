"""Where an approach is offered: the local offering, set without editing the catalog.

The report's approaches are local pilots; APP is area-based by design (§4.2.3, "gebiedsgericht
werken … voorwaarde"). The catalog records where each approach was piloted
(``municipalities``), which does not limit where it is offered. An entry may set
``offered_in``; a user sets the local offering with an :class:`Offering`: one list for
everyone (``--offered fip,app``) or a small file per municipality or area. With no offering
anywhere, everything counts as offered, so the demo works anywhere.

An approach that fits but is not offered in the client's municipality is reported apart, as
"would fit, not offered here": the demand for adopting it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from matchkit.errors import ParameterError

if TYPE_CHECKING:
    from matchkit._catalog import Catalog

__all__ = ["DEFAULT_AREA", "Offering", "load_offering"]

DEFAULT_AREA = "*"
"""Key of an offering file's entry for every municipality it does not name."""


def _key(area: str) -> str:
    return " ".join(area.split()).casefold()


@dataclass(frozen=True)
class Offering:
    """The approaches offered, for everyone or per municipality (or area).

    Parameters
    ----------
    by_area : mapping of str to iterable of str, optional
        Municipality (CBS name, compared without case) to the approach ids offered there.
    default : iterable of str, optional
        The approach ids offered to clients whose municipality is not in ``by_area`` (or is
        unknown). Without it those clients fall back to the catalog's ``offered_in``, and
        then to "everything offered".

    Examples
    --------
    >>> import matchkit as mk
    >>> offering = mk.Offering(by_area={"Utrecht": ["energiebox", "fip"]})
    >>> sorted(offering.offered_in("utrecht")), offering.offered_in("Zaanstad")
    (['energiebox', 'fip'], None)
    """

    by_area: Mapping[str, Iterable[str]] = field(default_factory=dict)
    default: Iterable[str] | None = None
    _areas: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _default: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        areas: dict[str, frozenset[str]] = {}
        for area, ids in dict(self.by_area).items():
            if not isinstance(area, str) or not area.strip():
                raise ParameterError(f"by_area: key {area!r} is not allowed; expected a name")
            areas[_key(area)] = _ids(ids, f"by_area[{area!r}]")
        object.__setattr__(self, "_areas", areas)
        default = None if self.default is None else _ids(self.default, "default")
        object.__setattr__(self, "_default", default)

    @classmethod
    def parse(cls, text: str) -> Offering:
        """Return the offering ``"fip,app"``: these approaches, for every client."""
        ids = [part.strip() for part in text.split(",") if part.strip()]
        if not ids:
            raise ParameterError(f"offered={text!r}: expected approach ids separated by ','")
        return cls(default=ids)

    def offered_in(self, municipality: str | None) -> frozenset[str] | None:
        """Approach ids offered in ``municipality``; None when this offering does not say."""
        if municipality is not None and _key(municipality) in self._areas:
            return self._areas[_key(municipality)]
        return self._default

    def check(self, catalog: Catalog) -> None:
        """Raise ParameterError when the offering names approaches not in ``catalog``."""
        named = set(self._default or ())
        for ids in self._areas.values():
            named |= ids
        unknown = sorted(named - set(catalog.ids))
        if unknown:
            raise ParameterError(
                f"offering: approach ids {', '.join(unknown)} are not in the catalog; "
                f"expected ids from {', '.join(catalog.ids)}"
            )


def _ids(ids: Iterable[str] | Any, where: str) -> frozenset[str]:
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise ParameterError(f"{where}={ids!r} is not allowed; expected a list of approach ids")
    out = list(ids)
    bad = [i for i in out if not isinstance(i, str) or not i.strip()]
    if bad:
        raise ParameterError(f"{where}: {bad[0]!r} is not allowed; expected an approach id")
    return frozenset(i.strip() for i in out)


def load_offering(path: str | Path) -> Offering:
    """Read an offering file: YAML or JSON, municipality (or area) to approach ids.

    ``"*"`` gives the approaches offered everywhere else::

        Utrecht: [energiebox, fip, buurt-mv]
        Zaanstad: [app, fip]
        "*": [fip]

    Raises
    ------
    ParameterError
        When the file is not such a mapping.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ParameterError(f"{p}: not a valid offering file: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(
            f"{p}: expected a mapping of municipality to a list of approach ids, "
            f"got {type(data).__name__}"
        )
    default = data.pop(DEFAULT_AREA, None)
    try:
        return Offering(by_area=data, default=default)
    except ParameterError as exc:
        raise ParameterError(f"{p}: {exc}") from None


def offered_mask(
    catalog: Catalog, municipality: npt.NDArray[Any], offering: Offering | None
) -> npt.NDArray[np.bool_]:
    """Whether each approach is offered to each client: a bool array (n, m).

    Per client, the user's offering decides when it speaks for the client's municipality
    (or has a default); otherwise the catalog entry's ``offered_in``; otherwise offered.
    An unknown municipality is offered whatever the catalog says (unknown is not false).
    """
    n, ids = len(municipality), catalog.ids
    out = np.ones((n, len(ids)), dtype=bool)
    if n <= 1_000:  # a few clients (one client, an interactive call): no pandas round trip
        index: dict[Any, int] = {}
        codes = np.array(
            [-1 if v is None or v != v else index.setdefault(v, len(index)) for v in municipality],
            dtype=np.int64,
        )
        uniq: Any = list(index)
    else:
        codes, uniq = pd.factorize(pd.Series(municipality, dtype=object), use_na_sentinel=True)
    areas: list[str | None] = [None, *(str(u) if str(u).strip() else None for u in uniq)]
    for k, area in enumerate(areas):
        rows = codes == k - 1
        if not rows.any():
            continue
        user = offering.offered_in(area) if offering is not None else None
        for j, approach in enumerate(catalog.approaches):
            if user is not None:
                out[rows, j] = approach.id in user
            elif approach.offered_in is not None and area is not None:
                out[rows, j] = _key(area) in {_key(a) for a in approach.offered_in}
    return out
