"""Argument checks for public functions: a wrong type or value names the parameter.

A wrong type raises :class:`TypeError`, a value out of range :class:`ParameterError` (a
``ValueError``); both name the parameter, the value (cut short) and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from matchkit._text import clip_repr
from matchkit.errors import ParameterError

__all__ = [
    "check_bool",
    "check_instance",
    "check_int",
    "check_lang",
    "check_mapping",
    "check_number",
]

LANGS = ("en", "nl")


def check_instance(name: str, value: Any, types: type | tuple[type, ...], what: str) -> None:
    """Raise TypeError unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types):
        raise TypeError(f"{name}={clip_repr(value)} is a {type(value).__name__}; expected {what}")


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (numpy too); TypeError otherwise."""
    check_instance(name, value, (bool, np.bool_), "True or False")
    return bool(value)


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
) -> int | None:
    """Return ``value`` as an int after checking type and bounds (``None`` if optional)."""
    if value is None and optional:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{name}={clip_repr(value)} is a {type(value).__name__}; expected a whole number"
        )
    value = int(value)
    assert isinstance(value, int)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "" if minimum is None else f" from {minimum}"
        hi = "" if maximum is None else f" to {maximum}"
        at_least = f" >= {minimum}" if maximum is None else ""
        raise ParameterError(
            f"{name}={clip_repr(value)} is not allowed; expected a whole number"
            + (at_least or f"{lo}{hi}")
        )
    return value


def check_number(
    name: str,
    value: Any,
    *,
    low: float,
    high: float,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a finite number in the interval."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name}={clip_repr(value)} is a {type(value).__name__}; expected a number")
    number = float(value)
    ok = math.isfinite(number)
    ok = ok and (number > low if low_open else number >= low)
    ok = ok and (number < high if high_open else number <= high)
    if not ok:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ParameterError(
            f"{name}={clip_repr(value)} is not allowed; expected a finite number in {interval}"
        )
    return number


def check_lang(value: Any, name: str = "lang") -> str:
    """Return a supported language code (``en`` or ``nl``)."""
    if not isinstance(value, str) or value not in LANGS:
        raise ParameterError(f"{name}={clip_repr(value)} is not allowed; expected 'en' or 'nl'")
    return value


def check_mapping(name: str, value: Any, what: str) -> Mapping[Any, Any]:
    """Return ``value`` if it is a mapping (``None`` counts as empty)."""
    if value is None:
        return {}
    check_instance(name, value, Mapping, what)
    return value  # type: ignore[no-any-return]
