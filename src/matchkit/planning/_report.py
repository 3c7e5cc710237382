"""A one-page HTML report of a caseload for a policy adviser: pools, ZRM, plan, groups.

The page is self-contained (charts are embedded PNG images drawn with matplotlib, no
scripts, no external files), so it can be mailed or archived as it is.
"""

from __future__ import annotations

import base64
import html
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from matchkit._columns import CaseloadColumns
from matchkit._fields import ZRM_COLUMNS, ZRM_DOMAINS_NL
from matchkit.planning._plan import Plan
from matchkit.planning._pools import Pools
from matchkit.recommend import BatchResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["render_report", "write_report"]

_COLOURS = {"eligible": "#2a7f62", "verify": "#e0a526", "ineligible": "#c9ccd1"}
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #1d2433; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem;
     border-bottom: 2px solid #e3e6ea; padding-bottom: .3rem; font-size: 1.25rem; }
.note { color: #5b6472; font-size: .92rem; } figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .86rem; margin: .6rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e6ea; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f4f6f8; }
.kpis { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.kpi { background: #f4f6f8; border-radius: .5rem; padding: .6rem 1rem; min-width: 10rem; }
.kpi b { display: block; font-size: 1.4rem; }
"""


def _png(fig: Figure) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<figure><img alt="chart" src="data:image/png;base64,{data}"></figure>'


def _table(frame: pd.DataFrame, *, index: bool = True, digits: int = 3) -> str:
    return frame.round(digits).to_html(index=index, border=0, na_rep="–", escape=True)


def _pools_chart(pools: Pools) -> str:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    s = pools.summary
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(s) + 1.6))
    left = np.zeros(len(s))
    for status in ("eligible", "verify", "ineligible"):
        ax.barh(s.index, s[status], left=left, color=_COLOURS[status], label=status)
        left += s[status].to_numpy()
    ax.set_xlabel("clients")
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_title("Candidates per approach")
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    y = np.arange(len(s))
    ax2.barh(y - 0.2, s["expected_entrants"], height=0.4, color="#3d6fb6", label="expected")
    ax2.barh(y + 0.2, s["places"], height=0.4, color="#9aa3ad", label="places")
    ax2.set_yticks(y, [""] * len(s))
    ax2.invert_yaxis()
    ax2.set_xscale("log")
    ax2.set_xlim(left=0.8)
    ax2.set_title("Expected entrants after intake vs places")
    ax2.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _zrm_heatmap(cols: CaseloadColumns) -> tuple[str, pd.DataFrame]:
    import matplotlib.pyplot as plt

    zrm = cols.zrm_matrix()
    n = max(len(zrm), 1)
    shares = np.zeros((len(ZRM_COLUMNS), 6))
    for k in range(len(ZRM_COLUMNS)):
        column = zrm[:, k]
        for score in range(1, 6):
            shares[k, score - 1] = np.sum(column == score) / n
        shares[k, 5] = np.sum(np.isnan(column)) / n
    labels = [ZRM_DOMAINS_NL[c[4:]] for c in ZRM_COLUMNS]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=max(shares.max(), 1e-9), aspect="auto")
    ax.set_xticks(range(6), ["1 acute", "2", "3", "4", "5 self-reliant", "unknown"])
    ax.set_yticks(range(len(labels)), labels)
    for (i, j), value in np.ndenumerate(shares):
        ax.text(
            j,
            i,
            f"{value:.0%}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value > 0.5 * shares.max() else "#1d2433",
        )
    ax.set_title("ZRM profile of the caseload (share of clients per score)")
    fig.colorbar(image, ax=ax, fraction=0.03)
    table = pd.DataFrame(shares, index=labels, columns=["1", "2", "3", "4", "5", "unknown"])
    return _png(fig), table


def _plan_chart(plan: Plan) -> str:
    import matplotlib.pyplot as plt

    s = plan.summary
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(s) + 1.6))
    y = np.arange(len(s))
    ax.barh(y - 0.2, s["assigned"], height=0.4, color="#2a7f62", label="assigned")
    ax.barh(y + 0.2, s["places"], height=0.4, color="#9aa3ad", label="places")
    ax.set_yticks(y, list(s.index))
    ax.invert_yaxis()
    ax.set_title("Places filled by the plan")
    ax.legend(loc="lower right", fontsize=8)
    prices = s["capacity_price"].fillna(0.0)
    ax2.barh(
        y, prices, color=["#c0392b" if p == prices.max() and p > 0 else "#e3a49c" for p in prices]
    )
    ax2.set_yticks(y, [""] * len(s))
    ax2.invert_yaxis()
    ax2.set_title("Capacity price: score gained by one more place")
    return _png(fig)


def _groups_chart(plan: Plan) -> str:
    import matplotlib.pyplot as plt

    g = plan.groups[plan.groups["group"] != "unknown"]
    labels = [f"{d}: {grp}" for d, grp in zip(g["dimension"], g["group"], strict=True)]
    y = np.arange(len(g))
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(g) + 1.4))
    ax.barh(y - 0.2, g["share_of_caseload"], height=0.4, color="#9aa3ad", label="caseload")
    ax.barh(y + 0.2, g["share_of_assigned"], height=0.4, color="#3d6fb6", label="assigned")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title("Audit groups: share of the caseload and of the assigned clients")
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def render_report(result: BatchResult, pools: Pools, plan: Plan, *, title: str = "") -> str:
    """Render the caseload report as one self-contained HTML page.

    Parameters
    ----------
    result : BatchResult
        Recommendations for the caseload.
    pools : Pools
        From :func:`matchkit.candidate_pools`.
    plan : Plan
        From :func:`matchkit.plan_assignment`.
    title : str
        Page title (default: "matchkit caseload report").
    """
    import matplotlib

    matplotlib.use("Agg")
    title = title or "matchkit caseload report"
    n = len(result)
    assigned = int(plan.assignments["approach_id"].notna().sum())
    zrm_img, _ = _zrm_heatmap(result.caseload.columns)
    bottleneck = plan.bottleneck or "none (or not defined for this plan)"
    kpis = [
        ("clients", f"{n:,}"),
        ("approaches", str(len(result.approach_ids))),
        ("places", f"{int(plan.summary['places'].sum()):,}"),
        ("assigned", f"{assigned:,}"),
        ("bottleneck", bottleneck),
    ]
    audit = plan.groups.copy()
    audit["difference"] = audit["share_of_assigned"] - audit["share_of_caseload"]
    pool_groups = pools.groups.pivot_table(
        index=["dimension", "group"], columns="approach_id", values="share_of_pool"
    )
    parts: list[Any] = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='note'>Made with matchkit on {date.today().isoformat()}. This is advice for "
        "case managers and policy advisers, not a decision about any client: each assignment "
        "is a proposal for a conversation, and the client keeps control.</p>",
        "<div class='kpis'>"
        + "".join(
            f"<div class='kpi'><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in kpis
        )
        + "</div>",
        "<h2>Candidate pools</h2>",
        "<p>Per approach: clients who meet every entry condition (eligible), clients for whom "
        "a condition is unknown and must be checked at intake (verify), and the expected "
        "entrants after intake (eligible plus half of verify, times the selection ratio).</p>",
        _pools_chart(pools),
        _table(pools.summary),
        "<h3>Rules that exclude most</h3>",
        _table(pools.excluding_rules.groupby("approach_id").head(3), index=False),
        "<h3>Facts most often missing</h3>",
        _table(pools.to_verify.groupby("approach_id").head(3), index=False),
        "<h2>ZRM profile of the caseload</h2>",
        "<p>Share of clients per score on each domain of the Zelfredzaamheid-Matrix (1 acute "
        "problems … 5 fully self-reliant). Unknown scores are shown, not hidden.</p>",
        zrm_img,
        "<h2>Assignment of places</h2>",
        f"<p>Method: {html.escape(plan.method)}. Total score {plan.total_score:.3f}. The "
        "capacity price is how much the total score would rise with one more place: the "
        "approach with the highest price is the bottleneck.</p>",
        _plan_chart(plan),
        _table(plan.summary),
        "<h2>Audit groups</h2>",
        "<p>The groups the report asks about. Gender and migration background are used only "
        "here, for the audit; they do not drive any score.</p>",
        _groups_chart(plan),
        _table(audit, index=False),
        "<h3>Share of each pool per group</h3>",
        _table(pool_groups),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(path: str | Path, result: BatchResult, pools: Pools, plan: Plan) -> Path:
    """Write :func:`render_report` to ``path``."""
    path = Path(path)
    path.write_text(render_report(result, pools, plan), encoding="utf-8")
    return path
