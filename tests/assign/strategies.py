"""Hypothesis strategies and a brute-force oracle for tiny assignment problems."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# HiGHS calls vary in time; a deadline would make the properties flaky, not stricter.
SMALL = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Scores on a coarse grid make ties common, so tie handling is exercised.
GRID = 20


@dataclass(frozen=True)
class Instance:
    score: np.ndarray
    allowed: np.ndarray
    capacity: np.ndarray
    exclude: np.ndarray | None = None

    @property
    def candidate(self) -> np.ndarray:
        return self.allowed if self.exclude is None else self.allowed & ~self.exclude

    def kwargs(self) -> dict[str, Any]:
        return {"exclude": self.exclude} if self.exclude is not None else {}


@st.composite
def instances(
    draw, min_clients: int = 0, max_clients: int = 6, max_approaches: int = 3, max_capacity: int = 3
):
    n = draw(st.integers(min_clients, max_clients))
    m = draw(st.integers(1, max_approaches))
    score = draw(arrays(np.int64, (n, m), elements=st.integers(0, GRID))) / GRID
    allowed = draw(arrays(np.bool_, (n, m)))
    capacity = draw(arrays(np.int64, (m,), elements=st.integers(0, max_capacity)))
    exclude = draw(st.none() | arrays(np.bool_, (n, m)))
    return Instance(score, allowed, capacity, exclude)


@dataclass(frozen=True)
class Plans:
    """Every feasible assignment of an instance: ``approach[p, i]`` is -1 or an approach."""

    approach: np.ndarray
    total: np.ndarray
    count: np.ndarray

    def best_total(self) -> float:
        return float(self.total.max())

    def optimal(self) -> np.ndarray:
        return self.total >= self.best_total() - 1e-9


def enumerate_plans(score: np.ndarray, candidate: np.ndarray, capacity: np.ndarray) -> Plans:
    n, m = candidate.shape
    options = [[-1, *np.flatnonzero(candidate[i]).tolist()] for i in range(n)]
    approach = np.array(list(itertools.product(*options)), dtype=np.int64)
    approach = approach.reshape(len(approach), n)  # n == 0 still has one plan: nobody
    per_approach = (approach[:, :, np.newaxis] == np.arange(m)).sum(axis=1)
    approach = approach[(per_approach <= capacity).all(axis=1)]
    gained = np.where(approach >= 0, score[np.arange(n), np.maximum(approach, 0)], 0.0)
    return Plans(approach, gained.sum(axis=1), (approach >= 0).sum(axis=1))


def plans_of(instance: Instance, capacity: np.ndarray | None = None) -> Plans:
    return enumerate_plans(
        instance.score,
        instance.candidate,
        instance.capacity if capacity is None else capacity,
    )


def random_pairs(
    rng: np.random.Generator, n: int, m: int, *, density: float, decimals: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A random (score, allowed) pair of matrices; rounded scores give many ties."""
    score = rng.random((n, m))
    if decimals is not None:
        score = np.round(score, decimals)
    allowed = rng.random((n, m)) < density
    return score, allowed
