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
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from matchkit._check import check_instance
from matchkit._columns import CaseloadColumns
from matchkit._fields import ZRM_COLUMNS, ZRM_DOMAINS_NL
from matchkit._output import atomic_text
from matchkit.errors import ParameterError
from matchkit.planning._plan import Plan
from matchkit.planning._pools import Pools
from matchkit.recommend import BatchResult, field_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["render_report", "write_report"]

Lang = Literal["en", "nl"]

_W: dict[str, dict[str, str]] = {
    "title": {"en": "matchkit caseload report", "nl": "matchkit-rapportage van het klantenbestand"},
    "made": {
        "en": "Made with matchkit on {d}. This is advice for case managers and policy advisers, "
        "not a decision about any client: each assignment is a proposal for a conversation, "
        "and the client keeps control.",
        "nl": "Gemaakt met matchkit op {d}. Dit is advies voor klantmanagers en "
        "beleidsadviseurs, geen besluit over een cliënt: elke toewijzing is een voorstel voor "
        "een gesprek, en de cliënt houdt de regie.",
    },
    "clients": {"en": "clients", "nl": "cliënten"},
    "approaches": {"en": "approaches", "nl": "aanpakken"},
    "places": {"en": "places", "nl": "plaatsen"},
    "assigned": {"en": "assigned", "nl": "toegewezen"},
    "bottleneck": {"en": "bottleneck", "nl": "knelpunt"},
    "no_bottleneck": {"en": "none", "nl": "geen"},
    "pools_h": {"en": "Candidate pools", "nl": "Kandidaten per aanpak"},
    "pools_p": {
        "en": "Per approach: clients who meet every entry condition (eligible), clients for "
        "whom a condition is unknown and must be checked at intake (verify), and the expected "
        "entrants after intake (eligible plus half of verify, times the selection ratio). "
        "Places are the ones used for the plan below.",
        "nl": "Per aanpak: cliënten die aan alle toelatingsvoorwaarden voldoen (geschikt), "
        "cliënten bij wie een voorwaarde onbekend is en in het intakegesprek moet worden "
        "nagegaan (na te gaan), en het verwachte aantal deelnemers na de intake (geschikt plus "
        "de helft van na te gaan, maal het selectiepercentage). De plaatsen zijn die van de "
        "verdeling hieronder.",
    },
    "excl_h": {
        "en": "Conditions that exclude most",
        "nl": "Voorwaarden die de meeste cliënten uitsluiten",
    },
    "missing_h": {"en": "Facts most often missing", "nl": "Gegevens die het vaakst ontbreken"},
    "arrange_h": {"en": "Conditions to arrange", "nl": "Te regelen voorzieningen"},
    "arrange_p": {
        "en": "Practical conditions the municipality can arrange (transport, childcare, ...). "
        "They never exclude a client; these are the clients in each pool who need them.",
        "nl": "Praktische voorwaarden die de gemeente kan regelen (vervoer, kinderopvang, ...). "
        "Ze sluiten niemand uit; dit zijn de cliënten in elke groep kandidaten die ze nodig "
        "hebben.",
    },
    "none_to_arrange": {"en": "Nothing to arrange.", "nl": "Niets te regelen."},
    "demand_h": {
        "en": "Would fit, not offered here",
        "nl": "Zou passen, maar wordt hier niet aangeboden",
    },
    "demand_p": {
        "en": "Clients for whom an approach would fit (eligible or to verify) where it is not "
        "offered: the demand for adopting it.",
        "nl": "Cliënten bij wie een aanpak zou passen (geschikt of na te gaan) waar die niet "
        "wordt aangeboden: de vraag naar het invoeren van die aanpak.",
    },
    "all_offered": {
        "en": "Every approach is offered to every client (no local offering was set).",
        "nl": "Elke aanpak wordt aan elke cliënt aangeboden (er is geen lokaal aanbod opgegeven).",
    },
    "zrm_h": {
        "en": "ZRM profile of the caseload",
        "nl": "Zelfredzaamheid van het klantenbestand (ZRM)",
    },
    "zrm_p": {
        "en": "Share of clients per score on each domain of the Zelfredzaamheid-Matrix (1 acute "
        "problems … 5 fully self-reliant). Unknown scores are shown, not hidden.",
        "nl": "Aandeel cliënten per score op elk domein van de Zelfredzaamheid-Matrix (1 acute "
        "problematiek … 5 volledig zelfredzaam). Onbekende scores worden getoond, niet "
        "verborgen.",
    },
    "plan_h": {"en": "Assignment of places", "nl": "Verdeling van de plaatsen"},
    "plan_p": {
        "en": "Method: {m}. Total score {t}. The capacity price is how much the total score "
        "would rise with one more place: the approach with the highest price is the bottleneck.",
        "nl": "Methode: {m}. Totale score {t}. De capaciteitsprijs is hoeveel de totale score "
        "zou stijgen met één plaats meer: de aanpak met de hoogste prijs is het knelpunt.",
    },
    "audit_h": {"en": "Audit groups", "nl": "Toetsing per groep"},
    "audit_p": {
        "en": "The groups the report asks about. Gender and migration background are used only "
        "here, for the audit; they do not drive any score.",
        "nl": "De groepen waar het rapport naar vraagt. Geslacht en migratieachtergrond worden "
        "alleen hier gebruikt, voor de toetsing; ze tellen in geen enkele score mee.",
    },
    "pool_groups_h": {
        "en": "Share of each pool per group",
        "nl": "Aandeel van elke groep kandidaten per groep",
    },
    "facts_h": {
        "en": "What each offered approach delivers",
        "nl": "Wat elke aangeboden aanpak biedt",
    },
    "facts_p": {
        "en": "From the catalog, with the report's sections as sources.",
        "nl": "Uit de catalogus, met de paragrafen van het rapport als bron.",
    },
    "eligible": {"en": "eligible", "nl": "geschikt"},
    "verify": {"en": "verify", "nl": "na te gaan"},
    "ineligible": {"en": "ineligible", "nl": "valt af"},
    "expected": {"en": "expected", "nl": "verwacht"},
    "cand_title": {"en": "Candidates per approach", "nl": "Kandidaten per aanpak"},
    "exp_title": {
        "en": "Expected entrants after intake vs places",
        "nl": "Verwachte deelnemers na intake en plaatsen",
    },
    "filled_title": {"en": "Places filled by the plan", "nl": "Plaatsen gevuld door de verdeling"},
    "price_title": {
        "en": "Capacity price: score gained by one more place",
        "nl": "Capaciteitsprijs: extra score bij één plaats meer",
    },
    "groups_title": {
        "en": "Audit groups: share of the caseload and of the assigned clients",
        "nl": "Groepen: aandeel in het bestand en onder de toegewezen cliënten",
    },
    "caseload": {"en": "caseload", "nl": "bestand"},
    "zrm_title": {
        "en": "ZRM profile of the caseload (share of clients per score)",
        "nl": "ZRM-profiel van het bestand (aandeel cliënten per score)",
    },
    "acute": {"en": "1 acute", "nl": "1 acuut"},
    "reliant": {"en": "5 self-reliant", "nl": "5 zelfredzaam"},
    "unknown": {"en": "unknown", "nl": "onbekend"},
}

