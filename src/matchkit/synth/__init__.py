"""Synthetic data with a planted truth: caseloads, catalogs and outcome models for benchmarks.

:func:`generate_caseload` draws a national-mix caseload that follows the profile contract;
:func:`generate_catalog` draws approaches for scale tests; the planted outcome model
(:func:`outcome_probabilities`) lets :func:`evaluate` compare matching strategies without
real client data.
"""

from matchkit.synth._caseload import (
    CALIBRATION_TARGETS,
    DEFAULT_UNKNOWN_RATES,
    REGIONS,
    CalibrationTarget,
    Region,
    generate_caseload,
)
from matchkit.synth._catalog import generate_catalog
from matchkit.synth._evaluate import STRATEGIES, Evaluation, evaluate
from matchkit.synth._outcome import (
    APPROACH_IDS,
    PLANTED_EFFECTS,
    PlantedEffect,
    approach_fit,
    baseline_probability,
    calibrate_lift,
    outcome_probabilities,
)

__all__ = [
    "APPROACH_IDS",
    "CALIBRATION_TARGETS",
    "DEFAULT_UNKNOWN_RATES",
    "PLANTED_EFFECTS",
    "REGIONS",
    "STRATEGIES",
    "CalibrationTarget",
    "Evaluation",
    "PlantedEffect",
    "Region",
    "approach_fit",
    "baseline_probability",
    "calibrate_lift",
    "evaluate",
    "generate_caseload",
    "generate_catalog",
    "outcome_probabilities",
]
