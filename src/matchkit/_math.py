"""Small numerical helpers shared by the stages (one implementation of each)."""

from __future__ import annotations

import numpy as np

from matchkit._types import FloatArray

__all__ = ["expit"]


def expit(x: FloatArray) -> FloatArray:
    """Return the logistic function ``1 / (1 + exp(-x))``, elementwise.

    Examples
    --------
    >>> expit(np.array([0.0, 2.0])).round(3).tolist()
    [0.5, 0.881]
    """
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out