_COLUMNS: dict[str, dict[str, str]] = {
    "approach_id": {"en": "Approach", "nl": "Aanpak"},
    "places": {"en": "Places", "nl": "Plaatsen"},
    "eligible": {"en": "Eligible", "nl": "Geschikt"},
    "verify": {"en": "To verify", "nl": "Na te gaan"},
    "ineligible": {"en": "Ineligible", "nl": "Valt af"},
    "selection_ratio": {"en": "Selection ratio", "nl": "Selectiepercentage"},
    "expected_entrants": {"en": "Expected entrants", "nl": "Verwachte deelnemers"},
    "places_filled_share": {"en": "Share of places filled", "nl": "Deel van de plaatsen gevuld"},
    "not_offered": {"en": "Would fit, not offered", "nl": "Zou passen, niet aangeboden"},
    "rule_id": {"en": "Condition", "nl": "Voorwaarde"},
    "clients_excluded": {"en": "Clients excluded", "nl": "Cliënten uitgesloten"},
    "share_excluded": {"en": "Share excluded", "nl": "Aandeel uitgesloten"},
    "field": {"en": "Fact", "nl": "Gegeven"},
    "clients": {"en": "Clients", "nl": "Cliënten"},
    "unknown": {"en": "Unknown", "nl": "Onbekend"},
    "arrange_id": {"en": "To arrange", "nl": "Te regelen"},
    "candidates": {"en": "Candidates", "nl": "Kandidaten"},
    "assigned": {"en": "Assigned", "nl": "Toegewezen"},
    "mean_score": {"en": "Mean score", "nl": "Gemiddelde score"},
    "capacity_price": {"en": "Capacity price", "nl": "Capaciteitsprijs"},
    "dimension": {"en": "Dimension", "nl": "Kenmerk"},
    "group": {"en": "Group", "nl": "Groep"},
    "share_of_caseload": {"en": "Share of caseload", "nl": "Aandeel in het bestand"},
    "share_of_assigned": {"en": "Share of assigned", "nl": "Aandeel onder toegewezen"},
    "difference": {"en": "Difference", "nl": "Verschil"},
}

