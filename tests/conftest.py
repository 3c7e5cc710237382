"""Shared fixtures and the one Hypothesis profile of the test suite."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "matchkit",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("matchkit")


@pytest.fixture
def rng() -> np.random.Generator:
    """One seeded generator per test; never global seeding."""
    return np.random.default_rng(20261128)
