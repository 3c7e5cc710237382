"""Reason texts in Dutch and English, rendered from codes only when asked for.

Explanations speak in the client's own terms: a failed criterion states the client's value
next to what the approach asks; a preference the client has none of is not called a partial
fit; criteria nearly everyone meets are not shown as fits; a bonus (a subgroup, a lever) is
shown when it holds and never as a difference; conditions the municipality can arrange are
shown as "to arrange" (te regelen), never as a reason to exclude.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from matchkit._catalog import Approach, Text
from matchkit._fields import FIELDS, Kind, canonical_field
from matchkit.errors import ParameterError

__all__ = [
    "SCORE_SCALE",
    "ClientFacts",
    "Lang",
    "field_label",
    "format_value",
    "intake_lines",
    "render_effect_reasons",
    "render_reasons",
    "value_label",
]

Lang = Literal["en", "nl"]

TRIVIAL_SPECIFICITY: Final = 0.1
"""A criterion matched by more than ~90% of the reference population (specificity
``-ln(share) < 0.1``) says little about this client; it is not listed as a fit."""

SCORE_SCALE: Final = {
    "en": (
        "Score 0-1: how much of the approach's target profile the client matches, each "
        "criterion weighed by how telling it is; unknown facts are left out, and with little "
        "known the score stays low. Only an approach's own conditions can exclude."
    ),
    "nl": (
        "Score 0-1: hoeveel van het doelprofiel van de aanpak bij de cliënt past, elk "
        "criterium gewogen naar hoe onderscheidend het is; onbekende gegevens tellen niet mee, "
        "en als er weinig bekend is blijft de score laag. Alleen de eigen voorwaarden van een "
        "aanpak kunnen iemand uitsluiten."
    ),
}
"""The score's scale in words, shown once per output."""

