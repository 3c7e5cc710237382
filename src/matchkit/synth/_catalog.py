"""Generated catalogs: many plausible approaches, for benchmarks and tests at scale.

A municipality's real catalog has a handful of approaches; a national or research setting may
have hundreds. :func:`generate_catalog` writes approaches with random but valid hard rules and
target profiles over the contract's fields, sourced to "generated", so the recommender and the
planner can be measured on catalogs of any size.
"""

from __future__ import annotations

import numpy as np

from matchkit._catalog import Approach, Catalog, parse_approach
from matchkit._fields import FIELDS, SENSITIVE_FIELDS, Kind

__all__ = ["generate_catalog"]

_SOURCE = "generated"
_RULE_FIELDS = tuple(
    name
    for name, spec in FIELDS.items()
    if name not in SENSITIVE_FIELDS
    and spec.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.ENUM, Kind.LIST)
    and name not in ("client_id", "other_languages", "youngest_child_age")
)


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _random_rule(name: str, rng: np.random.Generator) -> str:
    spec = FIELDS[name]
    if spec.kind is Kind.BOOL:
        return name if rng.random() < 0.6 else f"not {name}"
    if spec.kind is Kind.LIST:
        item = str(rng.choice(spec.values))
        return f"{name} contains {_literal(item)}"
    if spec.kind is Kind.ENUM:
        if spec.ordered:
            level = str(rng.choice(spec.values[1:]))
            op = ">=" if rng.random() < 0.6 else "<="
            return f"{name} {op} {_literal(level)}"
        picks = rng.choice(spec.values, size=min(2, len(spec.values)), replace=False)
        return f"{name} in [{', '.join(_literal(str(v)) for v in picks)}]"
    lo = spec.minimum if spec.minimum is not None else 0.0
    hi = spec.maximum if spec.maximum is not None else lo + 120
    threshold = round(float(lo + (hi - lo) * rng.uniform(0.2, 0.8)))
    op = ">=" if rng.random() < 0.5 else "<="
    return f"{name} {op} {threshold}"


def _approach(i: int, rng: np.random.Generator) -> dict[str, object]:
    n_rules = int(rng.integers(1, 5))
    n_target = int(rng.integers(2, 6))
    fields = rng.choice(_RULE_FIELDS, size=n_rules + n_target, replace=False)
    rules = [
        {
            "id": f"rule-{k}",
            "rule": _random_rule(str(name), rng),
            "source": _SOURCE,
            "reason": {"nl": f"Voorwaarde {k} van de aanpak.", "en": f"Condition {k}."},
        }
        for k, name in enumerate(fields[:n_rules])
    ]
    target = [
        {
            "id": f"pref-{k}",
            "rule": _random_rule(str(name), rng),
            "weight": float(rng.choice([0.5, 1.0, 1.0, 2.0])),
            "source": _SOURCE,
            "label": {"nl": f"Voorkeur {k}", "en": f"Preference {k}"},
        }
        for k, name in enumerate(fields[n_rules:])
    ]
    return {
        "id": f"gen-{i:04d}",
        "name": f"Generated approach {i}",
        "source": _SOURCE,
        "description": {"nl": "Gegenereerde aanpak.", "en": "Generated approach."},
        "municipalities": ["Synthetic"],
        "executor": "generated",
        "approach_types": [str(rng.choice(["work_first", "human_capital_first", "life_first"]))],
        "goal": str(rng.choice(["work", "activation", "both"])),
        "rules": rules,
        "target": target,
        "facts": {"capacity": {"places": {"value": int(rng.integers(5, 200)), "source": _SOURCE}}},
    }


def generate_catalog(n: int, *, seed: int = 0) -> Catalog:
    """Generate a valid catalog of ``n`` approaches with random rules and target profiles.

    Parameters
    ----------
    n : int
        Number of approaches (1 to 9,999).
    seed : int
        Seed; the same seed gives the same catalog.

    Examples
    --------
    >>> catalog = generate_catalog(3, seed=1)
    >>> catalog.ids
    ['gen-0000', 'gen-0001', 'gen-0002']
    """
    if not 1 <= n <= 9_999:
        raise ValueError(f"n={n!r} is not allowed; expected a whole number from 1 to 9999")
    rng = np.random.Generator(np.random.PCG64(seed))
    approaches: list[Approach] = []
    for i in range(n):
        approach, problems = parse_approach(_approach(i, rng), "generated")
        if approach is None:  # pragma: no cover - the generator only writes valid rules
            raise AssertionError("; ".join(problems))
        approaches.append(approach)
    return Catalog(approaches)
