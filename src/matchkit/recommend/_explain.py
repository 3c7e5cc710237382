"""Reason texts in Dutch and English, rendered from codes only when asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach
from matchkit._fields import FIELDS

__all__ = ["Lang", "field_label", "render_reasons"]

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
