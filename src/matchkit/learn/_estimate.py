"""An estimate with its standard error, 95% interval and the rows it rests on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from matchkit._types import FloatArray

__all__ = ["Z95", "Estimate", "mean_estimate"]

Z95 = 1.959963984540054
"""The 97.5% quantile of the standard normal: a 95% interval is estimate ± Z95 · std_error."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its uncertainty.

    Attributes
    ----------
    estimate : float
    std_error : float
    ci_low, ci_high : float
        The 95% confidence interval (normal approximation).
    n : int
        Rows the estimate rests on.
    n_treated, n_control : int
        Of those, participants of the approach and usual-care clients (0 when not applicable).
    label : str
        What is estimated, e.g. ``"ATE exit_12m: fip vs usual care"``.

    Examples
    --------
    >>> from matchkit.learn import Estimate
    >>> e = Estimate.from_se(0.10, 0.02, n=400, label="ATE")
    >>> round(e.ci_low, 3), round(e.ci_high, 3)
    (0.061, 0.139)
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    n: int
    n_treated: int = 0
    n_control: int = 0
    label: str = ""

    @classmethod
    def from_se(
        cls,
        estimate: float,
        std_error: float,
        *,
        n: int,
        n_treated: int = 0,
        n_control: int = 0,
        label: str = "",
    ) -> Estimate:
        """Build an estimate with a normal 95% interval."""
        return cls(
            float(estimate),
            float(std_error),
            float(estimate - Z95 * std_error),
            float(estimate + Z95 * std_error),
            int(n),
            int(n_treated),
            int(n_control),
            label,
        )

    def covers(self, value: float) -> bool:
        """Whether the 95% interval holds ``value``."""
        return self.ci_low <= value <= self.ci_high

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict."""
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.label + ': ' if self.label else ''}{self.estimate:.4g} "
            f"(95% CI {self.ci_low:.4g} to {self.ci_high:.4g}; n={self.n})"
        )


def mean_estimate(values: FloatArray, **kw: Any) -> Estimate:
    """Estimate the mean of per-row scores (an influence-function average) with its interval."""
    n = len(values)
    if n == 0:
        return Estimate.from_se(np.nan, np.nan, n=0, **kw)
    se = float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    return Estimate.from_se(float(np.mean(values)), se, n=n, **kw)