_GROUP_WORDS: dict[str, dict[str, str]] = {
    "gender": {"en": "gender", "nl": "geslacht"},
    "age": {"en": "age", "nl": "leeftijd"},
    "migration_background": {"en": "migration background", "nl": "migratieachtergrond"},
    "single_parent": {"en": "single parent", "nl": "alleenstaande ouder"},
    "female": {"en": "female", "nl": "vrouw"},
    "male": {"en": "male", "nl": "man"},
    "other": {"en": "other", "nl": "anders"},
    "none": {"en": "none", "nl": "geen"},
    "western": {"en": "western", "nl": "westers"},
    "non_western": {"en": "non-western", "nl": "niet-westers"},
    "yes": {"en": "yes", "nl": "ja"},
    "no": {"en": "no", "nl": "nee"},
    "True": {"en": "yes", "nl": "ja"},
    "False": {"en": "no", "nl": "nee"},
    "unknown": {"en": "unknown", "nl": "onbekend"},
    "none or western": {"en": "none or western", "nl": "geen of westers"},
    "under 50": {"en": "under 50", "nl": "onder de 50"},
    "50+": {"en": "50+", "nl": "50+"},
}

_METHODS: dict[str, dict[str, str]] = {
    "highs-lp": {"en": "exact (linear program, HiGHS)", "nl": "exact (lineair programma, HiGHS)"},
    "highs-milp": {
        "en": "exact with group shares (integer program, HiGHS)",
        "nl": "exact met minimale aandelen per groep (geheeltallig programma, HiGHS)",
    },
    "greedy": {"en": "greedy (best pair first)", "nl": "gretig (beste paar eerst)"},
}


def _group_word(value: object, lang: Lang) -> str:
    text = str(value)
    return _GROUP_WORDS.get(text, {}).get(lang, text.replace("_", " "))


def _readable(
    frame: pd.DataFrame, names: dict[str, str], lang: Lang, *, index: bool = True
) -> pd.DataFrame:
    """Approach names instead of ids, words instead of snake_case headers and codes."""
    out = frame.copy()
    if "approach_id" in out.columns:
        out["approach_id"] = out["approach_id"].map(lambda i: names.get(i, i))
    for col in ("dimension", "group"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: _group_word(v, lang))
    if index and out.index.name == "approach_id":
        out.index = out.index.map(lambda i: names.get(i, i))
    if out.index.name in _COLUMNS:
        out.index.name = _COLUMNS[out.index.name][lang]
    return out.rename(columns={c: _COLUMNS[c][lang] for c in out.columns if c in _COLUMNS})


_COLOURS = {"eligible": "#2a7f62", "verify": "#e0a526", "ineligible": "#c9ccd1"}
_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #1d2433; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem;
     border-bottom: 2px solid #e3e6ea; padding-bottom: .3rem; font-size: 1.25rem; }
