"""CRM and contract text placed in a prompt as a quoted data block it cannot break out of."""

from __future__ import annotations

import json


def as_data(text: str | None) -> str:
    """`text` as a JSON string inside <data> tags: quotes and newlines escaped, and every "<" as \\u003c, so a
    forged "</data>" or "<data>" inside it is no tag."""
    return "<data>" + json.dumps(text or "", ensure_ascii=False).replace("<", "\\u003c") + "</data>"
