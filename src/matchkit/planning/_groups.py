"""Audit groups: the groups the report asks about, for pools, plans and evaluations.

The report asks explicitly about women, people aged 50 and over, people with a non-western
migration background and single parents. Sensitive attributes are used here, for audits only;
they never drive a score.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload

__all__ = ["AUDIT_DIMENSIONS", "group_masks"]

AUDIT_DIMENSIONS = ("gender", "age", "migration_background", "single_parent")


def group_masks(frame: pd.DataFrame) -> dict[str, dict[str, npt.NDArray[np.bool_]]]:
    """Return the audit groups of a caseload: dimension -> level -> mask.

    Dimensions: gender, age 50+, migration background (non-western or not), single parent.
    Clients for whom a dimension is unknown fall in its ``unknown`` level.
    """
    out: dict[str, dict[str, npt.NDArray[np.bool_]]] = {}
    gender = frame["gender"].astype(object)
    out["gender"] = {
        "female": (gender == "female").to_numpy(bool),
        "male": (gender == "male").to_numpy(bool),
        "other": (gender == "other").to_numpy(bool),
        "unknown": gender.isna().to_numpy(bool),
    }
    age = frame["age"].to_numpy(dtype="float64", na_value=np.nan)
    out["age"] = {"50+": age >= 50, "under 50": age < 50}
    mig = frame["migration_background"].astype(object)
    out["migration_background"] = {
        "non_western": (mig == "non_western").to_numpy(bool),
        "none or western": mig.isin(["none", "western"]).to_numpy(bool),
        "unknown": mig.isna().to_numpy(bool),
    }
    cols = Caseload(frame, _validated=True).columns
    sp, known = cols.scalar("single_parent")
    out["single_parent"] = {
        "yes": known & (sp == 1),
        "no": known & (sp == 0),
        "unknown": ~known,
    }
    return {dim: {k: v for k, v in levels.items() if v.any()} for dim, levels in out.items()}
