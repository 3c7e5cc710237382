"""Audit groups: the groups the report asks about, for pools, plans and evaluations.

The report asks explicitly about women, people aged 50 and over, people with a non-western
migration background and single parents. Sensitive attributes are used here, for audits only;
they never drive a score. :func:`group_masks` says who is in which group and
:func:`group_table` is the one way a per-group table is built from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchkit._caseload import Caseload

__all__ = ["AUDIT_DIMENSIONS", "GroupMasks", "group_masks", "group_rows", "group_table"]

AUDIT_DIMENSIONS = ("gender", "age", "migration_background", "single_parent")

GroupMasks = dict[str, dict[str, npt.NDArray[np.bool_]]]
"""Audit groups: dimension -> level -> boolean mask over the clients."""


def group_masks(caseload: Caseload | pd.DataFrame) -> GroupMasks:
    """Return the audit groups of a caseload: dimension -> level -> mask.

    Dimensions: gender, age 50+, migration background (non-western or not), single parent.
    Clients for whom a dimension is unknown fall in its ``unknown`` level. Levels that hold
    no client are left out.

    Parameters
    ----------
    caseload : Caseload or DataFrame
        A caseload, or its validated ``.frame``.
    """
    if not isinstance(caseload, Caseload):
        caseload = Caseload(caseload, _validated=True)
    frame = caseload.frame
    out: GroupMasks = {}
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
    cols = caseload.columns
    sp, known = cols.scalar("single_parent")
    out["single_parent"] = {
        "yes": known & (sp == 1),
        "no": known & (sp == 0),
        "unknown": ~known,
    }
    return {dim: {k: v for k, v in levels.items() if v.any()} for dim, levels in out.items()}


def group_rows(
    masks: GroupMasks, stats: Callable[[npt.NDArray[np.bool_]], Mapping[str, object]]
) -> list[dict[str, object]]:
    """Return one row per audit group: ``dimension``, ``group``, then ``stats(mask)``.

    Parameters
    ----------
    masks : dict
        From :func:`group_masks`.
    stats : callable
        Maps a group's mask to the row's other columns, in order.
    """
    return [
        {"dimension": dim, "group": level, **stats(mask)}
        for dim, levels in masks.items()
        for level, mask in levels.items()
    ]


def group_table(
    masks: GroupMasks, stats: Callable[[npt.NDArray[np.bool_]], Mapping[str, object]]
) -> pd.DataFrame:
    """Return :func:`group_rows` as a DataFrame (the audit table of pools, plans, evaluations).

    Examples
    --------
    >>> import numpy as np
    >>> masks = {"age": {"50+": np.array([True, False]), "under 50": np.array([False, True])}}
    >>> group_table(masks, lambda m: {"clients": int(m.sum())})
      dimension     group  clients
    0       age       50+        1
    1       age  under 50        1
    """
    return pd.DataFrame(group_rows(masks, stats))
