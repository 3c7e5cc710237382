"""Text that is safe to show: bounded echoes of user values, no terminal control sequences.

Error messages repeat the value that was wrong; a 1 MB value or a 100k-character rule must not
come back whole, and an approach name with an ANSI or OSC escape must not reach a terminal as
one. Spreadsheet safety of output cells lives in :mod:`matchkit._output`.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["ECHO_LIMIT", "clip_repr", "clip_text", "escape_control"]

ECHO_LIMIT: Final = 200
"""At most this many characters of a user value are echoed in a message."""

# C0 controls except newline and tab, DEL, and the C1 controls (CSI, OSC, ...).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clip_text(text: str, limit: int = ECHO_LIMIT) -> str:
    """Return ``text``, cut to ``limit`` characters with a note of its full length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


def clip_repr(value: Any, limit: int = ECHO_LIMIT) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters, without building a huge repr.

    A long string or container is cut before ``repr`` so the cost is bounded too.
    """
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters in all)"
    if isinstance(value, list | tuple | dict | set) and len(value) > limit:
        return f"<{type(value).__name__} of {len(value):,} items>"
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return clip_text(text, limit)


def escape_control(text: str) -> str:
    r"""Replace terminal control characters (ANSI/OSC escapes, bells) with ``\xNN`` text."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
