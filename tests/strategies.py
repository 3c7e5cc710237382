"""Hypothesis strategies for client records that follow the profile contract."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from matchkit._fields import FIELDS, STORED_FIELDS, ZRM_DOMAINS, Kind

_ID = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
    min_size=1,
    max_size=12,
)


def _value(name: str) -> st.SearchStrategy[Any]:
    spec = FIELDS[name]
    if spec.kind is Kind.INT:
        hi = spec.maximum if spec.maximum is not None else 600
        return st.integers(int(spec.minimum or 0), int(hi))
    if spec.kind is Kind.FLOAT:
        hi = spec.maximum if spec.maximum is not None else 1e5
        return st.floats(0, hi, allow_nan=False).map(lambda v: min(round(v, 2), hi))
    if spec.kind is Kind.BOOL:
        return st.booleans()
    if spec.kind is Kind.ENUM:
        return st.sampled_from(spec.values)
    if spec.kind is Kind.STR:
        return st.text(alphabet="abcdefghij Poelnburg-", min_size=1, max_size=10).filter(
            lambda s: s.strip() == s and s != ""
        )
    if spec.values:
        return st.lists(st.sampled_from(spec.values), unique=True, max_size=4)
    return st.lists(st.sampled_from(["tr", "ar", "en", "pl", "so"]), unique=True, max_size=3)


_OPTIONAL = [
    n
    for n in STORED_FIELDS
    if n not in ("client_id", "age") and not n.startswith("zrm_") and n != "youngest_child_age"
]


@st.composite
def profile_records(draw: st.DrawFn, client_id: str | None = None) -> dict[str, Any]:
    """A valid nested profile record (JSON shape, `zrm` mapping), unknowns left out."""
    rec: dict[str, Any] = {
        "client_id": client_id or draw(_ID),
        "age": draw(st.integers(18, 67)),
    }
    for name in _OPTIONAL:
        if draw(st.booleans()):
            rec[name] = draw(_value(name))
    if rec.get("children", 0) > 0 and draw(st.booleans()):
        rec["youngest_child_age"] = draw(st.integers(0, 17))
    zrm = {}
    for d in ZRM_DOMAINS:
        if draw(st.booleans()):
            zrm[d] = draw(st.integers(1, 3 if d == "finances" else 5))
    rec["zrm"] = zrm
    return rec


def invalid_value(name: str) -> st.SearchStrategy[Any]:
    """Values that break the contract for one field."""
    spec = FIELDS[name]
    if spec.kind is Kind.INT:
        out = [st.just(1.5), st.just("12"), st.just(True)]
        if spec.minimum is not None:
            out.append(st.just(int(spec.minimum) - 1))
        if spec.maximum is not None:
            out.append(st.just(int(spec.maximum) + 1))
        return st.one_of(out)
    if spec.kind is Kind.FLOAT:
        return st.sampled_from([-1.0, "abc", True])
    if spec.kind is Kind.BOOL:
        return st.sampled_from(["maybe", 3, 0.5])
    if spec.kind is Kind.ENUM:
        return st.sampled_from(["NOPE", "", 3])
    if spec.kind is Kind.STR:
        return (
            st.sampled_from([5, ""])
            if name != "client_id"
            else st.sampled_from(["has space", "", "x" * 65, "a/b"])
        )
    return st.sampled_from(["notalist" if spec.values else 5, ["zzz-not-allowed"], [3]])
