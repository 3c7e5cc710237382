"""Synthetic data with a planted truth: caseloads, catalogs and outcome models for benchmarks.

:func:`generate_caseload` draws a national-mix caseload that follows the profile contract;
:func:`generate_catalog` draws approaches for scale tests; the planted outcome model
(:func:`outcome_probabilities`) lets :func:`evaluate` compare matching strategies without
real client data; :func:`generate_history` draws a history of past assignments and outcomes
from a separate planted effect model (:class:`PlantedWorld`).
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
from matchkit.synth._history import (
    HISTORY_APPROACH_IDS,
    PlantedWorld,
    generate_history,
    planted_world,
)
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
    "HISTORY_APPROACH_IDS",
    "PLANTED_EFFECTS",
    "REGIONS",
    "STRATEGIES",
    "CalibrationTarget",
    "Evaluation",
    "PlantedEffect",
    "PlantedWorld",
    "Region",
    "approach_fit",
    "baseline_probability",
    "calibrate_lift",
    "evaluate",
    "generate_caseload",
    "generate_catalog",
    "generate_history",
    "outcome_probabilities",
    "planted_world",
]
