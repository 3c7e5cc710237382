"""Profiles of the fuzzing suite: short in ``make test``, >= 10,000 examples when asked.

The slow profile runs when ``MATCHKIT_FUZZ=slow`` is set or the tests are selected with
``-m slow`` (``pytest -m slow tests/fuzz``): every fuzz test then runs
``MATCHKIT_FUZZ_EXAMPLES`` examples (default 10,000). Otherwise each runs a short profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

SHORT = 30


def _slow() -> bool:
    return os.environ.get("MATCHKIT_FUZZ") == "slow"


def examples() -> int:
    """Examples per fuzz test in the profile that is on."""
    return int(os.environ.get("MATCHKIT_FUZZ_EXAMPLES", "10000")) if _slow() else SHORT


def fuzz(test: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the fuzz profile (read when the test module is imported, after configure)."""
    return settings(
        max_examples=examples(),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )(test)


def pytest_configure(config: pytest.Config) -> None:
    """Select the slow profile when the run asks for the ``slow`` marker."""
    if (config.option.markexpr or "").strip() == "slow":
        os.environ["MATCHKIT_FUZZ"] = "slow"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every fuzz test ``slow`` in the slow profile, so ``-m slow`` selects them."""
    if _slow():
        for item in items:
            if "fuzz" in item.nodeid:
                item.add_marker(pytest.mark.slow)
