"""What an approach delivers, as text for a case manager: ``Approach.describe()``.

Chapter 5 of the report names "what an approach can deliver for the client" as the first
thing a case manager needs. The catalog stores it under ``facts``; this module renders it:
intensity, duration, places, costs and savings, results with their evidence level, working
elements, pitfalls, and the sources by section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matchkit._catalog import Approach, FactText, Figure, Sourced, Statement

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
    "piloted": {"nl": "Gepilot in", "en": "Piloted in"},
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
    "results": {"nl": "Cijfers en resultaten", "en": "Figures and results"},
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
    "getting_to_know": {"nl": "Kennismaken", "en": "Getting to know the client"},
    "notes": {"nl": "Opmerkingen", "en": "Notes"},
    "missing_lang": {
        "nl": "[EN]: deze tekst staat in de catalogus alleen in het Engels.",
        "en": "[NL]: the catalog gives this text in Dutch only.",
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


def _text(t: FactText | str | None, lang: Lang) -> str:
    if t is None or isinstance(t, str):
        return t or ""
    return t.get(lang)


def _value(v: bool | int | float | FactText, lang: Lang) -> str:
    if isinstance(v, bool | int | float):
        return _number(v, lang)
    return v.get(lang)


_NL_DIGITS = str.maketrans(",.", ".,")


def _number(v: bool | int | float, lang: Lang) -> str:
    """Write a number as in ``lang``: 133,000 and 1.5 in English, 133.000 and 1,5 in Dutch."""
    if isinstance(v, bool):
        return str(v)
    text = f"{v:,}" if isinstance(v, int) else f"{v:,.10g}" if abs(v) >= 1000 else f"{v:g}"
    if lang == "nl":
        text = text.translate(_NL_DIGITS)
    return text


def _sourced(s: Sourced, lang: Lang) -> str:
    note = f"; {s.note.get(lang)}" if s.note else ""
    return f"{_value(s.value, lang)} ({_source(s.source, lang)}{note})"


def _figure(f: Figure, lang: Lang) -> str:
    unit = _text(f.unit, lang)
    value = _value(f.value, lang)
    if unit.startswith("EUR"):
        amount = f"€{value}" if lang == "en" else f"€ {value}"
        shown = amount + unit[3:]
    elif unit == "%":
        shown = f"{value}%"
    else:
        if f.value == 1 and not isinstance(f.value, bool):
            unit = _SINGULAR.get(unit, unit)
        shown = f"{value} {unit}" if unit else value
    note = f"; {f.note.get(lang)}" if f.note else ""
    label = f.label.get(lang)
    return f"{label[:1].upper()}{label[1:]}: {shown} ({_source(f.source, lang)}{note})"


_SINGULAR = {
    "people": "person",
    "mensen": "persoon",
    "clients": "client",
    "cliënten": "cliënt",
    "hours": "hour",
    "months": "month",
    "maanden": "maand",
    "years": "year",
    "conversations": "conversation",
    "gesprekken": "gesprek",
    "half-days": "half-day",
    "dagdelen": "dagdeel",
}
"""A unit after the number 1: "1 persoon", not "1 mensen"."""

_SOURCE_WORDS_NL = (("footnote", "voetnoot"), ("chapter", "hoofdstuk"), ("annex", "bijlage"))


def _source(source: str, lang: Lang) -> str:
    """Show a source reference in ``lang`` ("footnote 12" reads "voetnoot 12" in Dutch)."""
    if lang == "nl":
        for en, nl in _SOURCE_WORDS_NL:
            source = source.replace(en, nl).replace(en.capitalize(), nl.capitalize())
    return source


def _is_money(f: Figure) -> bool:
    unit = f.unit if isinstance(f.unit, str) or f.unit is None else f.unit.get("en")
    return bool(unit and "EUR" in unit)


def describe_approach(approach: Approach, lang: Lang = "en") -> str:
    """Render what an approach is, for whom, and what it delivers, with sources.

    Parameters
    ----------
    approach : Approach
    lang : {"en", "nl"}
        Language of the whole text. A fact the catalog gives only in the other language is
        shown in that language behind a marker (``[EN]`` or ``[NL]``), explained at the end.

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
    piloted = ", ".join(approach.municipalities)
    lines.append(f"{h['piloted']}: {piloted} ({_source(approach.source, lang)})")
    if approach.offered_in is not None:
        lines.append(f"{h['offered']}: {', '.join(approach.offered_in)}")
    lines.append(f"{h['executor']}: {approach.executor}")

    lines += ["", h["what"]]
    if f.getting_to_know is not None:
        lines.append(f"- {h['getting_to_know']}: {_sourced(f.getting_to_know, lang)}")
    if f.intensity is not None:
        lines.append(f"- {h['intensity']}: {_sourced(f.intensity, lang)}")
    if f.duration_months is not None:
        months = h["months"].format(v=_value(f.duration_months.value, lang))
        note = f"; {f.duration_months.note.get(lang)}" if f.duration_months.note else ""
        source = _source(f.duration_months.source, lang)
        lines.append(f"- {h['duration']}: {months} ({source}{note})")
    if f.hours_per_week is not None:
        lines.append(f"- {h['hours']}: {_sourced(f.hours_per_week, lang)}")
    lines.append(f"- {h['places']}: {_sourced(f.capacity.places, lang)}")
    if f.capacity.intake is not None:
        lines.append(f"- {h['intake']}: {_sourced(f.capacity.intake, lang)}")
    if f.selection_ratio is not None:
        r = f.selection_ratio
        share = f"{_number(round(float(r.value) * 100), lang)}%"
        note = f"; {r.note.get(lang)}" if r.note else ""
        lines.append(f"- {h['selection']}: {share} ({_source(r.source, lang)}{note})")

    money = [x for x in f.figures if _is_money(x)]
    results = [x for x in f.figures if not _is_money(x)]
    if money:
        lines += ["", h["costs"]] + [f"- {_figure(x, lang)}" for x in money]
    lines += ["", h["results"]] + [f"- {_figure(x, lang)}" for x in results]
    if f.effect_ladder_level is not None:
        level = h["ladder"].format(v=_value(f.effect_ladder_level.value, lang))
        lines.append(f"- {h['evidence']}: {level} ({_source(f.effect_ladder_level.source, lang)})")
    else:
        lines.append(f"- {h['evidence']}: {h['no_ladder']}")
    lines.append(f"- {BOOM_CAVEAT[lang]}")

    if f.working_elements:
        lines += ["", h["working"]] + [f"- {_statement(s, lang)}" for s in f.working_elements]
    if f.pitfalls:
        lines += ["", h["pitfalls"]] + [f"- {_statement(s, lang)}" for s in f.pitfalls]
    if f.notes:
        lines += ["", h["notes"]] + [f"- {_statement(s, lang)}" for s in f.notes]

    lines += ["", h["who"]]
    if approach.rules:
        lines.append(f"{h['rules']}:")
        lines += [f"- {r.reason.get(lang)} ({_source(r.source, lang)})" for r in approach.rules]
    if approach.target:
        lines.append(f"{h['target']}:")
        lines += [f"- {t.label.get(lang)} ({_source(t.source, lang)})" for t in approach.target]
    if approach.arrange:
        lines.append(f"{h['arrange']}:")
        lines += [f"- {a.label.get(lang)} ({_source(a.source, lang)})" for a in approach.arrange]

    lines += ["", f"{h['sources']}: {', '.join(_source(x, lang) for x in _sections(approach))}"]
    if any(not t.has(lang) for _, t in f.texts()):
        lines.append(h["missing_lang"])
    return "\n".join(lines)


def _statement(s: Statement, lang: Lang) -> str:
    return f"{s.text.get(lang)} ({_source(s.source, lang)})"


def _sections(approach: Approach) -> list[str]:
    """Every source reference the approach cites, in order of first appearance."""
    found: list[str] = [approach.source]
    f = approach.facts
    items: list[str] = [r.source for r in approach.rules]
    items += [t.source for t in approach.target] + [a.source for a in approach.arrange]
    singles = (f.getting_to_know, f.intensity, f.duration_months, f.hours_per_week)
    for s in (*singles, f.capacity.places, f.capacity.intake, f.selection_ratio):
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
