"""Hostile values for the fuzzing suite: what an attacker or a careless export produces."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from matchkit._fields import STORED_FIELDS

CONTROL = st.sampled_from(["\x1b[31m", "\x1b]0;x\x07", "\x00", "\r", "\n", "\t", "\u202e", "\x9b"])
FORMULA = st.sampled_from(['=HYPERLINK("x")', "+cmd|' /C calc'!A0", "-2-3", "@SUM(A1)"])

hostile_text = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, CONTROL, st.text(max_size=10)),
    FORMULA,
    st.just("x" * 5_000),
    st.sampled_from(["", " ", "NaN", "null", "true", "[]", "1e309", "０１"]),
)

hostile_numbers = st.one_of(
    st.integers(),
    st.sampled_from([10**30, 2**63, 2**64, -(2**63), 2**53 + 1, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
)

hostile_scalars = st.one_of(hostile_text, hostile_numbers, st.booleans(), st.none())

hostile_values: st.SearchStrategy[Any] = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)

field_names = st.one_of(
    st.sampled_from([*STORED_FIELDS, "zrm", "zrm11"]),
    st.text(max_size=12),
)


@st.composite
def hostile_records(draw: st.DrawFn, index: int = 0) -> dict[str, Any]:
    """A record with a hostile id and a few hostile fields (never a valid record's id)."""
    cid = draw(st.one_of(st.just(f"h{index}"), hostile_scalars))
    if isinstance(cid, str) and cid.startswith("v"):  # valid records' ids start with v
        cid = "h" + cid
    rec: dict[str, Any] = {"client_id": cid}
    for _ in range(draw(st.integers(0, 4))):
        name = draw(field_names)
        if name != "client_id":
            rec[name] = draw(hostile_values)
    if draw(st.booleans()):
        rec["zrm"] = draw(st.dictionaries(st.text(max_size=16), hostile_values, max_size=3))
    return rec
