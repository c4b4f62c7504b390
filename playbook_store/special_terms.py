"""Free-text special terms -> structured requests, each pointing back at the text it came from.

Deterministic patterns only: the same text always yields the same requests, offline. Patterns are tried from the
most specific to the most general and a later match may not overlap an earlier one, so "indemnity capped at 3x"
is an indemnity request and not also a liability-cap request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from playbook_store.clauses import ClauseType, ParameterValue
from playbook_store.models import DealFacts, TermRequest, TextSpan

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty-five": 45,
    "forty-eight": 48,
    "sixty": 60,
    "seventy-two": 72,
    "seventy-five": 75,
    "ninety": 90,
    "one hundred twenty": 120,
    "twice": 2,
    "double": 2,
    "triple": 3,
    "one and a half": 1.5,
}
# A number in digits or words, optionally followed by its digits in brackets: "two (2)", "sixty (60)".
_NUM = (
    r"(?P<num>\d+(?:\.\d+)?|"
    + "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True))
    + r")(?:\s*\(\d+(?:\.\d+)?\))?"
)
_TIMES = r"\s*(?:x|×|times)\b"

# Adjectives and nouns customers use for jurisdictions, mapped to the names our templates use.
_JURISDICTION_ALIASES = {
    "german": "Germany",
    "germany": "Germany",
    "english": "England and Wales",
    "england": "England and Wales",
    "england and wales": "England and Wales",
    "uk": "England and Wales",
    "united kingdom": "England and Wales",
    "irish": "Ireland",
    "ireland": "Ireland",
    "dutch": "Netherlands",
    "netherlands": "Netherlands",
    "the netherlands": "Netherlands",
    "french": "France",
    "france": "France",
    "japanese": "Japan",
    "japan": "Japan",
    "singapore": "Singapore",
    "singaporean": "Singapore",
    "australian": "New South Wales",
    "new south wales": "New South Wales",
    "nsw": "New South Wales",
    "ontario": "Ontario",
    "canadian": "Ontario",
    "california": "California",
    "new york": "New York",
    "delaware": "Delaware",
    "texas": "Texas",
    "washington": "Washington",
    "massachusetts": "Massachusetts",
    "illinois": "Illinois",
}


def _number(text: str) -> float | int:
    text = text.lower().strip()
    value: float = _WORD_NUMBERS[text] if text in _WORD_NUMBERS else float(text)
    return int(value) if float(value).is_integer() else value


def _jurisdiction(raw: str) -> str:
    """Our name for a jurisdiction, or the customer's own words (title-cased) when we do not know it."""
    key = re.sub(r"\s+", " ", raw.strip().lower())
    key = re.sub(r"^(the )?(state|commonwealth|province|republic|federal republic) of ", "", key)
    return _JURISDICTION_ALIASES.get(key, raw.strip().title())


def _known_jurisdiction(raw: str) -> str | None:
    """For loose phrasings ("German law"): only names we recognise count."""
    name = _jurisdiction(raw)
    return name if name in _JURISDICTION_ALIASES.values() else None


@dataclass(frozen=True)
class _Pattern:
    clause_type: ClauseType
    parameter: str
    regex: re.Pattern[str]
    value: Callable[[re.Match[str]], ParameterValue | None]
    unlimited: bool = False


def _p(
    clause_type: ClauseType, parameter: str, pattern: str, value=None, unlimited: bool = False
) -> _Pattern:
    return _Pattern(
        clause_type,
        parameter,
        re.compile(pattern, re.IGNORECASE),
        value or (lambda m: _number(m.group("num"))),
        unlimited,
    )


def _renewal_months(m: re.Match[str]) -> int:
    amount = _number(m.group("num"))
    return int(amount * 12) if m.group("unit").lower().startswith("year") else int(amount)


