"""Profiles of the fuzzing suite: short in ``make test``, >= 10,000 examples when asked.

``MATCHKIT_FUZZ=slow`` (or running ``pytest -m slow tests/fuzz``) gives every fuzz test
``MATCHKIT_FUZZ_EXAMPLES`` examples (default 10,000); otherwise each runs a short profile.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

SLOW = os.environ.get("MATCHKIT_FUZZ") == "slow"
EXAMPLES = int(os.environ.get("MATCHKIT_FUZZ_EXAMPLES", "10000")) if SLOW else 30

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every fuzz test ``slow`` when the slow profile is on, so -m slow selects them."""
    if SLOW:
        for item in items:
            if "tests/fuzz" in str(item.fspath):
                item.add_marker(pytest.mark.slow)
