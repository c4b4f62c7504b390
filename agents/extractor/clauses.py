"""Clause-level terms: governing law, cap on liability (CUAD's broad sense), termination for convenience."""

from __future__ import annotations

import re
from decimal import Decimal

from agents.extractor.jurisdictions import COUNTRIES, JURISDICTION, canonical_jurisdiction
from agents.extractor.money import MONEY, money_from_match
from agents.extractor.spans import sentence_bounds
from agents.extractor.term import Found

_LAW_CUE = re.compile(
    r"\b(?:govern\w*|constru\w+|interpret\w*|enforc\w+)\s+(?:\w+\s+){0,12}?(?:by|under|in\s+accordance\s+with|"
    r"pursuant\s+to)\s+(?:\w+\s+){0,6}?(?:laws?|law)\b|\bgoverning\s+law\b|\blaws?\s+of\s+(?:the\s+)?"
    r"(?:state|province|commonwealth)\s+of\b",
    re.IGNORECASE,
)
_LAWS_OF = re.compile(r"\blaws?\b", re.IGNORECASE)


def governing_law(text: str) -> Found | None:
    fallback: Found | None = None
    seen: set[int] = set()
    for cue in _LAW_CUE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 600)
        if start in seen:
            continue
        seen.add(start)
        sentence = text[start:end]
        if re.search(r"\b(?:incorporated|organized|existing)\s+under\s+the\s+laws?", sentence, re.IGNORECASE) and \
                not re.search(r"\bgovern", sentence, re.IGNORECASE):
            continue
        law = _LAWS_OF.search(text, cue.start(), end)
        if law is None:
            continue
        name = _jurisdiction_after(text, law.end(), min(end, law.end() + 220))
        if name is None:
            continue
        found = Found(name, start, end)
        if re.search(r"\bgovern", sentence, re.IGNORECASE):
            return found
        fallback = fallback or found
    return fallback


def _jurisdiction_after(text: str, start: int, end: int) -> str | None:
    """First state or province after "laws of"; a country only when no state/province follows it."""
    names = [canonical_jurisdiction(m.group(0)) for m in JURISDICTION.finditer(text, start, end)]
    names = [n for n in names if n]
    if not names:
        return None
    for name in names[:3]:
        if name not in COUNTRIES:
            return name
    return names[0]


# Ordered strongest first: a stated maximum beats an exclusion of damages, which beats a bare heading.
_CAP_CUES = [
    (re.compile(r"\b(?:in\s+no\s+event|under\s+no\s+circumstances)\s+(?:shall|will)\s+(?:[\w'’]+\s+){0,10}?liabilit\w*"
                r"\s+(?:\w+\s+){0,12}?exceed", re.IGNORECASE), "amount"),
    (re.compile(r"\b(?:aggregate|total|cumulative|maximum|entire|collective)\s+(?:\w+\s+){0,4}?liabilit\w*\s+(?:\w+\s+)"
                r"{0,30}?(?:shall|will|may)\s+(?:not|in\s+no\s+event)\s+(?:\w+\s+){0,3}?exceed", re.IGNORECASE), "amount"),
    (re.compile(r"\bliabilit\w*\s+(?:\w+\s+){0,30}?(?:shall|will|may)\s+(?:not|in\s+no\s+event)\s+(?:\w+\s+){0,3}?"
                r"exceed", re.IGNORECASE), "amount"),
    (re.compile(r"\bliabilit\w*\s+(?:\w+\s+){0,20}?(?:is|are|shall\s+be|will\s+be)\s+limited\s+to\b", re.IGNORECASE),
     "amount"),
    (re.compile(r"\b(?:in\s+no\s+event|under\s+no\s+circumstances)\s+(?:shall|will)\s+(?:\w+[\s,]+){0,12}?(?:be\s+)?"
                r"(?:liable|responsible)", re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:shall|will)\s+not\s+(?:\w+\s+){0,2}?be\s+(?:liable|responsible)\s+(?:\w+[\s,]+){0,20}?(?:indirect|"
                r"incidental|special|consequential|punitive|exemplary|lost\s+profits)", re.IGNORECASE),
     "excluded_damages"),
    (re.compile(r"\b(?:no|neither)\s+(?:\w+\s+){0,2}?(?:shall|will)\s+(?:\w+\s+){0,2}?be\s+(?:liable|responsible)\s+"
                r"(?:\w+[\s,]+){0,20}?(?:indirect|incidental|special|consequential|punitive|exemplary)", re.IGNORECASE),
     "excluded_damages"),
    (re.compile(r"\bno\s+(?:action|claim|suit|proceeding)s?\s+(?:\w+[\s,]+){0,20}?may\s+be\s+(?:brought|commenced|"
                r"instituted)\s+(?:\w+[\s,]+){0,12}?more\s+than", re.IGNORECASE), "claim_time_limit"),
    (re.compile(r"\blimitations?\s+(?:of|on)\s+(?:\w+\s+)?liabilit", re.IGNORECASE), "excluded_damages"),
]
_MULTIPLE = re.compile(r"\b(\w+)\s+(?:\(\d+\)\s+)?times\s+the\s+(?:\w+\s+){0,4}?(?:fees|amounts?|price)", re.IGNORECASE)
_FEES_PAID = re.compile(r"\b(?:amounts?|fees|sums|price|charges)\s+(?:\w+\s+){0,6}?(?:paid|payable)", re.IGNORECASE)
_MULTIPLE_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "1.5": 1.5, "2": 2, "3": 3}


def liability_cap(text: str) -> tuple[Found, Found | None, Decimal | None] | None:
    """(kind, amount match as Found of (Decimal, currency) or None, multiple or None) for the strongest cap clause."""
    hit = next(((m, k) for pattern, k in _CAP_CUES if (m := pattern.search(text))), None)
    if hit is None:
        return None
    match, kind = hit
    start, end = sentence_bounds(text, match.start(), 700)
    money: Found | None = None
    multiple: Decimal | None = None
    if kind == "amount":
        if amount := MONEY.search(text, start, end):
            parsed = money_from_match(amount)
            money = Found(parsed, amount.start(), amount.end()) if parsed else None
        elif times := _MULTIPLE.search(text, start, end):
            factor = _MULTIPLE_WORDS.get(times.group(1).lower())
            kind, multiple = ("multiple_of_fees", Decimal(str(factor))) if factor else (kind, None)
        elif _FEES_PAID.search(text, start, end):
            kind = "fees_paid"
    return Found(kind, start, end), money, multiple


_CONVENIENCE = re.compile(
    r"\bterminat\w*\s+(?:this\s+(?:agreement|contract)\s+|the\s+(?:agreement|services)\s+)?(?:\w+[\s,]+){0,8}?"
    r"(?:for\s+(?:any\s+reason|no\s+reason|convenience|any\s+or\s+no\s+reason)|without\s+(?:cause|reason)|"
    r"at\s+(?:any\s+time\s+)?(?:its|their)\s+(?:sole\s+)?(?:discretion|convenience))",
    re.IGNORECASE,
)


def termination_for_convenience(text: str) -> Found | None:
    match = _CONVENIENCE.search(text)
    if not match:
        return None
    start, end = sentence_bounds(text, match.start(), 600)
    return Found(True, start, end)
