"""Short, readable summaries of result objects for ``print``, the REPL and notebooks.

A result (a plan, pools, a batch of recommendations, an evaluation) prints as one title line
and one small table of at most a row per approach or strategy, never as its full frames.
"""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["summary_html", "summary_text"]

_WIDTH = 100


def summary_text(lines: list[str], table: pd.DataFrame | None = None, *, digits: int = 3) -> str:
    """Return title lines followed by a compact rendering of ``table``."""
    out = list(lines)
    if table is not None and len(table.columns):
        with pd.option_context(
            "display.width", _WIDTH, "display.max_columns", 12, "display.max_rows", 20
        ):
            out += ["", table.round(digits).to_string(max_rows=20)]
    return "\n".join(out)


def summary_html(lines: list[str], table: pd.DataFrame | None = None, *, digits: int = 3) -> str:
    """Return the same summary as HTML (for Jupyter's rich display)."""
    head = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    if table is None or not len(table.columns):
        return head
    return head + table.round(digits).to_html(max_rows=20, na_rep="")
