"""Parties from the preamble: "... by and between NAME, a Delaware corporation ("Alias"), and NAME ..."."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.jurisdictions import JURISDICTION, canonical_jurisdiction

_PREAMBLE_CHARS = 8000
_INTRO = re.compile(r"\b(?:by\s+and\s+between|by\s+and\s+among|between|among)\b\s*:?", re.IGNORECASE)
_SEGMENT_END = re.compile(
    r"\bW\s*H\s*E\s*R\s*E\s*A\s*S\b|\bRECITALS?\b|\bW\s*I\s*T\s*N\s*E\s*S\s*S\s*E\s*T\s*H\b|\bNOW,?\s+THEREFORE\b|"
    r"\bBACKGROUND\b|\bPREAMBLE\b|\bIN\s+CONSIDERATION\b|\bThe\s+parties\s+(?:hereby\s+)?agree|"
    r"\.[\"”)]?[ \t]*(?:\n|$)|\n\s*(?:1\.|ARTICLE|Section\s+1)\s",
)
# A list of three or more parties separates with commas after each one's defined name: '("Farids"), Edible ...'.
_SEPARATOR = re.compile(
    r"(?:[,)”\"]\s*|\s+)and\s+(?=[A-Z0-9\"“])|[,)”\"]\s*&\s+|;\s*(?:and\s+)?|[)”\"]\s*,\s+(?=[A-Z])(?!Inc\b|LLC\b|Ltd\b)|\n\s*(?:AND|and|And)\s*:?\s*\n"
    r"|\n\s*\n\s*(?=\d\.\s|\(\d\)\s|[A-Z][A-Za-z]+\s*:)",
)
_SUFFIX = (r"(?:Inc|Incorporated|Ltd|Limited|LLC|L\.L\.C|Corp|Corporation|Co|N\.A|S\.A|S\.A\.S|L\.P|LP|LLP|PLC|plc|"
           r"GmbH|AG|B\.V|N\.V|S\.p\.A|S\.r\.l|S\.R\.L|Pty|SE|SAS|P\.C|PC|Limited\s+Partnership|LTD|INC|CORP|"
           r"CORPORATION|LIMITED|S/A|G\.I\.E|Sdn\.?\s+Bhd|KG|AB|A/S|ASA|Oy|BV|NV|SpA|SRL)\b\.?")
_NAME_END = re.compile(
    rf",(?!\s*{_SUFFIX})|\s*\(|\s*[\"“”]|\n[ \t]*\n|\s+(?:a|an)\s+(?=[a-zA-Z])|\s+(?:having|with|whose|located|organized|"
    r"incorporated|residing|acting|doing|hereinafter|herein|its|which|that|on\s+behalf|as\s+(?:agent|trustee))\b"
    r"|\s{3,}|\s+-\s|\s*:\s",
)
_CONNECTORS = {"of", "and", "de", "du", "des", "la", "le", "for", "the", "y", "e", "und", "van", "von", "der", "da",
               "di", "del", "s.a.", "s.r.l.", "s.p.a.", "plc", "inc.", "inc", "ltd.", "co.", "gmbh", "n.a.", "l.p."}
_ALIAS = re.compile(r"[\"“”']\s*([^\"“”'\n]{1,60}?)\s*[\"“”']")
_GENERIC = re.compile(
    r"^(?:the\s+)?(?:company|companies|party|parties|each|both|either|licensee|licensor|distributor|supplier|"
    r"customer|client|vendor|contractor|consultant|manufacturer|buyer|seller|purchaser|undersigned|agent|"
    r"franchisee|franchisor|you|we|us|it|them|following|other|between|below|dated|this|its\s+affiliates)\b.*$",
    re.IGNORECASE,
)
_ENTITY = re.compile(
    rf"\b[A-Z][\w&.'’-]*(?:\s+(?:[A-Z(][\w&.'’()-]*|de|of|and|&|y|du|la|le)){{0,6}},?\s+{_SUFFIX}",
)


@dataclass(frozen=True)
class PartyMatch:
    name: str
    start: int
    end: int
    role: str | None
    quote_end: int


def _clean_name(chunk: str, offset: int) -> tuple[str, int, int] | None:
    lead = re.match(r"[\s:,.*\-]*(?:and\s+|the\s+party\s+of\s+the\s+\w+\s+part,?\s*)?", chunk)
    start = lead.end() if lead else 0
    cut = _NAME_END.search(chunk, start)
    end = cut.start() if cut else len(chunk)
    name = chunk[start:end].rstrip(" ,;:-")
    end = start + len(name)
    words = name.split()
    if not name or not 1 <= len(words) <= 12 or not re.match(r"[A-Z0-9]", name):
        return None
    if _GENERIC.match(name) or not re.search(r"[A-Za-z]{2}", name) or re.search(r"_{3,}|\[\*+\]|X{4,}", name):
        return None
    if re.search(r"\b(?:agreement|dated|day\s+of|made|entered|effective|source|whereas)\b", name, re.IGNORECASE):
        return None
    # A name is capitalised; lower-case words beyond connectors mean we caught a phrase ("X is referred to").
    if any(w[0].islower() and w.lower() not in _CONNECTORS for w in words):
        return None
    if canonical_jurisdiction(name):
        return None
    return name, offset + start, offset + end


def _role(chunk: str, after: int) -> tuple[str | None, int]:
    match = _ALIAS.search(chunk, after, min(len(chunk), after + 250))
    if not match:
        return None, after
    role = match.group(1).strip(" ,")
    closing = chunk.find(")", match.end())
    quote_end = closing + 1 if 0 <= closing - match.end() <= 80 else match.end()
    return role or None, quote_end


def find_parties(text: str) -> list[PartyMatch]:
    head = text[:_PREAMBLE_CHARS]
    for intro in _INTRO.finditer(head):
        stop = _SEGMENT_END.search(head, intro.end() + 1)
        seg_end = min(stop.start() + 1 if stop else len(head), intro.end() + 2500)
        parties = _split_parties(text, intro.end(), seg_end)
        if len(parties) >= 2:
            return parties[:6]
    return _entity_fallback(text)


# What may end the first of two names joined by a bare "and": a legal form, or the place closing its address.
_NAME_THEN_AND = re.compile(r"(?:" + _SUFFIX + r"|(?i:" + JURISDICTION.pattern + r"))\s*$")


def _split_parties(text: str, start: int, end: int) -> list[PartyMatch]:
    parties: list[PartyMatch] = []
    cursor = start
    # A bare " and " splits two names only after a legal form ("Acme Inc. and Beta LLC"); otherwise it is part of
    # one name ("ExxonMobil Research and Engineering Company", "Institute of Grassland and Environmental Research").
    boundaries = [m for m in _SEPARATOR.finditer(text, start, end)
                  if not re.fullmatch(r"\s+and\s+", m.group(0))
                  or _NAME_THEN_AND.search(text, max(start, m.start() - 40), m.start())] + [None]
    for separator in boundaries:
        chunk_end = separator.start() if separator else end
        chunk = text[cursor:chunk_end]
        cleaned = _clean_name(chunk, cursor)
        if cleaned:
            name, name_start, name_end = cleaned
            role, quote_end = _role(chunk, name_end - cursor)
            # Beyond two parties, demand the marks of a party: a legal form or a defined role.
            credible = len(parties) < 2 or role or re.search(_SUFFIX + r"\s*$", name)
            if credible and all(p.name.lower() != name.lower() for p in parties):
                parties.append(PartyMatch(name, name_start, name_end, role, cursor + quote_end))
        if separator:
            cursor = separator.end()
    return parties


def _entity_fallback(text: str) -> list[PartyMatch]:
    """No "between" clause: take distinct company names (with a legal-form suffix) near the top."""
    parties: list[PartyMatch] = []
    for match in _ENTITY.finditer(text, 0, min(len(text), 3000)):
        # A name never runs across a blank line: what comes before one is a heading or a cover-page line.
        lines = re.split(r"\n\s*\n", match.group(0))
        start = match.start() + len(match.group(0)) - len(lines[-1])
        name = lines[-1].strip()
        start += len(lines[-1]) - len(lines[-1].lstrip())
        if not name or _GENERIC.match(name) or any(p.name.lower() == name.lower() for p in parties):
            continue
        parties.append(PartyMatch(name, start, start + len(name), None, start + len(name)))
        if len(parties) == 2:
            break
    return parties
