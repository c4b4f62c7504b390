"""What in a piece of text could act on a reader rather than inform one: instructions, links, markup, formulas.

Contract text and CRM free text reach models, Salesforce fields and Ironclad attributes. Text that addresses an
AI system ("ignore previous instructions"), carries a link or a script, or starts like a spreadsheet formula
(`=HYPERLINK(...)`, `@SUM`, `+cmd`) is not language a clause needs; finding it is the point, and deciding what
to do with it belongs to the caller (a review finding, or `neutralise`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel

HazardKind = Literal["instruction", "link", "markup", "formula"]

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|previous\s+|prior\s+|above\s+|"
    r"earlier\s+|preceding\s+)*(?:instructions?|prompts?|rules|guidelines|directions|context)\b"
    r"|\b(?:system|developer)\s+(?:prompt|message|instructions?)\b"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chatbot|gpt)\b"
    r"|\b(?:as\s+an\s+ai|new\s+instructions?|do\s+not\s+(?:flag|report|mention|tell)|"
    r"(?:auto-?)?approve\s+(?:this|the)\s+(?:deal|contract|draft|request|plan))\b"
    r"|\b(?:respond|reply|answer|output)\s+only\s+with\b",
    re.IGNORECASE)
_LINK = re.compile(r"\b(?:https?|ftp|file|javascript|data|vbscript)\s*:|\bwww\.[a-z0-9-]+\.|\bmailto:",
                   re.IGNORECASE)
_MARKUP = re.compile(r"</?[a-z][a-z0-9]*(?:\s[^<>]*)?/?>|\[[^\]\n]{1,200}\]\([^)\s]{1,500}\)|\bon[a-z]+\s*=\s*[\"']",
                     re.IGNORECASE)
# A cell a spreadsheet would evaluate: = + @ (and - before a non-space, since "- item" is a bullet), per line.
_FORMULA = re.compile(r"^[ \t]*(?:[=+@]|-(?=[^\s\d]))", re.MULTILINE)


class Hazard(BaseModel):
    kind: HazardKind
    start: int
    end: int
    text: str


def find_hazards(text: str) -> list[Hazard]:
    """Each hazard in `text`, in order of position."""
    found = [Hazard(kind=kind, start=m.start(), end=m.end(), text=m.group(0)[:120])
             for kind, pattern in (("instruction", _INSTRUCTION), ("link", _LINK), ("markup", _MARKUP),
                                   ("formula", _FORMULA))
             for m in pattern.finditer(text)]
    return sorted(found, key=lambda h: (h.start, h.kind))


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a value (a line-item list, a counterparty object): each is text someone may render."""
    if isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, str):
        yield value


def describe(hazards: list[Hazard]) -> str:
    """"instruction, link ('Ignore previous instructions', 'https:')": every kind, then a few examples."""
    kinds = list(dict.fromkeys(h.kind for h in hazards))
    examples = ", ".join(repr(h.text.strip()) for h in hazards[:3])
    return f"{', '.join(kinds)} ({examples}{', …' if len(hazards) > 3 else ''})"
