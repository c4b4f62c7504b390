"""Commercial terms: payment terms (net days), fees, total contract value, obligations and SLAs."""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.durations import DURATION, duration_from_match, number_value
from extraction.money import MONEY, money_from_match
from extraction.spans import Found, sentence_bounds

_NET = re.compile(r"\bnet\s+(?:(\d{1,3})|(\w+)\s*(?:\((\d{1,3})\))?\s+days)\b", re.IGNORECASE)
_INVOICE_WITHIN = re.compile(
    r"\b(?:pay\w*|paid|due|remit\w*)\s+(?:\w+[\s,]+){0,8}?within\s+(?P<span>[\w\s()-]{1,30}?days)\s+(?:\w+\s+){0,2}?"
    r"(?:after|of|from|following|upon)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:receipt|date|issuance)\s+(?:of\s+)?(?:\w+\s+)"
    r"{0,3}?invoice", re.IGNORECASE)


def payment_terms(text: str) -> Found | None:
    for match in _NET.finditer(text):
        days = match.group(1) or match.group(3) or (str(number_value(match.group(2)) or "") if match.group(2) else "")
        if days and int(days) > 0:
            start, end = sentence_bounds(text, match.start(), 400)
            return Found(int(days), start, end)
    for match in _INVOICE_WITHIN.finditer(text):
        period = DURATION.search(match.group("span"))
        value = duration_from_match(period) if period else None
        if value and value.endswith("D"):
            start, end = sentence_bounds(text, match.start(), 400)
            return Found(int(value[1:-1]), start, end)
    return None


_FEE_CONTEXT = re.compile(r"\b(?:fees?|price|payment|pay|royalt\w*|compensation|consideration|purchase|charge|cost)\b",
                          re.IGNORECASE)
_TOTAL = re.compile(r"\btotal\s+(?:contract\s+)?(?:value|price|consideration|fees?|amount|compensation|cost)\b",
                    re.IGNORECASE)


def fees(text: str, limit: int = 25) -> tuple[list[Found], Found | None]:
    """Amounts stated in fee/price sentences (each with its sentence) and the stated total, if any."""
    found: list[Found] = []
    total: Found | None = None
    for match in MONEY.finditer(text):
        parsed = money_from_match(match)
        if not parsed or parsed[0] <= 0:
            continue
        start, end = sentence_bounds(text, match.start(), 300)
        is_total = bool(_TOTAL.search(text, start, end))
        if not (is_total or _FEE_CONTEXT.search(text, start, end)):
            continue
        item = Found(parsed, match.start(), match.end())
        if total is None and is_total:
            total = item
        if len(found) < limit:
            found.append(item)
    return found, total


_OBLIGATION = re.compile(
    r"\b(?:shall|will|must|agrees?\s+to)\s+(?:\w+\s+){0,3}?(?:provide|deliver|submit|furnish|pay|maintain|respond|"
    r"report|send|notify|resolve|perform|supply|ship|remit)\b", re.IGNORECASE)
_RECURRENCE = [
    (re.compile(r"\b(?:daily|each\s+day|every\s+day)\b", re.IGNORECASE), "daily"),
    (re.compile(r"\b(?:weekly|each\s+week|every\s+week)\b", re.IGNORECASE), "weekly"),
    (re.compile(r"\b(?:monthly|each\s+(?:calendar\s+)?month|every\s+month)\b", re.IGNORECASE), "monthly"),
    (re.compile(r"\b(?:quarterly|each\s+(?:calendar\s+)?quarter|every\s+quarter)\b", re.IGNORECASE), "quarterly"),
    (re.compile(r"\b(?:annually|yearly|each\s+(?:calendar\s+)?year|every\s+year)\b", re.IGNORECASE), "annually"),
]
# Response-time SLAs are stated in hours: "within four (4) hours", "within 24 hours".
_HOURS = re.compile(r"(?:\w+\s*\(\s*(\d+)\s*\)|(\d+))\s*(?:business\s+)?hours?\b", re.IGNORECASE)
_WITHIN = re.compile(r"\bwithin\s+", re.IGNORECASE)
_SLA = re.compile(r"\b(\d{2}(?:\.\d+)?)\s*%\s*(?:\w+\s+){0,3}?(?:uptime|availability|available|of\s+the\s+time)|"
                  r"\b(?:uptime|availability)\s+(?:\w+\s+){0,6}?(\d{2}(?:\.\d+)?)\s*%", re.IGNORECASE)
_SUBJECT = re.compile(r"(?:[\"“]?([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})[\"”]?)\s+(?:shall|will|must|agrees?)\s*$")


def obligations(text: str, party_aliases: dict[str, str], limit: int = 50) -> list[tuple[Found, str | None, str | None,
                                                                              str | None, Decimal | None]]:
    """(sentence, obligated party, due period, recurrence, SLA percent) for timed or recurring duties."""
    results = []
    seen: set[int] = set()
    for match in _OBLIGATION.finditer(text):
        start, end = sentence_bounds(text, match.start(), 500)
        if start in seen:
            continue
        seen.add(start)
        due = None
        within = _WITHIN.search(text, match.start(), end)
        if within and (period := DURATION.match(text, within.end())):
            due = duration_from_match(period)
        elif within and (hours := _HOURS.match(text, within.end())):
            due = f"PT{hours.group(1) or hours.group(2)}H"
        recurrence = next((name for pattern, name in _RECURRENCE if pattern.search(text, start, end)), None)
        sla = _SLA.search(text, start, end)
        sla_percent = Decimal(sla.group(1) or sla.group(2)) if sla else None
        if not (due or recurrence or sla_percent):
            continue
        subject = _SUBJECT.search(text, max(start, match.start() - 80), match.start() + len(match.group(0).split()[0]))
        party = _resolve_party(subject.group(1), party_aliases) if subject else None
        results.append((Found(text[start:end].strip()[:300], start, end), party, due, recurrence, sla_percent))
        if len(results) >= limit:
            break
    return results


def _resolve_party(subject: str, party_aliases: dict[str, str]) -> str | None:
    """The subject of "X shall ..." as a party's name when X is its name or defined role."""
    lowered = subject.lower().removeprefix("the ").strip()
    for alias, name in party_aliases.items():
        if lowered == alias or lowered.endswith(" " + alias):
            return name
    return None

