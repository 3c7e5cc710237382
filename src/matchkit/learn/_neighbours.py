"""How the most similar past clients fared: counts and outcome rates, never identities.

A fitted effect model keeps, per arm (usual care and each approach), a random sample of at
most ``size`` past clients: their raw features and outcome, without ids. For a new client the
``k`` nearest of them in the standardised feature basis (scikit-learn ``NearestNeighbors``)
are summarised as a count and a mean outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit._types import FloatArray

__all__ = ["Neighbours"]


@dataclass
class Neighbours:
    """Per arm: a sample of past clients' raw features and outcomes (no ids)."""

    raw: dict[int, FloatArray]
    outcome: dict[int, FloatArray]
    _index: dict[int, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def sample(
        cls,
        raw: FloatArray,
        arm: npt.NDArray[np.int64],
        y: FloatArray,
        size: int,
        random_state: int | None,
    ) -> Neighbours:
        """Keep at most ``size`` random rows of each arm."""
        rng = np.random.default_rng(random_state)
        out_raw, out_y = {}, {}
        for a in np.unique(arm):
            idx = np.flatnonzero(arm == a)
            if len(idx) > size:
                idx = np.sort(rng.choice(idx, size=size, replace=False))
            out_raw[int(a)] = np.round(raw[idx], 4)  # as saved, so a loaded model agrees
            out_y[int(a)] = y[idx]
        return cls(out_raw, out_y)

    def nearest(
        self, basis_of: Any, client_basis: FloatArray, arm: int, k: int = 25
    ) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Return, per client, how many neighbours were found and their mean outcome."""
        if arm not in self.raw or not len(self.raw[arm]):
            return np.zeros(len(client_basis), dtype=np.int64), np.full(len(client_basis), np.nan)
        if arm not in self._index:
            # Imported here, where it is used: `import matchkit` stays quick.
            from sklearn.neighbors import NearestNeighbors

            self._index[arm] = NearestNeighbors(n_neighbors=min(k, len(self.raw[arm]))).fit(
                basis_of(self.raw[arm])
            )
        nn = self._index[arm]
        _, idx = nn.kneighbors(client_basis)
        counts = np.full(len(client_basis), idx.shape[1], dtype=np.int64)
        return counts, self.outcome[arm][idx].mean(axis=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: raw features rounded to 4 decimals (null when unknown), outcomes."""

        def rows(x: FloatArray) -> list[list[float | None]]:
            r = np.round(x, 4).astype(object)
            r[np.isnan(x)] = None
            return [list(row) for row in r]

        return {
            str(a): {"raw": rows(self.raw[a]), "outcome": self.outcome[a].tolist()}
            for a in self.raw
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Neighbours:
        """Rebuild from :meth:`to_dict` output."""
        raw, out = {}, {}
        for key, d in data.items():
            a = int(key)
            raw[a] = np.array(
                [[np.nan if v is None else float(v) for v in row] for row in d["raw"]],
                dtype=np.float64,
            ).reshape(len(d["raw"]), -1)
            out[a] = np.asarray(d["outcome"], dtype=np.float64)
        return cls(raw, out)
