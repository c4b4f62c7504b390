"""Parsing a request body as JSON with a bound on nesting, so hostile input is a 4xx and never a crash.

Python's json module recurses once per nesting level: 100,000 nested brackets raise RecursionError (a 500)
instead of a parse error. Our bodies are flat, so anything nested deeper than MAX_DEPTH is refused, and
the check happens before parsing.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
# Strings (with their escapes) are skipped whole, so brackets inside them do not count.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JsonBodyError(ValueError):
    """The body is not JSON, or is nested deeper than any of our bodies can be."""


def nesting_depth(raw: bytes) -> int:
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest  # deep enough to refuse; no need to scan the rest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def json_body(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    if nesting_depth(raw) > max_depth:
        raise JsonBodyError(f"nested more than {max_depth} levels deep")
    try:
        return json.loads(raw or b"null")
    except (ValueError, RecursionError) as exc:
        raise JsonBodyError(str(exc)) from None
