"""Caseloads shared by the synthetic-data tests: drawn once per session to keep them fast."""

from __future__ import annotations

import pandas as pd
import pytest

from matchkit.synth import generate_caseload

N_CALIBRATION = 40_000
"""Clients in the calibration caseload: the tolerances in CALIBRATION_TARGETS assume it."""


@pytest.fixture(scope="session")
def caseload() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Observed and truth frames of a national-mix caseload (seed differs from calibration)."""
    observed, truth = generate_caseload(N_CALIBRATION, seed=20261128, return_truth=True)
    return observed.frame, truth.frame


@pytest.fixture(scope="session")
def observed(caseload: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return caseload[0]


@pytest.fixture(scope="session")
def truth(caseload: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return caseload[1]