_T = {
    "eligible": {
        "en": "Meets all {k} entry conditions.",
        "nl": "Voldoet aan alle {k} toelatingsvoorwaarden.",
    },
    "eligible_one": {
        "en": "Meets the entry condition.",
        "nl": "Voldoet aan de toelatingsvoorwaarde.",
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
    "client": {"en": " (client: {values})", "nl": " (cliënt: {values})"},
    "subgroups": {
        "en": "Belongs to a group the approach focused on: {groups}",
        "nl": "Hoort bij een groep waar de aanpak zich op richtte: {groups}",
    },
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
    "arrange": {
        "en": "To arrange: {items}.",
        "nl": "Te regelen: {items}.",
    },
    "arrange_unknown": {
        "en": "Ask at intake whether this needs arranging: {items}.",
        "nl": "Vraag in het intakegesprek of dit geregeld moet worden: {items}.",
    },
    "not_offered": {
        "en": "Would fit, but is not offered here{where}.",
        "nl": "Zou passen, maar wordt hier niet aangeboden{where}.",
    },
    "expect": {
        "en": "Once the missing facts are known the score will lie between {low} and {high}; "
        "about {exp} is to be expected (from the reference population).",
        "nl": "Als de ontbrekende gegevens bekend zijn, ligt de score tussen {low} en {high}; "
        "naar verwachting rond {exp} (op basis van de referentiepopulatie).",
    },
    "expect_verify": {
        "en": "Once the missing facts are known the score will lie between {low} and {high}; "
        "about {exp} is to be expected, and the entry conditions hold for about {p}% of "
        "similar clients (from the reference population).",
        "nl": "Als de ontbrekende gegevens bekend zijn, ligt de score tussen {low} en {high}; "
        "naar verwachting rond {exp}, en voor ongeveer {p}% van vergelijkbare cliënten "
        "kloppen de toelatingsvoorwaarden (op basis van de referentiepopulatie).",
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

_VALUES_NL: Final = {
    "none": "geen",
    "low": "laag",
    "some": "enige",
    "medium": "gemiddeld",
    "high": "hoog",
    "mild": "licht",
    "moderate": "matig",
    "severe": "ernstig",
    "single": "alleenstaand",
    "couple": "samenwonend of gehuwd",
    "primary": "basisonderwijs",
    "female": "vrouw",
    "male": "man",
    "care": "zorg",
    "sustainability": "duurzaamheid",
    "technical": "techniek",
    "logistics": "logistiek",
    "hospitality": "horeca",
    "retail": "detailhandel",
    "cleaning": "schoonmaak",
    "administration": "administratie",
    "childcare": "kinderopvang",
    "education": "onderwijs",
    "creative": "creatief",
    "entrepreneurship": "ondernemen",
}


@dataclass(frozen=True)
class ClientFacts:
    """The client's values of the fields an explanation may quote, looked up when needed.

    Attributes
    ----------
    lookup : callable
        Field name to the client's value, None when unknown.
    """

    lookup: Callable[[str], object]

    def get(self, name: str) -> object:
        """Return the value of ``name`` (None when unknown or not a field)."""
        return self.lookup(name) if name in FIELDS else None


def field_label(name: str, lang: Lang) -> str:
    """Return the human label of a field in ``lang``."""
    spec = FIELDS[name]
    return spec.label_nl if lang == "nl" else spec.label_en


def format_value(name: str, value: object, lang: Lang) -> str:
    """Render one field's value the way a case manager would say it."""
    spec = FIELDS[name]
    if name == "participation_ladder" and isinstance(value, int | float):
        return f"{'trede' if lang == 'nl' else 'step'} {int(value)}"
    if spec.kind is Kind.BOOL or isinstance(value, bool | np.bool_):
        yes = bool(value)
        word = ("ja" if yes else "nee") if lang == "nl" else ("yes" if yes else "no")
        return f"{field_label(name, lang)}: {word}"
    if isinstance(value, list | tuple):
        items = [_word(str(v), lang) for v in value]
        empty = "geen" if lang == "nl" else "none"
        return f"{field_label(name, lang)}: {', '.join(items) or empty}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        value = f"{value:g}"
    if name.startswith("age") and lang == "nl":
        return f"{value} jaar"
    if name == "age":
        return f"aged {value}"
    return f"{field_label(name, lang)}: {_word(str(value), lang)}"


# How a form shows a value (value_label): the reasons' words, plus the levels a code alone
# does not explain (CEFR levels, Dutch school types) and words reasons never need.
_LABELS: Final[dict[str, tuple[str, str]]] = {
    "other": ("anders", "other"),
    "western": ("westers", "Western"),
    "non_western": ("niet-westers", "non-Western"),
    "A1": ("A1 (beginner)", "A1 (beginner)"),
    "A2": ("A2 (basis)", "A2 (elementary)"),
    "B1": ("B1 (gemiddeld)", "B1 (intermediate)"),
    "B2": ("B2 (bovengemiddeld)", "B2 (upper intermediate)"),
    "C1": ("C1 (gevorderd)", "C1 (advanced)"),
    "C2": ("C2 (zeer gevorderd)", "C2 (proficient)"),
    "primary": ("basisonderwijs", "primary school"),
    "vmbo": ("vmbo", "vmbo (pre-vocational)"),
    "mbo1": ("mbo niveau 1", "mbo level 1"),
    "mbo2": ("mbo niveau 2", "mbo level 2"),
    "mbo3": ("mbo niveau 3", "mbo level 3"),
    "mbo4": ("mbo niveau 4", "mbo level 4"),
    "havo_vwo": ("havo/vwo", "havo/vwo (senior general)"),
    "hbo": ("hbo", "hbo (higher professional)"),
    "wo": ("wo (universiteit)", "wo (university)"),
}


def value_label(name: str, value: str, lang: Lang) -> str:
    """Return how a case manager reads one value of a choice or list field, in ``lang``.

    Parameters
    ----------
    name : str
        A field of the client-profile contract with a closed set of values (an enum such as
        ``dutch_level`` or a list such as ``interests``).
    value : str
        One of the field's values (its code, as stored).
    lang : {"nl", "en"}
        The language of the label.

    Returns
    -------
    str
        The label; the code itself where it is what people say (``vmbo``).

    Raises
    ------
    ParameterError
        An unknown field, a field without a closed set of values, a value the field does not
        allow, or a language other than ``nl`` and ``en``.

    Examples
    --------
    >>> value_label("dutch_level", "A2", "nl")
    'A2 (basis)'
    >>> value_label("motivation", "low", "en")
    'low'
    """
    if lang not in ("nl", "en"):
        raise ParameterError(f"lang={lang!r} is not allowed; expected 'nl' or 'en'")
    spec = FIELDS.get(name)
    if spec is None or not spec.values:
        raise ParameterError(f"name={name!r} is not a profile field with a closed set of values")
    if value not in spec.values:
        raise ParameterError(f"value={value!r} is not allowed for {name}; {spec.allowed()}")
    if value in _LABELS:
        return _LABELS[value][0 if lang == "nl" else 1]
    return _word(value, lang)


def _word(value: str, lang: Lang) -> str:
    return _VALUES_NL.get(value, value) if lang == "nl" else value.replace("_", " ")


def _client_values(names: Sequence[str], facts: ClientFacts, lang: Lang) -> str:
    shown = []
    for name in names:
        value = facts.get(name)
        if value is not None and name in FIELDS:
            shown.append(format_value(name, value, lang))
    return "; ".join(shown)


def _is_zero(name: str, value: object) -> bool:
    """Whether the client has none of the thing a field measures (0, "none", empty)."""
    if value is None or name not in FIELDS:
        return False
    spec = FIELDS[name]
    if spec.kind is Kind.ENUM:
        return str(value) == "none"
    if isinstance(value, list | tuple):
        return not value
    return isinstance(value, int | float) and not isinstance(value, bool) and value == 0


@dataclass(frozen=True)
class _Static:
    """The parts of an approach's explanations that do not depend on the client."""

    rule_fields: tuple[tuple[str, ...], ...]
    failed: dict[str, tuple[str, ...]]
    sensitive: dict[str, tuple[str, ...]]
    target_order: tuple[int, ...]
    target_labels: dict[str, tuple[str, ...]]
    target_feature: tuple[str | None, ...]
    arrange_labels: dict[str, tuple[str, ...]]


_STATIC: dict[int, tuple[Approach, _Static]] = {}


def _static(approach: Approach) -> _Static:
    """Return the client-independent parts of ``approach``'s explanations (built once)."""
    hit = _STATIC.get(id(approach))
    if hit is not None and hit[0] is approach:
        return hit[1]
    langs: tuple[Lang, ...] = ("en", "nl")
    compiled = approach.compiled_rules
    sensitive: dict[str, tuple[str, ...]] = {}
    for lang in langs:
        lines = []
        for rule, c in zip(approach.rules, compiled, strict=True):
            fields = sorted(f for f in c.fields if FIELDS[f].sensitive)
            if fields:
                lines.append(
                    _T["sensitive"][lang].format(
                        rule=rule.id,
                        fields=", ".join(field_label(f, lang) for f in fields),
                        why=rule.justification,
                    )
                )
        sensitive[lang] = tuple(lines)
    static = _Static(
        rule_fields=tuple(tuple(sorted(c.fields)) for c in compiled),
        failed={
            lang: tuple(
                _T["failed"][lang].format(reason=r.reason.get(lang)) for r in approach.rules
            )
            for lang in langs
        },
        sensitive=sensitive,
        target_order=tuple(
            sorted(range(len(approach.target)), key=lambda i: (-approach.target[i].weight, i))
        ),
        target_labels={lang: tuple(t.label.get(lang) for t in approach.target) for lang in langs},
        target_feature=tuple(
            canonical_field(t.feature) if t.feature else None for t in approach.target
        ),
        arrange_labels={lang: tuple(a.label.get(lang) for a in approach.arrange) for lang in langs},
    )
    if len(_STATIC) >= 4_096:
        _STATIC.clear()
    _STATIC[id(approach)] = (approach, static)
    return static


def render_reasons(
    approach: Approach,
    status: int,
    rule_state: npt.NDArray[np.int8],
    target_match: npt.NDArray[np.float64],
    coverage: float,
    to_verify: Sequence[str],
    lang: Lang,
    *,
    facts: ClientFacts | None = None,
    arrange_state: npt.NDArray[np.int8] | None = None,
    specificity: npt.NDArray[np.float64] | None = None,
    offered: bool = True,
    municipality: str | None = None,
    expectation: tuple[float, float, float, float] | None = None,
    fitting: Callable[[int], Sequence[Text]] | None = None,
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
    facts : ClientFacts, optional
        The client's values, quoted next to a failed criterion.
    arrange_state : int8 array (n_arrange,), optional
        Per condition to arrange: 1 nothing to arrange, 0 to arrange, -1 unknown.
    specificity : float array (n_target,), optional
        Specificity of each preference in the reference population; a fit with less than
        :data:`TRIVIAL_SPECIFICITY` is not listed.
    offered : bool
        Whether the approach is offered in the client's municipality.
    municipality : str, optional
        The client's municipality, named in "not offered here".
    expectation : (expected, low, high, p_pass), optional
        For a thin file: the score to expect once the unknown facts are known, its range,
        and the chance the unknown entry conditions hold.
    fitting : callable, optional
        Target entry index to the subgroups the client belongs to, as
        ``approach.fitting_subgroups(i, facts.get)`` names them (which it calls without).
    """
    facts = facts or ClientFacts(lambda _name: None)
    static = _static(approach)
    out: list[str] = []
    if not offered and status != 0:
        where = f" ({municipality})" if municipality else ""
        out.append(_T["not_offered"][lang].format(where=where))
    if status == 2:
        k = len(approach.rules)
        key = "eligible" if k > 1 else ("eligible_one" if k == 1 else "eligible_none")
        out.append(_T[key][lang].format(k=k))
    elif status == 1:
        labels = ", ".join(field_label(f, lang) for f in to_verify)
        out.append(_T["verify"][lang].format(fields=labels))
    else:
        for text, fields, state in zip(
            static.failed[lang], static.rule_fields, rule_state.tolist(), strict=True
        ):
            if state == 0:
                values = _client_values(fields, facts, lang)
                if values:
                    text = text.rstrip(".") + _T["client"][lang].format(values=values) + "."
                out.append(text)
    if fitting is None:

        def fitting(i: int) -> Sequence[Text]:
            return approach.fitting_subgroups(i, facts.get)

    out += _target_lines(approach, static, target_match, facts, specificity, lang, fitting)
    if arrange_state is not None and len(approach.arrange):
        todo = static.arrange_labels[lang]
        states = arrange_state.tolist()
        need = [t for t, s in zip(todo, states, strict=True) if s == 0]
        ask = [t for t, s in zip(todo, states, strict=True) if s == -1]
        if need:
            out.append(_T["arrange"][lang].format(items="; ".join(need)))
        if ask and status != 0:
            out.append(_T["arrange_unknown"][lang].format(items="; ".join(ask)))
    if coverage < 0.999:
        out.append(_T["coverage"][lang].format(pct=round(100 * coverage)))
    if expectation is not None:
        exp, low, high, p_pass = expectation
        key = "expect" if status == 2 else "expect_verify"
        out.append(
            _T[key][lang].format(
                exp=f"{exp:.2f}", low=f"{low:.2f}", high=f"{high:.2f}", p=round(100 * p_pass)
            )
        )
    out += static.sensitive[lang]
    return out


def _target_lines(
    approach: Approach,
    static: _Static,
    target_match: npt.NDArray[np.float64],
    facts: ClientFacts,
    specificity: npt.NDArray[np.float64] | None,
    lang: Lang,
    fitting: Callable[[int], Sequence[Text]],
) -> list[str]:
    matches = target_match.tolist()
    labels = static.target_labels[lang]
    groups: dict[str, list[str]] = {"fits": [], "partly": [], "differs": []}
    for i in static.target_order:
        m = matches[i]
        if m != m:
            continue  # unknown
        entry = approach.target[i]
        if m >= 1.0:
            if specificity is not None and specificity[i] < TRIVIAL_SPECIFICITY:
                continue  # nearly everyone matches: not worth saying
            named = fitting(i)
            if named:  # only the client's own subgroups, not the whole list
                words = [t.get(lang) for t in named]
                last = words.pop()
                joined = (
                    f"{', '.join(words)} {'en' if lang == 'nl' else 'and'} {last}"
                    if words
                    else last
                )
                groups["fits"].append(_T["subgroups"][lang].format(groups=joined))
                continue
            groups["fits"].append(labels[i])
            continue
        if entry.bonus:
            if m > 0.0:
                groups["partly"].append(labels[i])
            continue  # a missing bonus is not a difference
        label = labels[i]
        feature = static.target_feature[i]
        if feature is not None and m > 0.0 and _is_zero(feature, facts.get(feature)):
            m = 0.0  # the client has none of it: not a partial fit
        if m <= 0.0:
            values = _client_values([feature], facts, lang) if feature else ""
            if values:
                label += _T["client"][lang].format(values=values)
            groups["differs"].append(label)
        else:
            groups["partly"].append(label)
    return [
        _T[key][lang].format(items="; ".join(items[:3])) for key, items in groups.items() if items
    ]


_INTAKE = {
    "thin": {
        "en": "Little is known ({pct}% of the criteria on average): start with the intake.",
        "nl": "Er is weinig bekend (gemiddeld {pct}% van de criteria): begin met het "
        "intakegesprek.",
    },
    "order": {
        "en": "Establish first: {items}.",
        "nl": "Stel eerst vast: {items}.",
    },
    "count": {
        "en": "{field} (settles {k} approaches)",
        "nl": "{field} (beslist over {k} aanpakken)",
    },
    "count_one": {"en": "{field} (settles 1 approach)", "nl": "{field} (beslist over 1 aanpak)"},
    "first": {
        "en": "Approaches meant to get to know a client first: {names}.",
        "nl": "Aanpakken die bedoeld zijn om een cliënt eerst te leren kennen: {names}.",
    },
}


def intake_lines(
    coverage: float, order: Sequence[tuple[str, int]], first: Sequence[str], lang: Lang
) -> list[str]:
    """Render the lead of a thin file: the intake order and the get-to-know approaches."""
    out = [_INTAKE["thin"][lang].format(pct=round(100 * coverage))]
    if order:
        items = [
            _INTAKE["count_one" if k == 1 else "count"][lang].format(
                field=field_label(name, lang), k=k
            )
            for name, k in order[:5]
        ]
        out.append(_INTAKE["order"][lang].format(items="; ".join(items)))
    if first:
        out.append(_INTAKE["first"][lang].format(names=", ".join(first)))
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
