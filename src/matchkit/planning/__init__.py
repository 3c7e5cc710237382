"""Planning for a whole caseload: candidate pools, capacity-constrained assignment, audits.

A :class:`~matchkit.BatchResult` and the approaches' capacities go in; out come the pools per
approach (:func:`candidate_pools`), an optimal plan with capacity prices and audit-group
shares (:func:`plan_assignment`), and a self-contained HTML report (:func:`write_report`).
"""

from matchkit.planning._groups import AUDIT_DIMENSIONS, group_masks, group_table
from matchkit.planning._plan import Plan, group_names, plan_assignment
from matchkit.planning._pools import Pools, candidate_pools
from matchkit.planning._report import render_report, write_report

__all__ = [
    "AUDIT_DIMENSIONS",
    "Plan",
    "Pools",
    "candidate_pools",
    "group_masks",
    "group_names",
    "group_table",
    "plan_assignment",
    "render_report",
    "write_report",
]
