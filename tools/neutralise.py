"""Text bound for Salesforce or Ironclad, made inert where a field could be rendered or exported.

- A value that a spreadsheet would evaluate when a report is exported (starting with = + - @, a tab or a
  carriage return) gets a leading apostrophe, OWASP's advice for CSV injection; a Composite reference
  (`@{ref.id}`) and a plain signed number are left alone.
- Markup is dropped: script and style blocks whole, other tags leaving their text; `javascript:` links lose
  their scheme. Salesforce escapes text fields on its own pages, but rich text fields, email templates and
  Ironclad's generated documents may not.
The same text always neutralises the same way, so a plan compared with what Salesforce holds shows no change
on a rerun.
"""

from __future__ import annotations

import re

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_REFERENCE = re.compile(r"^@\{[A-Za-z][A-Za-z0-9_]*\.[A-Za-z0-9_]+\}$")
_SIGNED_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
_SCRIPT_BLOCK = re.compile(r"<\s*(script|style|iframe|object)\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>", re.IGNORECASE)
_SCRIPT_SCHEME = re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def neutralise(text: str) -> str:
    """`text` with markup dropped and a formula start defused; unchanged when it has neither."""
    cleaned = _SCRIPT_SCHEME.sub("", _TAG.sub("", _SCRIPT_BLOCK.sub("", text)))
    if _FORMULA_START.match(cleaned) and not _REFERENCE.match(cleaned) and not _SIGNED_NUMBER.match(cleaned):
        cleaned = "'" + cleaned
    return cleaned


def neutralise_value(value: object) -> object:
    """Strings neutralised; numbers, booleans, dates and None pass unchanged."""
    return neutralise(value) if isinstance(value, str) else value