.note { color: #5b6472; font-size: .92rem; }
details { margin: 1rem 0 1.6rem; } .facts h4 { margin: 1rem 0 .3rem; font-size: 1rem; }
.facts ul { margin: .2rem 0 .6rem; }
.facts p { margin: .2rem 0; } .facts p.sub { font-style: italic; margin-top: .5rem; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: .86rem; margin: .6rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e6ea; text-align: left; }
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


def _table(frame: pd.DataFrame, *, lang: Lang = "en", index: bool = True, digits: int = 3) -> str:
    """Render a table; Dutch numbers get a decimal comma (0,42), as a Dutch reader expects."""
    decimal = "," if lang == "nl" else "."
    return frame.round(digits).to_html(
        index=index, border=0, na_rep="–", escape=True, decimal=decimal
    )


def _pools_chart(pools: Pools, names: dict[str, str], lang: Lang) -> str:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    s = pools.summary
    labels = [names.get(i, i) for i in s.index]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(s) + 1.6))
    left = np.zeros(len(s))
    for status in ("eligible", "verify", "ineligible"):
        ax.barh(labels, s[status], left=left, color=_COLOURS[status], label=_W[status][lang])
        left += s[status].to_numpy()
    ax.set_xlabel(_W["clients"][lang])
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_title(_W["cand_title"][lang])
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    y = np.arange(len(s))
    ax2.barh(
        y - 0.2, s["expected_entrants"], height=0.4, color="#3d6fb6", label=_W["expected"][lang]
    )
    ax2.barh(y + 0.2, s["places"], height=0.4, color="#9aa3ad", label=_W["places"][lang])
    ax2.set_yticks(y, [""] * len(s))
    ax2.invert_yaxis()
    ax2.set_xscale("log")
    ax2.set_xlim(left=0.8)
    ax2.set_title(_W["exp_title"][lang])
    ax2.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _zrm_heatmap(cols: CaseloadColumns, lang: Lang) -> tuple[str, pd.DataFrame]:
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
    ticks = [_W["acute"][lang], "2", "3", "4", _W["reliant"][lang], _W["unknown"][lang]]
    ax.set_xticks(range(6), ticks)
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
    ax.set_title(_W["zrm_title"][lang])
    fig.colorbar(image, ax=ax, fraction=0.03)
    table = pd.DataFrame(shares, index=labels, columns=["1", "2", "3", "4", "5", "unknown"])
    return _png(fig), table


def _plan_chart(plan: Plan, names: dict[str, str], lang: Lang) -> str:
    import matplotlib.pyplot as plt

    s = plan.summary
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(s) + 1.6))
    y = np.arange(len(s))
    ax.barh(y - 0.2, s["assigned"], height=0.4, color="#2a7f62", label=_W["assigned"][lang])
    ax.barh(y + 0.2, s["places"], height=0.4, color="#9aa3ad", label=_W["places"][lang])
    ax.set_yticks(y, [names.get(i, i) for i in s.index])
    ax.invert_yaxis()
    ax.set_title(_W["filled_title"][lang])
    ax.legend(loc="lower right", fontsize=8)
    prices = s["capacity_price"].fillna(0.0)
    ax2.barh(
        y, prices, color=["#c0392b" if p == prices.max() and p > 0 else "#e3a49c" for p in prices]
    )
    ax2.set_yticks(y, [""] * len(s))
    ax2.invert_yaxis()
    ax2.set_title(_W["price_title"][lang])
    return _png(fig)


