"""Learning from histories: who took part in what, what followed, and what that says.

A :class:`History` is a caseload as it was at the start, the approach each client took part in
(empty for usual care) and the outcomes that followed. :func:`read_history`,
:func:`validate_history` and :func:`write_history` move histories in and out of JSONL, CSV,
Parquet and DataFrames with the caseload's validation and all-errors reporting.

:func:`fit_effects` estimates from a history (or any DataFrame with a treatment column) the
effect of each approach against usual care, cross-fitted and doubly robust, with honest
intervals per approach and per client; :func:`policy_value` values any matching policy
off-line; ``Recommender(catalog, effects=model)`` then ranks by the learned gain.
:class:`TwoStepPropensity` is the default propensity model (any approach, then which one).
"""

from typing import Any

from matchkit.learn._compare import POLICIES, PolicyComparison, compare_policies
from matchkit.learn._effects import EffectModel, fit_effects, load_effects
from matchkit.learn._estimate import Estimate
from matchkit.learn._history import TREATMENT_COLUMN, History, HistoryTruth
from matchkit.learn._io import START_DATE_COLUMN, read_history, validate_history, write_history
from matchkit.learn._policy import PolicyTree, PolicyValue, policy_value

__all__ = [
    "POLICIES",
    "START_DATE_COLUMN",
    "TREATMENT_COLUMN",
    "EffectModel",
    "Estimate",
    "History",
    "HistoryTruth",
    "PolicyComparison",
    "PolicyTree",
    "PolicyValue",
    "TwoStepPropensity",
    "compare_policies",
    "fit_effects",
    "load_effects",
    "policy_value",
    "read_history",
    "validate_history",
    "write_history",
]


def __getattr__(name: str) -> Any:
    # The model classes subclass scikit-learn's: loaded on first use, so that
    # `import matchkit` does not import scikit-learn.
    if name == "TwoStepPropensity":
        from matchkit.learn._models import TwoStepPropensity

        return TwoStepPropensity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