_PATTERNS: list[_Pattern] = [
    # --- indemnity (before liability: "uncapped indemnity" must not read as uncapped liability) -------------
    _p(
        "indemnity",
        "cap_multiple",
        r"\b(?:uncapped|unlimited)\s+indemn\w*|\bindemn\w*(?:\s+obligations?)?\s+(?:shall\s+be\s+|to\s+be\s+|are\s+|is\s+)?"
        r"(?:uncapped|unlimited|without\s+(?:a\s+)?(?:cap|limit))",
        value=lambda m: None,
        unlimited=True,
    ),
    _p(
        "indemnity",
        "cap_multiple",
        r"\bindemn\w*[^.;\n]{0,40}?\b(?:cap(?:ped)?|limit(?:ed)?)\s+(?:at|of|to)\s+" + _NUM + _TIMES,
    ),
    # --- limitation of liability --------------------------------------------------------------------------
    _p(
        "limitation_of_liability",
        "cap_multiple",
        r"\b(?:uncapped|unlimited)\s+liabilit(?:y|ies)\b|\bno\s+(?:cap|limit(?:ation)?)\s+on\s+(?:\w+\s+){0,2}liability"
        r"|\bliability\s+(?:shall\s+be\s+|should\s+be\s+|to\s+be\s+|is\s+)?(?:uncapped|unlimited)",
        value=lambda m: None,
        unlimited=True,
    ),
    _p(
        "limitation_of_liability",
        "cap_multiple",
        r"\b(?:liability|LoL)\b[^.;\n]{0,40}?\b(?:cap(?:ped)?|limit(?:ed)?|raised|increased)\s*(?:at|of|to|by)?\s*"
        + _NUM
        + _TIMES,
    ),
    _p(
        "limitation_of_liability",
        "cap_multiple",
        r"\bcap\w*\s+(?:(?:our|their|its|the|total|aggregate|of)\s+)*liability\s+(?:at|to)\s+"
        + _NUM
        + _TIMES,
    ),
    _p(
        "limitation_of_liability",
        "cap_multiple",
        r"\b(?:liability|LoL)\s+cap\b[^.;\n]{0,20}?" + _NUM + _TIMES,
    ),
    # --- payment terms ------------------------------------------------------------------------------------
    _p("payment_terms", "days", r"\bnet[\s-]?(?P<num>\d{1,3})\b"),
    _p(
        "payment_terms",
        "days",
        r"\b(?:payment|invoices?|pay)\b[^.;\n]{0,30}?\b(?:within|in|of|due\s+in)\s+" + _NUM + r"\s*days\b",
    ),
    # --- SLA ----------------------------------------------------------------------------------------------
    _p(
        "sla",
        "uptime_percent",
        r"(?P<num>\d{2}(?:\.\d+)?)\s*%\s*(?:monthly\s+)?(?:uptime|availability|SLA|service\s+level)",
    ),
    _p(
        "sla",
        "uptime_percent",
        r"\b(?:uptime|availability|SLA|service\s+level)\b[^.;\n%]{0,40}?(?P<num>\d{2}(?:\.\d+)?)\s*%",
    ),
    # --- termination for convenience ----------------------------------------------------------------------
    _p(
        "termination",
        "notice_days",
        r"\bterminat\w*\s+(?:the\s+(?:agreement|contract)\s+)?(?:for|at\s+its|at)\s+convenience\b[^.;\n]{0,40}?"
        + _NUM
        + r"\s*days",
    ),
    _p(
        "termination",
        "notice_days",
        _NUM
        + r"\s*days'?\s*(?:prior\s+)?(?:written\s+)?notice[^.;\n]{0,30}?\bterminat\w*\s+for\s+convenience",
    ),
    _p(
        "termination",
        "notice_days",
        r"\bterminat\w*\s+(?:\w+\s+){0,3}for\s+convenience\b",
        value=lambda m: None,
    ),
    # --- governing law ------------------------------------------------------------------------------------
    _p(
        "governing_law",
        "jurisdiction",
        r"\b(?:governed\s+by|under|subject\s+to)\s+(?:the\s+)?laws?\s+of\s+(?P<where>(?:the\s+)?(?:(?:State|Commonwealth"
        r"|Province|Republic|Federal\s+Republic)\s+of\s+)?[A-Z][A-Za-z]*(?:\s+(?:and\s+)?[A-Z][A-Za-z]*){0,2})",
        value=lambda m: _jurisdiction(m.group("where")),
    ),
    _p(
        "governing_law",
        "jurisdiction",
        r"\b(?P<where>(?-i:[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?))\s+(?:governing\s+)?law\b",
        value=lambda m: _known_jurisdiction(m.group("where")),
    ),
    _p(
        "governing_law",
        "jurisdiction",
        r"\bgoverning\s+law\s*(?::|of|should\s+be|to\s+be|must\s+be)\s*(?P<where>[A-Z][A-Za-z]*(?:\s+(?:and\s+)?[A-Z][A-Za-z]*){0,2})",
        value=lambda m: _jurisdiction(m.group("where")),
    ),
    # --- renewal ------------------------------------------------------------------------------------------
    _p(
        "auto_renewal",
        "renewal_term_months",
        r"\bno\s+auto(?:matic)?[\s-]?renewal\b|\b(?:not|never)\s+(?:to\s+)?auto(?:matically)?[\s-]?renew\b"
        r"|\bwithout\s+(?:an?\s+)?auto(?:matic)?[\s-]?renewal\b|\bremove\s+(?:the\s+)?auto(?:matic)?[\s-]?renewal\b"
        r"|\bauto(?:matic)?[\s-]?renewal\s+(?:must|should|shall|to)\s+be\s+(?:removed|deleted|struck|excluded)\b"
        r"|\brenew\w*\s+(?:only\s+)?by\s+mutual\s+(?:written\s+)?agreement\b",
        value=lambda m: 0,
    ),
    _p(
        "auto_renewal",
        "renewal_term_months",
        r"\b(?:auto(?:matic(?:ally)?)?[\s-]?renew\w*|renewal\s+(?:term|period)s?)\b[^.;\n]{0,30}?"
        + _NUM
        + r"[\s-]*(?P<unit>months?|years?)\b",
        value=_renewal_months,
    ),
    # --- data protection ----------------------------------------------------------------------------------
    _p(
        "data_protection",
        "breach_notice_hours",
        r"\b(?:breach|incident)\w*\b[^.;\n]{0,60}?\b(?:within|in)\s+" + _NUM + r"\s*(?:hours?|hrs?)\b",
    ),
    # --- confidentiality ----------------------------------------------------------------------------------
    _p("confidentiality", "survival_years", r"\bconfidential\w*\b[^.;\n]{0,60}?" + _NUM + r"[\s-]*years?\b"),
    _p(
        "confidentiality",
        "survival_years",
        r"\b(?:perpetual|indefinite)\s+confidentiality\b|\bconfidentiality\s+(?:obligations\s+)?"
        r"(?:in\s+perpetuity|forever|indefinitely)",
        value=lambda m: None,
        unlimited=True,
    ),
]


