"""Text cut to fit a chat service's limits, so an over-long field shortens the message instead of losing it."""

from __future__ import annotations

import re

ELLIPSIS = "…"
_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Whitespace (newlines from a quoted clause included) collapsed to single spaces."""
    return _SPACE.sub(" ", text).strip()


def clip(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start and an ellipsis, `limit` characters in all."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS
