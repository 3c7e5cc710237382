"""Reason texts in Dutch and English, rendered from codes only when asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach
from matchkit._fields import FIELDS

__all__ = ["Lang", "field_label", "render_effect_reasons", "render_reasons"]

Lang = Literal["en", "nl"]

_T = {
    "eligible": {
        "en": "Meets all {k} entry conditions.",
        "nl": "Voldoet aan alle {k} toelatingsvoorwaarden.",
    },
    "eligible_none": {
        "en": "The approach has no entry conditions.",
        "nl": "De aanpak heeft geen toelatingsvoorwaarden.",
    },
    "verify": {
        "en": "Check at intake: {fields}.",
        "nl": "Na te gaan in het intakegesprek: {fields}.",
    },
    "failed": {"en": "Not met: {reason}", "nl": "Niet voldaan: {reason}"},
    "fits": {
        "en": "Fits the target profile: {items}.",
        "nl": "Past bij het doelprofiel: {items}.",
    },
    "partly": {
        "en": "Partly fits: {items}.",
        "nl": "Past gedeeltelijk: {items}.",
    },
    "differs": {
        "en": "Differs from the target profile: {items}.",
        "nl": "Wijkt af van het doelprofiel: {items}.",
    },
    "coverage": {
        "en": "Score based on {pct}% of the criteria; the rest is unknown.",
        "nl": "Score gebaseerd op {pct}% van de criteria; de rest is onbekend.",
    },
    "sensitive": {
        "en": "Rule {rule} uses {fields}: {why}",
        "nl": "Regel {rule} gebruikt {fields}: {why}",
    },
}


def field_label(name: str, lang: Lang) -> str:
    """Return the human label of a field in ``lang``."""
    spec = FIELDS[name]
    return spec.label_nl if lang == "nl" else spec.label_en


def render_reasons(
    approach: Approach,
    status: int,
    rule_state: npt.NDArray[np.int8],
    target_match: npt.NDArray[np.float64],
    coverage: float,
    to_verify: Sequence[str],
    lang: Lang,
) -> list[str]:
    """Render the reasons for one client and one approach.

    Parameters
    ----------
    approach : Approach
    status : int
        0 ineligible, 1 verify, 2 eligible.
    rule_state : int8 array (n_rules,)
        1 true, 0 false, -1 unknown per hard rule.
    target_match : float array (n_target,)
        Match per preference, NaN where unknown.
    coverage : float
        Share of the criteria's weight that was known.
    to_verify : sequence of str
        Contract fields to verify.
    lang : {"en", "nl"}
    """
    out: list[str] = []
    if status == 2:
        key = "eligible" if approach.rules else "eligible_none"
        out.append(_T[key][lang].format(k=len(approach.rules)))
    elif status == 1:
        labels = ", ".join(field_label(f, lang) for f in to_verify)
        out.append(_T["verify"][lang].format(fields=labels))
    else:
        for rule, state in zip(approach.rules, rule_state, strict=True):
            if state == 0:
                out.append(_T["failed"][lang].format(reason=rule.reason.get(lang)))
    order = sorted(
        (i for i in range(len(approach.target)) if not np.isnan(target_match[i])),
        key=lambda i: (-approach.target[i].weight, i),
    )
    groups: dict[str, list[str]] = {"fits": [], "partly": [], "differs": []}
    for i in order:
        m = target_match[i]
        key = "fits" if m >= 1.0 else ("differs" if m <= 0.0 else "partly")
        groups[key].append(approach.target[i].label.get(lang))
    for key, items in groups.items():
        if items:
            out.append(_T[key][lang].format(items="; ".join(items[:3])))
    if coverage < 0.999:
        out.append(_T["coverage"][lang].format(pct=round(100 * coverage)))
    for rule, compiled in zip(approach.rules, approach.compiled_rules, strict=True):
        sensitive = sorted(f for f in compiled.fields if FIELDS[f].sensitive)
        if sensitive:
            out.append(
                _T["sensitive"][lang].format(
                    rule=rule.id,
                    fields=", ".join(field_label(f, lang) for f in sensitive),
                    why=rule.justification,
                )
            )
    return out


_E = {
    "learned": {
        "en": "Estimated gain in {outcome}: {effect} (95% interval {low} to {high}), learned "
        "from {n} past participants.",
        "nl": "Geschatte winst op {outcome}: {effect} (95%-interval {low} tot {high}), geleerd "
        "van {n} eerdere deelnemers.",
    },
    "blend": {
        "en": "The score weighs this estimate {w}% and the catalog profile {c}%.",
        "nl": "De score weegt deze schatting voor {w}% en het catalogusprofiel voor {c}%.",
    },
    "thin": {
        "en": "Too few past participants ({n}) to estimate a gain; the score follows the "
        "catalog profile.",
        "nl": "Te weinig eerdere deelnemers ({n}) om een winst te schatten; de score volgt het "
        "catalogusprofiel.",
    },
    "absent": {
        "en": "No past participants in the history; the score follows the catalog profile.",
        "nl": "Geen eerdere deelnemers in de historie; de score volgt het catalogusprofiel.",
    },
    "neighbours_rate": {
        "en": "Of the {k} most similar past participants, {x} ({pct}) reached {outcome}; of "
        "the {k0} most similar clients in usual care, {x0} ({pct0}).",
        "nl": "Van de {k} meest vergelijkbare eerdere deelnemers bereikten er {x} ({pct}) "
        "{outcome}; van de {k0} meest vergelijkbare cliënten zonder aanpak {x0} ({pct0}).",
    },
    "neighbours_mean": {
        "en": "The {k} most similar past participants averaged {mean} on {outcome}; the {k0} "
        "most similar clients in usual care {mean0}.",
        "nl": "De {k} meest vergelijkbare eerdere deelnemers haalden gemiddeld {mean} op "
        "{outcome}; de {k0} meest vergelijkbare cliënten zonder aanpak {mean0}.",
    },
}


_DUTCH_DIGITS = str.maketrans({",": ".", ".": ","})


def _number(value: float, lang: Lang, *, signed: bool = False, points: bool = False) -> str:
    if points:
        text = f"{100 * value:+.1f}" if signed else f"{100 * value:.1f}"
    else:
        text = f"{value:+,.3g}" if signed else f"{value:,.3g}"
    if lang == "nl":
        text = text.translate(_DUTCH_DIGITS)
    if points:
        text += " procentpunt" if lang == "nl" else " percentage points"
    return text


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def render_effect_reasons(
    *,
    outcome: str,
    binary: bool,
    participants: int,
    thin: bool,
    weight: float,
    effect: float,
    effect_se: float,
    neighbours: tuple[int, float, int, float] | None,
    lang: Lang,
) -> list[str]:
    """Render what the history says about one client and one approach.

    Parameters
    ----------
    outcome : str
        The outcome the effects are about.
    binary : bool
        Whether it is a 0/1 outcome (gains in percentage points, neighbours as rates).
    participants : int
        Past participants of the approach (0 when absent from the history).
    thin : bool
        Too few participants: the score falls back to the catalog.
    weight : float
        The learned estimate's weight in the score.
    effect, effect_se : float
        The client's estimated effect and its standard error.
    neighbours : (k, mean, k0, mean0) or None
        How the ``k`` nearest participants and ``k0`` nearest usual-care clients fared.
    lang : {"en", "nl"}
    """
    if participants == 0:
        return [_E["absent"][lang]]
    if thin:
        out = [_E["thin"][lang].format(n=participants)]
    else:
        half = 1.959963984540054 * effect_se
        out = [
            _E["learned"][lang].format(
                outcome=outcome,
                effect=_number(effect, lang, signed=True, points=binary),
                low=_number(effect - half, lang, signed=True, points=binary),
                high=_number(effect + half, lang, signed=True, points=binary),
                n=participants,
            )
        ]
        if weight < 0.995:
            w = round(100 * weight)
            out.append(_E["blend"][lang].format(w=w, c=100 - w))
    if neighbours is not None and neighbours[0] and neighbours[2]:
        k, mean, k0, mean0 = neighbours
        if binary:
            out.append(
                _E["neighbours_rate"][lang].format(
                    k=k,
                    x=round(mean * k),
                    pct=_pct(mean),
                    outcome=outcome,
                    k0=k0,
                    x0=round(mean0 * k0),
                    pct0=_pct(mean0),
                )
            )
        else:
            out.append(
                _E["neighbours_mean"][lang].format(
                    k=k,
                    mean=_number(mean, lang),
                    outcome=outcome,
                    k0=k0,
                    mean0=_number(mean0, lang),
                )
            )
    return out
