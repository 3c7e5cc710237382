"""Learning from histories: who took part in what, what followed, and what that says.

:func:`fit_effects` estimates from a :class:`History` (or any DataFrame with a treatment
column) the effect of each approach against usual care, cross-fitted and doubly robust, with
honest intervals, per approach and per client; :func:`policy_value` values any matching
policy off-line. ``Recommender(catalog, effects=model)`` ranks by the learned gain.
"""

from matchkit.learn._effects import EffectModel, fit_effects, load_effects
from matchkit.learn._estimate import Estimate
from matchkit.learn._history import TREATMENT_COLUMN, History, HistoryTruth
from matchkit.learn._policy import PolicyTree, PolicyValue, policy_value

__all__ = [
    "TREATMENT_COLUMN",
    "EffectModel",
    "Estimate",
    "History",
    "HistoryTruth",
    "PolicyTree",
    "PolicyValue",
    "fit_effects",
    "load_effects",
    "policy_value",
]
