"""The table escapes control characters piece by piece: the same text as escaping each block.

The writer escapes a client's id, each approach name and each reason on its own (names and
reasons once each, as they repeat); this checks the result against escaping the whole block
as it was first written, on hostile ids, names and reasons.
"""

from __future__ import annotations

import dataclasses
import textwrap

import matchkit as mk
from matchkit import cli
from matchkit._text import escape_control

HOSTILE = ["\x1b[31mred\x1b[0m", "bell\x07", "tab\there", "cr\rline", "vt\x0bff\x0c", "\x9bcsi"]


def _old_block(cid, recs, lang):
    # The block as first written, escaped as a whole afterwards.
    lines = [f"{cid}"]
    if not recs:
        lines.append("  (no approach listed)" if lang == "en" else "  (geen aanpak)")
    offered = [r for r in recs if r.offered or r.status == "ineligible"]
    apart = [r for r in recs if not r.offered and r.status != "ineligible"]
    for header, group in ((None, offered), (cli._APART[lang], apart)):
        if header and group:
            lines.append(header)
        for r in group:
            rank = str(r.rank) if r.rank else "-"
            name = cli._clip(r.name or r.approach_id, 40)
            status = cli._STATUS_WORDS[lang][r.status]
            lines.append(f"  {rank:>2}  {name:<40} {status:<10} {r.score:.2f}")
            for reason in r.reasons:
                lines += textwrap.wrap(
                    reason, width=88, initial_indent="        ", subsequent_indent="          "
                )
    return escape_control("\n".join(lines) + "\n")


def test_piecewise_escaping_equals_escaping_the_whole_block():
    caseload = mk.generate_caseload(40, seed=5)
    result = mk.Recommender(mk.load_catalog()).recommend_batch(caseload)
    checked = 0
    for lang in ("en", "nl"):
        for k, (cid, recs) in enumerate(result.iter_clients(top=3, lang=lang)):
            bad = HOSTILE[k % len(HOSTILE)]
            hostile = [
                dataclasses.replace(
                    r,
                    name=f"{bad} {r.name}" if j % 2 == 0 else r.name + bad * 8,
                    reasons=[f"{bad} " + reason for reason in r.reasons] + [bad * 30],
                )
                for j, r in enumerate(recs)
            ]
            for cid_, rs in ((cid, recs), (bad + cid, hostile)):
                got = cli._client_block(cid_, rs, lang)
                assert got == _old_block(cid_, rs, lang)
                checked += 1
            assert "\x1b" not in cli._client_block(bad + cid, hostile, lang)
    assert checked == 160
