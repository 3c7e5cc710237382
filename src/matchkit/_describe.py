"""What an approach delivers, as text for a case manager: ``Approach.describe()``.

Chapter 5 of the report names "what an approach can deliver for the client" as the first
thing a case manager needs. The catalog stores it under ``facts``; this module renders it:
intensity, duration, places, costs and savings, results with their evidence level, working
elements, pitfalls, and the sources by section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matchkit._catalog import Approach, Figure, Sourced

__all__ = ["BOOM_CAVEAT", "describe_approach"]

Lang = Literal["en", "nl"]

BOOM_CAVEAT = {
    "nl": (
        "Let op: de resultaten zijn behaald in een tijd van hoogconjunctuur; in een economisch "
        "mindere periode zal de uitstroom naar werk minder zijn (hoofdstuk 5)."
    ),
    "en": (
        "Note: the results were reached in a boom period; in an economically weaker period "
        "outflow to work will be lower (chapter 5)."
    ),
}
"""The report's caveat on all seven pilots (chapter 5: "in een tijd van hoogconjunctuur")."""

_H = {
    "types": {"nl": "Soort aanpak", "en": "Type"},
    "goal": {"nl": "Doel", "en": "Goal"},
    "piloted": {"nl": "Beproefd in", "en": "Piloted in"},
    "offered": {"nl": "Aangeboden in", "en": "Offered in"},
    "executor": {"nl": "Uitvoerder", "en": "Run by"},
    "what": {"nl": "Wat de aanpak biedt", "en": "What the approach delivers"},
    "intensity": {"nl": "Intensiteit", "en": "Intensity"},
    "duration": {"nl": "Duur", "en": "Duration"},
    "hours": {"nl": "Uren per week", "en": "Hours a week"},
    "places": {"nl": "Plaatsen", "en": "Places"},
    "intake": {"nl": "Instroom", "en": "Intake"},
    "selection": {
        "nl": "Deel van de kandidaten dat instroomt",
        "en": "Share of candidates entering",
    },
    "costs": {"nl": "Kosten en besparingen", "en": "Costs and savings"},
    "results": {"nl": "Resultaten", "en": "Results"},
    "evidence": {"nl": "Bewijskracht", "en": "Evidence level"},
    "ladder": {
        "nl": "trede {v} van de effectladder",
        "en": "step {v} of the effect ladder",
    },
    "no_ladder": {
        "nl": "het rapport geeft geen trede op de effectladder; zie de resultaten hierboven",
        "en": "the report gives no effect-ladder step; see the results above",
    },
    "working": {"nl": "Werkzame elementen", "en": "Working elements"},
    "pitfalls": {"nl": "Valkuilen", "en": "Pitfalls"},
    "who": {"nl": "Voor wie", "en": "Who it is for"},
    "rules": {"nl": "Toelatingsvoorwaarden", "en": "Entry conditions"},
    "target": {
        "nl": "Doelprofiel (telt mee in de score)",
        "en": "Target profile (drives the score)",
    },
    "arrange": {
        "nl": "Te regelen (sluit niemand uit)",
        "en": "To arrange (excludes no one)",
    },
    "sources": {"nl": "Bronnen (paragrafen van het rapport)", "en": "Sources (report sections)"},
    "months": {"nl": "{v} maanden", "en": "{v} months"},
    "facts_lang": {
        "nl": "(Feiten en cijfers staan in de catalogus in het Engels.)",
        "en": "",
    },
}

_TYPES = {
    "work_first": {"nl": "eerst werk", "en": "work first"},
    "human_capital_first": {"nl": "eerst scholing", "en": "human capital first"},
    "life_first": {"nl": "eerst het leven op orde", "en": "life first"},
}
_GOALS = {
    "work": {"nl": "werk", "en": "work"},
    "activation": {"nl": "activering", "en": "activation"},
    "both": {"nl": "werk en activering", "en": "work and activation"},
}


def _sourced(s: Sourced) -> str:
    note = f"; {s.note}" if s.note else ""
    return f"{s.value} ({s.source}{note})"


def _figure(f: Figure) -> str:
    value = f"{f.value:,}" if isinstance(f.value, int) else str(f.value)
    unit = f" {f.unit}" if f.unit else ""
    note = f"; {f.note}" if f.note else ""
    return f"{f.label}: {value}{unit} ({f.source}{note})"


