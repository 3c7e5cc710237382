"""Reading the intake form into profile facts, and facts back into the form.

An empty answer is "onbekend" (unknown): the key is left out of the stored facts, never
filled with a default. Every bad answer is reported with its field; the good ones are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matchkit.web.engine import FormField, form_fields


def _number(f: FormField, raw: str) -> tuple[float | int | None, str | None]:
    try:
        value: float | int = int(raw) if f.kind == "int" else float(raw.replace(",", "."))
    except ValueError:
        return None, "int" if f.kind == "int" else "float"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "float"
    if (f.minimum is not None and value < f.minimum) or (
        f.maximum is not None and value > f.maximum
    ):
        return None, "range"
    return value, None


def _one(f: FormField, raw: str, values: Sequence[str]) -> tuple[Any, str | None]:
    """Return the value of one answer (None: unknown) and an error code."""
    if f.kind == "multi":
        chosen = [v for v in values if v]
        if "__unknown__" in chosen or not chosen:
            return None, None
        if "__none__" in chosen:
            return [], None
        bad = [v for v in chosen if v not in f.choices]
        return (None, "choice") if bad else (chosen, None)
    raw = raw.strip()
    if raw == "":
        return None, None
    if f.kind == "enum":
        return (raw, None) if raw in f.choices else (None, "choice")
    if f.kind == "bool":
        return {"true": (True, None), "false": (False, None)}.get(raw, (None, "choice"))
    if f.kind in ("int", "float"):
        return _number(f, raw)
    if f.kind == "codes":
        codes = [c.strip().lower() for c in raw.split(",") if c.strip()]
        ok = all(len(c) == 2 and c.isascii() and c.isalpha() for c in codes)
        return (codes, None) if ok else (None, "codes")
    return raw[:200], None


def read_facts(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the known facts of a posted form (nested ``zrm``) and the errors by field.

    ``data`` is a ``QueryDict`` (or a mapping of lists for the several-choices fields).
    """
    facts: dict[str, Any] = {}
    zrm: dict[str, int] = {}
    errors: dict[str, str] = {}
    for f in form_fields():
        getlist = getattr(data, "getlist", None)
        values = getlist(f.name) if getlist else list(data.get(f.name) or [])
        raw = data.get(f.name) or ""
        value, error = _one(f, raw if isinstance(raw, str) else "", values)
        if error:
            errors[f.name] = error
        elif value is not None:
            if f.name.startswith("zrm_"):
                zrm[f.name[4:]] = int(value)
            else:
                facts[f.name] = value
    if zrm:
        facts["zrm"] = zrm
    return facts, errors


def form_values(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Return the form's current answers for stored facts ("" for unknown)."""
    out: dict[str, Any] = {}
    zrm = facts.get("zrm") or {}
    for f in form_fields():
        value = zrm.get(f.name[4:]) if f.name.startswith("zrm_") else facts.get(f.name)
        if value is None:
            out[f.name] = [] if f.kind == "multi" else ""
        elif f.kind == "bool":
            out[f.name] = "true" if value else "false"
        elif f.kind == "multi":
            out[f.name] = list(value) or ["__none__"]
        elif f.kind == "codes":
            out[f.name] = ", ".join(value)
        else:
            out[f.name] = str(value)
    return out