def _groups_chart(plan: Plan, lang: Lang) -> str:
    import matplotlib.pyplot as plt

    g = plan.groups[plan.groups["group"] != "unknown"]
    labels = [
        f"{_group_word(d, lang)}: {_group_word(grp, lang)}"
        for d, grp in zip(g["dimension"], g["group"], strict=True)
    ]
    y = np.arange(len(g))
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(g) + 1.4))
    ax.barh(
        y - 0.2, g["share_of_caseload"], height=0.4, color="#9aa3ad", label=_W["caseload"][lang]
    )
    ax.barh(
        y + 0.2, g["share_of_assigned"], height=0.4, color="#3d6fb6", label=_W["assigned"][lang]
    )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_title(_W["groups_title"][lang])
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _arrange_table(result: BatchResult, pools: Pools, names: dict[str, str], lang: Lang) -> str:
    labels = {(a.id, e.id): e.label.get(lang) for a in result.catalog.approaches for e in a.arrange}
    t = pools.to_arrange.copy()
    if not len(t):
        return f"<p>{_W['none_to_arrange'][lang]}</p>"
    t["arrange_id"] = [
        labels.get((a, e), e) for a, e in zip(t["approach_id"], t["arrange_id"], strict=True)
    ]
    return _table(_readable(t, names, lang), lang=lang, index=False)


def _demand(pools: Pools, result: BatchResult, names: dict[str, str], lang: Lang) -> str:
    if result.offered.all():
        return f"<p>{_W['all_offered'][lang]}</p>"
    s = pools.summary[["not_offered"]]
    return _table(_readable(s[s["not_offered"] > 0], names, lang), lang=lang)


def _approach_facts(result: BatchResult, lang: Lang) -> list[str]:
    parts = []
    offered = np.asarray(result.offered.any(axis=0), dtype=bool).reshape(-1)
    for j, approach in enumerate(result.catalog.approaches):
        if not offered[j]:
            continue
        body = approach.describe(lang).partition("\n")[2]
        parts.append(
            f"<details open><summary><b>{html.escape(approach.name)}</b></summary>"
            f"<div class='facts'>{_facts_html(body)}</div></details>"
        )
    return parts


def _facts_html(text: str) -> str:
    """Turn :meth:`Approach.describe` text into headings, paragraphs and lists.

    The text is blocks separated by a blank line; in a block, a line starting with "- " is a
    list item, the first line before a list is the block's heading, a line ending in ":" is a
    sub-heading, and any other line a paragraph.
    """
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        in_list = False
        for k, line in enumerate(lines):
            item = line.startswith("- ")
            if in_list and not item:
                out.append("</ul>")
                in_list = False
            if item:
                if not in_list:
                    out.append("<ul>")
                    in_list = True
                out.append(f"<li>{html.escape(line[2:])}</li>")
            elif k == 0 and len(lines) > 1 and _is_heading(lines):
                out.append(f"<h4>{html.escape(line)}</h4>")
            elif line.endswith(":"):
                out.append(f"<p class='sub'>{html.escape(line)}</p>")
            else:
                out.append(f"<p>{html.escape(line)}</p>")
        if in_list:
            out.append("</ul>")
    return "".join(out)


def _is_heading(lines: list[str]) -> bool:
    """Whether a block's first line heads the block (a list or sub-headings follow)."""
    first, second = lines[0], lines[1]
    return ":" not in first and (second.startswith("- ") or second.endswith(":"))


