"""The web page's use of the library: the intake form's fields, the shortlist, the history.

Everything here goes through the public names of ``matchkit``: the intake fields come from
the profile's JSON schema (``ClientProfile.model_json_schema``) and their labels from
``matchkit.recommend.field_label``, so a field added to the contract appears on the form
without being typed again here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

import matchkit as mk
from matchkit.errors import ParameterError
from matchkit.recommend import field_label, value_label

Lang = Literal["en", "nl"]

# Fields the form does not ask: the id is the page's own, zrm11 is the legacy input shape
# (zrm is asked domain by domain).
_NOT_ASKED = frozenset({"client_id", "zrm11", "zrm"})

OUTCOMES = ("benefit_ended", "paid_work", "ladder_up", "dropped_out")
"""The history's outcome columns, all 0/1, one per box of the outcome form."""


@dataclass(frozen=True)
class FormField:
    """One question of the intake form, as read from the profile schema.

    Attributes
    ----------
    name : str
        The contract name (``zrm_<domain>`` for a ZRM domain).
    kind : {"enum", "bool", "int", "float", "str", "multi", "codes"}
        How it is asked: a choice, yes/no, a number, text, several choices, or language
        codes separated by commas.
    choices : tuple of str
        The allowed values of a choice or of several choices.
    labels : dict
        The question's label per language.
    choice_labels : dict
        Per language, ``(value, label)`` for each choice (``matchkit.recommend.value_label``).
    minimum, maximum : float or None
        Bounds of a number.
    """

    name: str
    kind: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    sensitive: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    choice_labels: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def _resolve(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    """Return the non-null branch of a property, with a ``$ref`` replaced by its definition."""
    branches = prop.get("anyOf", [prop])
    body = next((b for b in branches if b.get("type") != "null"), branches[0])
    if "$ref" in body:
        return dict(schema["$defs"][body["$ref"].rsplit("/", 1)[1]])
    return dict(body)


def _choice_labels(name: str, choices: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    def one(value: str, lang: Lang) -> str:
        try:
            return value_label(name, value, lang)
        except ParameterError:  # a value the registry does not know: show the code
            return value

    return {lang: tuple((c, one(c, lang)) for c in choices) for lang in ("nl", "en")}


def _field(schema: dict[str, Any], name: str, prop: dict[str, Any]) -> FormField:
    body = _resolve(schema, prop)
    labels = {lang: field_label(name, lang) for lang in ("nl", "en")}
    if "enum" in body:
        choices = tuple(body["enum"])
        return FormField(
            name, "enum", choices, labels=labels, choice_labels=_choice_labels(name, choices)
        )
    kind = body.get("type")
    if kind == "array":
        items = _resolve(schema, body.get("items", {}))
        if "enum" in items:
            choices = tuple(items["enum"])
            return FormField(
                name, "multi", choices, labels=labels, choice_labels=_choice_labels(name, choices)
            )
        return FormField(name, "codes", labels=labels)
    if kind == "boolean":
        return FormField(name, "bool", labels=labels)
    if kind in ("integer", "number"):
        return FormField(
            name,
            "int" if kind == "integer" else "float",
            minimum=body.get("minimum"),
            maximum=body.get("maximum"),
            labels=labels,
        )
    return FormField(name, "str", labels=labels)


@lru_cache(maxsize=1)
def form_fields() -> tuple[FormField, ...]:
    """Return the intake questions in the contract's order, ZRM domains last."""
    schema = mk.ClientProfile.model_json_schema()
    props = schema["properties"]
    out = [_field(schema, n, p) for n, p in props.items() if n not in _NOT_ASKED]
    for domain, dprop in props["zrm"]["properties"].items():
        name = f"zrm_{domain}"
        labels = {lang: field_label(name, lang) for lang in ("nl", "en")}
        out.append(
            FormField(
                name,
                "int",
                minimum=dprop.get("minimum"),
                maximum=dprop.get("maximum"),
                labels=labels,
            )
        )
    return tuple(out)


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def catalog() -> mk.Catalog:
    """Return the built-in catalog (loaded once per process)."""
    return mk.load_catalog()


def catalog_version() -> str:
    """Return a short digest of the catalog's content."""
    return _digest([a.model_dump(mode="json") for a in catalog().approaches])


def model_version() -> str:
    """Return the library version and the scoring model's parameters."""
    return f"{mk.__version__}:{_digest(repr(mk.ScoringModel()))}"


Offered = tuple[tuple[str, str], ...]
"""The local offering as stored: sorted ``(area, approach_id)`` pairs, area "" for every
municipality without its own list."""


def offering_of(offered: Offered) -> mk.Offering | None:
    """Return the library's offering of stored pairs (None when nothing is set)."""
    if not offered:
        return None
    by_area: dict[str, list[str]] = {}
    default: list[str] | None = None
    for area, approach in offered:
        if area:
            by_area.setdefault(area, []).append(approach)
        else:
            default = [*(default or []), approach]
    return mk.Offering(by_area=by_area, default=default)


@lru_cache(maxsize=8)
def _recommender(offered: Offered) -> mk.Recommender:
    return mk.Recommender(catalog(), offering=offering_of(offered))


def warm() -> None:
    """Load the catalog, the form and the recommender of the full offering now.

    ``matchkit serve`` calls this before its processes are forked, so they share the work
    and no case manager waits for it on a first request.
    """
    form_fields()
    catalog_version()
    _recommender(())


def offering_version(offered: Offered) -> str:
    """Return a digest of the local offering ("all" when nothing is set)."""
    return _digest(sorted(offered)) if offered else "all"


def profile_of(client_id: str, facts: dict[str, Any]) -> mk.ClientProfile:
    """Return the library's profile of stored facts (raises ValueError when they are invalid)."""
    return mk.ClientProfile.model_validate({"client_id": client_id, **facts})


def shortlist(
    client_id: str, facts: dict[str, Any], offered: Offered, lang: Lang
) -> list[dict[str, Any]]:
    """Return the explained list of approaches for one client, ineligible ones last.

    What is offered follows the client's ``municipality`` fact (see :func:`offering_of`).

    Each item is ``Recommendation.to_dict()`` with the approach's ``name``, ``offered``,
    ``to_arrange`` and ``to_verify`` turned into labels in ``lang`` (``to_verify_labels``).
    """
    rec = _recommender(offered)
    items = []
    for r in rec.recommend(profile_of(client_id, facts), include_ineligible=True, lang=lang):
        item = r.to_dict()
        item["name"] = r.name
        item["offered"] = r.offered
        item["to_arrange"] = list(r.to_arrange)
        item["to_verify_labels"] = [field_label(f, lang) for f in r.to_verify]
        items.append(item)
    return items


def export_history(rows: list[dict[str, Any]]) -> mk.History:
    """Return decisions with an outcome as a history ``fit_effects`` reads.

    Parameters
    ----------
    rows : list of dict
        One per decision: ``client_id``, ``profile`` (as it was at the decision),
        ``approach_id`` (empty for own choice, which counts as usual care), ``start_date``
        (the decision's date) and the :data:`OUTCOMES` as 0/1.
    """
    records = []
    for row in rows:
        rec: dict[str, Any] = {**row["profile"], "client_id": row["client_id"]}
        zrm = rec.pop("zrm", {}) or {}
        profile = mk.ClientProfile.model_validate({**rec, "zrm": zrm}).to_record()
        profile["approach_id"] = row["approach_id"] or None
        profile["start_date"] = row["start_date"]
        for name in OUTCOMES:
            profile[name] = int(row[name])
        records.append(profile)
    columns = [*mk.ClientProfile.model_fields, "approach_id", "start_date", *OUTCOMES]
    frame = pd.DataFrame.from_records(records)
    frame = frame[[c for c in frame.columns if c in columns or c.startswith("zrm_")]]
    return mk.read_history(frame, outcomes=list(OUTCOMES), binary=list(OUTCOMES), catalog=catalog())