def parse_special_terms(text: str) -> list[TermRequest]:
    """Structured requests found in `text`, in reading order, each with the span it was read from."""
    taken: list[tuple[int, int]] = []
    requests: list[TermRequest] = []
    for pattern in _PATTERNS:
        for match in pattern.regex.finditer(text or ""):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            value = pattern.value(match)
            if pattern.clause_type == "governing_law" and value is None:
                continue  # "Case law", "Governing law": a capitalised word before "law" that names no jurisdiction
            taken.append((start, end))
            requests.append(
                TermRequest(
                    clause_type=pattern.clause_type,
                    parameter=pattern.parameter,
                    value=value,
                    unlimited=pattern.unlimited,
                    span=TextSpan(start=start, end=end, text=match.group(0)),
                )
            )
    return sorted(requests, key=lambda r: r.span.start)


# (clause type, unlimited?) -> the DealFacts field a request fills.
_FACT_FIELDS: dict[tuple[ClauseType, bool], str] = {
    ("limitation_of_liability", False): "requested_liability_cap_multiple",
    ("limitation_of_liability", True): "uncapped_liability_requested",
    ("indemnity", False): "requested_indemnity_cap_multiple",
    ("indemnity", True): "uncapped_indemnity_requested",
    ("payment_terms", False): "payment_terms_days",
    ("sla", False): "sla_uptime_requested",
    ("termination", False): "termination_for_convenience_days",
    ("governing_law", False): "governing_law_requested",
    ("auto_renewal", False): "requested_auto_renewal_term_months",
    ("data_protection", False): "breach_notice_hours_requested",
    ("confidentiality", False): "confidentiality_years_requested",
}


def apply_requests(facts: DealFacts, requests: list[TermRequest]) -> tuple[DealFacts, dict[str, TextSpan]]:
    """Facts with special-terms requests filled in where the structured facts say nothing, plus each filled
    field's source span. Structured fields (from CRM) win: they are what the deal desk already saw."""
    updates: dict[str, object] = {}
    spans: dict[str, TextSpan] = {}
    for request in requests:
        if request.clause_type == "termination":
            updates.setdefault("termination_for_convenience_requested", True)
            spans.setdefault("termination_for_convenience_requested", request.span)
            if request.value is None:
                continue
        if request.clause_type == "confidentiality" and request.unlimited:
            continue  # no field for "perpetual"; clause choice reports it as beyond the playbook
        field = _FACT_FIELDS[(request.clause_type, request.unlimited)]
        current = getattr(facts, field)
        if current in (None, False) and field not in updates:
            updates[field] = True if request.unlimited else request.value
            spans[field] = request.span
    return facts.model_copy(update=updates), spans


_FRAGMENT = re.compile(r"[^.;\n]+")


def unmatched_fragments(text: str, requests: list[TermRequest] | None = None) -> list[TextSpan]:
    """Sentences or clauses of the special terms that no recognised request covers.

    Anything a rep asked for that the playbook cannot read must reach a human rather than vanish: the risk
    rules turn these into a finding. Fragments of fewer than three words ("Thanks", "N/A") are ignored.
    """
    requests = parse_special_terms(text) if requests is None else requests
    covered = [(r.span.start, r.span.end) for r in requests if r.span.end > r.span.start]
    unmatched = []
    for match in _FRAGMENT.finditer(text or ""):
        start, end = match.span()
        fragment = match.group(0)
        stripped = fragment.strip()
        if len(stripped.split()) < 3 or any(start < c_end and c_start < end for c_start, c_end in covered):
            continue
        offset = start + fragment.index(stripped)
        unmatched.append(TextSpan(start=offset, end=offset + len(stripped), text=stripped))
    return unmatched