def render_report(
    result: BatchResult, pools: Pools, plan: Plan, *, title: str = "", lang: Lang = "en"
) -> str:
    """Render the caseload report as one self-contained HTML page.

    Parameters
    ----------
    result : BatchResult
        Recommendations for the caseload.
    pools : Pools
        From :func:`matchkit.candidate_pools`, with the capacities the plan used.
    plan : Plan
        From :func:`matchkit.plan_assignment`.
    title : str
        Page title (default: "matchkit caseload report", in ``lang``).
    lang : {"en", "nl"}
        Language of the whole page: headings, texts, tables and charts.
    """
    check_instance("result", result, BatchResult, "a BatchResult")
    check_instance("pools", pools, Pools, "Pools from candidate_pools")
    check_instance("plan", plan, Plan, "a Plan from plan_assignment")
    if len(result) == 0:
        raise ParameterError("the caseload has no clients; a report needs at least one client")
    import matplotlib

    if lang not in ("en", "nl"):
        raise ParameterError(f"lang={lang!r} is not allowed; expected 'en' or 'nl'")
    matplotlib.use("Agg")
    title = title or _W["title"][lang]
    names = {a.id: a.name for a in result.catalog.approaches}
    n = len(result)
    assigned = int(plan.assignments["approach_id"].notna().sum())
    zrm_img, _ = _zrm_heatmap(result.caseload.columns, lang)
    bottleneck = names.get(plan.bottleneck or "", _W["no_bottleneck"][lang])
    kpis = [
        (_W["clients"][lang], f"{n:,}"),
        (_W["approaches"][lang], str(len(result.approach_ids))),
        (_W["places"][lang], f"{int(plan.summary['places'].sum()):,}"),
        (_W["assigned"][lang], f"{assigned:,}"),
        (_W["bottleneck"][lang], bottleneck),
    ]
    audit = plan.groups.copy()
    audit["difference"] = audit["share_of_assigned"] - audit["share_of_caseload"]
    groups = pools.groups.copy()
    groups["approach_id"] = groups["approach_id"].map(lambda i: names.get(i, i))
    groups["dimension"] = groups["dimension"].map(lambda v: _group_word(v, lang))
    groups["group"] = groups["group"].map(lambda v: _group_word(v, lang))
    pool_groups = groups.pivot_table(
        index=["dimension", "group"], columns="approach_id", values="share_of_pool"
    )
    pool_groups.index.names = [_COLUMNS["dimension"][lang], _COLUMNS["group"][lang]]
    pool_groups.columns.name = None
    excluding = pools.excluding_rules.groupby("approach_id").head(3).drop(columns="rule")
    reasons = {(a.id, r.id): r.reason.get(lang) for a in result.catalog.approaches for r in a.rules}
    excluding["rule_id"] = [
        reasons.get((a, r), r)
        for a, r in zip(excluding["approach_id"], excluding["rule_id"], strict=True)
    ]
    missing = pools.to_verify.groupby("approach_id").head(3).copy()
    missing["field"] = missing["field"].map(lambda f: field_label(f, lang))
    t = {k: v[lang] for k, v in _W.items()}
    method = _METHODS.get(plan.method, {}).get(lang, plan.method)
    parts: list[Any] = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='note'>{t['made'].format(d=date.today().isoformat())}</p>",
        "<div class='kpis'>"
        + "".join(
            f"<div class='kpi'><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in kpis
        )
        + "</div>",
        f"<h2>{t['pools_h']}</h2>",
        f"<p>{t['pools_p']}</p>",
        _pools_chart(pools, names, lang),
        _table(_readable(pools.summary, names, lang), lang=lang),
        f"<h3>{t['excl_h']}</h3>",
        _table(_readable(excluding, names, lang), lang=lang, index=False),
        f"<h3>{t['missing_h']}</h3>",
        _table(_readable(missing, names, lang), lang=lang, index=False),
        f"<h3>{t['arrange_h']}</h3>",
        f"<p>{t['arrange_p']}</p>",
        _arrange_table(result, pools, names, lang),
        f"<h3>{t['demand_h']}</h3>",
        f"<p>{t['demand_p']}</p>",
        _demand(pools, result, names, lang),
        f"<h2>{t['zrm_h']}</h2>",
        f"<p>{t['zrm_p']}</p>",
        zrm_img,
        f"<h2>{t['plan_h']}</h2>",
        f"<p>{t['plan_p'].format(m=html.escape(method), t=f'{plan.total_score:.3f}')}</p>",
        _plan_chart(plan, names, lang),
        _table(_readable(plan.summary, names, lang), lang=lang),
        f"<h2>{t['audit_h']}</h2>",
        f"<p>{t['audit_p']}</p>",
        _groups_chart(plan, lang),
        _table(_readable(audit, names, lang), lang=lang, index=False),
        f"<h3>{t['pool_groups_h']}</h3>",
        _table(pool_groups, lang=lang),
        f"<h2>{t['facts_h']}</h2>",
        f"<p>{t['facts_p']}</p>",
        *_approach_facts(result, lang),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(
    path: str | Path, result: BatchResult, pools: Pools, plan: Plan, *, lang: Lang = "en"
) -> Path:
    """Write :func:`render_report` to ``path`` (``lang``: the page's language)."""
    path = Path(path)
    html = render_report(result, pools, plan, lang=lang)
    with atomic_text(path) as fh:
        fh.write(html)
    return path
