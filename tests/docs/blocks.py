"""Fenced code blocks of the Markdown documentation, and the script that runs them in order.

Every fenced block carries a language:

- ``python`` and ``bash`` blocks run, in the order they appear in the file, as one script from
  a clean temporary directory (Python state carries over from block to block, as it would for
  a reader typing them in one session; a bash block runs in ``bash -euo pipefail``);
- ``yaml`` blocks are parsed (and checked further by the tests that know what they are);
- ``text`` blocks are not code: grammars, formulas, command synopses, file layouts.

A block that must not run is marked by the HTML comment ``<!-- docs-test: skip REASON -->``
on the line just before its fence. Keep that list short: only set-up that would recurse into
the tests themselves (``make test``) or runs that take minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LANGUAGES", "SKIP_MARKER", "Block", "blocks", "script"]

LANGUAGES = ("python", "bash", "yaml", "text")
SKIP_MARKER = re.compile(r"^<!-- docs-test: skip (?P<reason>\S.*?) -->$")
_FENCE = re.compile(r"^```(?P<lang>[A-Za-z0-9_-]*)\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text and its skip reason (if any)."""

    path: Path
    line: int
    lang: str
    code: str
    skip: str | None

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Return the fenced blocks of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        start = i
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f"{path.name}:{start + 1}: the fenced block is never closed")
        marker = SKIP_MARKER.match(lines[start - 1].strip()) if start else None
        out.append(
            Block(
                path,
                start + 1,
                fence["lang"],
                "\n".join(body) + "\n",
                marker["reason"] if marker else None,
            )
        )
        i += 1
    return out


def script(doc_blocks: list[Block]) -> str:
    """Return one Python script that runs the doc's python and bash blocks in order."""
    parts = [
        "import subprocess as _subprocess\n",
        "def _bash(_code, _where):\n"
        "    _done = _subprocess.run(['bash', '-euo', 'pipefail', '-c', _code])\n"
        "    if _done.returncode:\n"
        "        raise SystemExit(f'{_where}: the bash block exited {_done.returncode}')\n",
    ]
    for block in doc_blocks:
        if block.skip is not None:
            continue
        parts.append(f"print({'--- ' + block.where!r}, flush=True)\n")
        if block.lang == "python":
            parts.append(block.code)
        elif block.lang == "bash":
            parts.append(f"_bash({block.code!r}, {block.where!r})\n")
    return "".join(parts)