def _is_money(f: Figure) -> bool:
    return bool(f.unit and "EUR" in f.unit)


def describe_approach(approach: Approach, lang: Lang = "en") -> str:
    """Render what an approach is, for whom, and what it delivers, with sources.

    Parameters
    ----------
    approach : Approach
    lang : {"en", "nl"}
        Language of the headings and the description. The facts are shown as the catalog
        stores them.

    Returns
    -------
    str
        Plain text, one fact per line.
    """
    h = {k: v[lang] for k, v in _H.items()}
    f = approach.facts
    lines = [f"{approach.name} [{approach.id}]", approach.description.get(lang), ""]
    lines.append(f"{h['types']}: " + ", ".join(_TYPES[t][lang] for t in approach.approach_types))
    lines.append(f"{h['goal']}: {_GOALS[approach.goal][lang]}")
    lines.append(f"{h['piloted']}: {', '.join(approach.municipalities)} ({approach.source})")
    if approach.offered_in is not None:
        lines.append(f"{h['offered']}: {', '.join(approach.offered_in)}")
    lines.append(f"{h['executor']}: {approach.executor}")

    lines += ["", h["what"]]
    if f.intensity is not None:
        lines.append(f"- {h['intensity']}: {_sourced(f.intensity)}")
    if f.duration_months is not None:
        months = h["months"].format(v=f.duration_months.value)
        note = f"; {f.duration_months.note}" if f.duration_months.note else ""
        lines.append(f"- {h['duration']}: {months} ({f.duration_months.source}{note})")
    if f.hours_per_week is not None:
        lines.append(f"- {h['hours']}: {_sourced(f.hours_per_week)}")
    lines.append(f"- {h['places']}: {_sourced(f.capacity.places)}")
    if f.capacity.intake is not None:
        lines.append(f"- {h['intake']}: {_sourced(f.capacity.intake)}")
    if f.selection_ratio is not None:
        lines.append(f"- {h['selection']}: {_sourced(f.selection_ratio)}")

    money = [x for x in f.figures if _is_money(x)]
    results = [x for x in f.figures if not _is_money(x)]
    if money:
        lines += ["", h["costs"]] + [f"- {_figure(x)}" for x in money]
    lines += ["", h["results"]] + [f"- {_figure(x)}" for x in results]
    if f.effect_ladder_level is not None:
        level = h["ladder"].format(v=f.effect_ladder_level.value)
        lines.append(f"- {h['evidence']}: {level} ({f.effect_ladder_level.source})")
    else:
        lines.append(f"- {h['evidence']}: {h['no_ladder']}")
    lines.append(f"- {BOOM_CAVEAT[lang]}")

    if f.working_elements:
        lines += ["", h["working"]] + [f"- {s.text} ({s.source})" for s in f.working_elements]
    if f.pitfalls:
        lines += ["", h["pitfalls"]] + [f"- {s.text} ({s.source})" for s in f.pitfalls]

    lines += ["", h["who"]]
    if approach.rules:
        lines.append(f"{h['rules']}:")
        lines += [f"- {r.reason.get(lang)} ({r.source})" for r in approach.rules]
    if approach.target:
        lines.append(f"{h['target']}:")
        lines += [f"- {t.label.get(lang)} ({t.source})" for t in approach.target]
    if approach.arrange:
        lines.append(f"{h['arrange']}:")
        lines += [f"- {a.label.get(lang)} ({a.source})" for a in approach.arrange]

    lines += ["", f"{h['sources']}: {', '.join(_sections(approach))}"]
    if h["facts_lang"]:
        lines.append(h["facts_lang"])
    return "\n".join(lines)


def _sections(approach: Approach) -> list[str]:
    """Every source reference the approach cites, in order of first appearance."""
    found: list[str] = [approach.source]
    f = approach.facts
    items: list[str] = [r.source for r in approach.rules]
    items += [t.source for t in approach.target] + [a.source for a in approach.arrange]
    for s in (f.intensity, f.duration_months, f.hours_per_week, f.capacity.places):
        if s is not None:
            items.append(s.source)
    items += [x.source for x in f.figures]
    items += [x.source for x in f.working_elements + f.pitfalls + f.notes]
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if part and part not in found:
                found.append(part)
    return found
