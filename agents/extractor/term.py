"""Dates and the life of the contract: agreement / effective / expiration dates, initial term, renewal, notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from agents.extractor.dates import DateMatch, add_duration, find_dates
from agents.extractor.durations import DURATION, duration_from_match
from agents.extractor.spans import sentence_bounds


@dataclass(frozen=True)
class Found:
    """A value and the span that states it (the citation is built from the span later)."""

    value: object
    start: int
    end: int


_HEAD_CHARS = 3000
_DATE_CUE = re.compile(r"\b(?:dated|as\s+of|made|entered|effective|day\s+of|this|executed|date[d:]?)\b[^.]{0,80}$",
                       re.IGNORECASE)
_DATED = re.compile(r"\b(?:dated|made|entered\s+into|executed)\s+(?:on\s+|as\s+of\s+)?(?:this\s+)?", re.IGNORECASE)
# A defined term counts anywhere; plain "effective as of" only in the preamble, where it dates the contract.
_EFFECTIVE_DEFINED = re.compile(r"[\"“]Effective\s+Date[\"”]|\bEffective\s+Date\s*(?::|means|shall\s+(?:mean|be))",
                                re.IGNORECASE)
_EFFECTIVE_HEAD = re.compile(r"\beffective\s+(?:as\s+of|on|from|date)\b|\bcommenc\w*\s+(?:on|as\s+of|effective)\b",
                             re.IGNORECASE)
_SIGNATURE = re.compile(r"IN\s+WITNESS\s+WHEREOF|\bSignature|\bDate:", re.IGNORECASE)
_EFFECTIVE_IS_SIGNING = re.compile(
    r"(?:date\s+(?:first\s+)?(?:written|set\s+forth)\s+above|date\s+hereof|date\s+of\s+this\s+agreement)",
    re.IGNORECASE)
_EFFECTIVE_IS_EVENT = re.compile(
    r"Effective\s+Date[\"”]?\s*(?:\)\s*)?(?:shall\s+)?(?:means?|be|is)\s+(?:the\s+)?(?:later|date\s+(?:on|upon)\s+which|"
    r"first\s+date|date\s+of\s+(?:the\s+)?(?:last|final|later|closing|approval|receipt))", re.IGNORECASE)


def agreement_date(text: str) -> Found | None:
    head_end = min(len(text), _HEAD_CHARS)
    dates = find_dates(text, 0, head_end)
    cued = [d for d in dates if _DATE_CUE.search(text, max(0, d.start - 120), d.start)]
    chosen: DateMatch | None = (cued or dates or [None])[0]
    if chosen is None:
        # No date up front: undated preambles are dated where the parties sign.
        signing = _SIGNATURE.search(text, len(text) * 2 // 3)
        tail = find_dates(text, signing.start() if signing else len(text) * 4 // 5)
        chosen = tail[0] if tail else None
    if chosen is None:
        for cue in _DATED.finditer(text):
            near = find_dates(text, cue.end(), min(len(text), cue.end() + 60))
            if near:
                chosen = near[0]
                break
    if chosen is None:
        return None
    return Found(chosen.value, *_quote_span(text, chosen))


def _effective_cues(text: str) -> list[re.Match[str]]:
    cues = [*_EFFECTIVE_HEAD.finditer(text, 0, min(len(text), _HEAD_CHARS)), *_EFFECTIVE_DEFINED.finditer(text)]
    return sorted(cues, key=lambda m: m.start())


def effective_date(text: str, agreement: Found | None) -> Found | None:
    for cue in _effective_cues(text):
        start, end = sentence_bounds(text, cue.start(), 500)
        if _EFFECTIVE_IS_EVENT.search(text, start, end):
            return None
        dates = find_dates(text, max(start, cue.start() - 200), min(end, cue.end() + 200))
        if dates:
            nearest = min(dates, key=lambda d: min(abs(d.start - cue.end()), abs(d.end - cue.start())))
            return Found(nearest.value, *_quote_span(text, nearest))
        if cue.start() > _HEAD_CHARS * 2 and agreement:
            break
    # Most contracts take effect on the date they are made ("as of the date first written above").
    return agreement


def _quote_span(text: str, found: DateMatch) -> tuple[int, int]:
    """A quote with the words that give the date its meaning, not just the bare date."""
    start, end = sentence_bounds(text, found.start, 250)
    return max(start, found.start - 160), min(end, found.end + 60)


_TERM_CUE = re.compile(
    r"\b(?:initial\s+term|term\s+of\s+(?:this|the)\s+(?:agreement|contract)|(?:agreement|contract)\s+(?:shall|will)|"
    r"[\"“]?term[\"”]?\s*(?:\)|shall|will|is)|(?:shall|will)\s+(?:commence|begin|become\s+effective)|valid\s+for|"
    r"duration\s+of|[\"“](?:Expiration|Termination|End)\s+Date[\"”]\s+(?:means|shall\s+mean)|contract\s+(?:period|end)|"
    r"expir\w+\s+on)",
    re.IGNORECASE,
)
# The sentence must say how long the contract lives, not merely mention its term.
_LIFESPAN = re.compile(
    r"\b(?:continu\w*|remain\w*|in\s+(?:full\s+)?(?:force|effect)|expir\w*|terminat\w*\s+(?:on|as\s+of)|end\w*|conclud\w*|"
    r"run|valid|duration|term\s+(?:of|shall|will|is)|anniversary|means)\b", re.IGNORECASE)
_NOT_LIFESPAN = re.compile(r"^\W*(?:\(?\w{1,3}[.)]\s+)?(?:during|throughout|for|within|after|following|upon|in\s+the\s+event)\b",
                           re.IGNORECASE)
_TERM_HEADING = re.compile(r"(?:^|\n)[ \t]*(?:(?:ARTICLE|Article|Section|SECTION)\s+[\dIVX]+[.:]?|\d+(?:\.\d+)*[.)]?)?[ \t]*"
                           r"(?:TERM|Term|DURATION|Duration|Term\s+of\s+(?:the\s+)?Agreement|TERM\s+OF\s+(?:THE\s+)?AGREEMENT|"
                           r"Term\s+and\s+Termination|TERM\s+AND\s+TERMINATION)\b\s*[.:\n]")
_UNTIL_DATE = re.compile(r"\b(?:until|through|expir\w*|ending|end|conclud\w*|terminat\w*|thru|means|to)\s+(?:on\s+)?"
                         r"(?:and\s+including\s+)?(?:the\s+)?$", re.IGNORECASE)
_PERPETUAL = re.compile(
    r"\b(?:perpetu\w+|indefinite\w*|until\s+(?:(?:it\s+is\s+|so\s+)?terminated|the\s+termination|termination|"
    r"such\s+time\s+as|either\s+party\s+terminates|this\s+agreement\s+is\s+terminated)|unless\s+and\s+until\s+terminated|"
    r"in\s+perpetuity|no\s+fixed\s+term|(?:end|expire)\s+when\s+terminated)\b", re.IGNORECASE)
_ANCHOR_OTHER = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:from|after|following|of)\s+(?:the\s+)?(?:date\s+of\s+)?(?:first|initial|launch|commercial|"
    r"completion|acceptance|delivery|regulatory|approval|closing|receipt|installation|opening|expiration|"
    r"termination|last|such)", re.IGNORECASE)
_NOTICE_CONTEXT_BEFORE = re.compile(r"(?:notice|within|at\s+least|no\s+(?:less|later|more)\s+than|not\s+less\s+than|"
                                    r"minimum\s+of|upon|giving|on)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_NOTICE_CONTEXT_AFTER = re.compile(r"^[\s'’)]*(?:\(\s*\d+\s*\)\s*)?(?:days?|months?|years?)?\W{0,3}\s*(?:written\s+|prior\s+"
                                   r"written\s+|advance\s+|prior\s+)?(?:prior|before|in\s+advance|notice|preceding|"
                                   r"following\s+(?:receipt|notice)|after\s+(?:receipt|notice|written))",
                                   re.IGNORECASE)


def _durations(text: str, start: int, end: int) -> list[tuple[re.Match[str], str]]:
    found = []
    for match in DURATION.finditer(text, start, end):
        value = duration_from_match(match)
        if value:
            found.append((match, value))
    return found


def _is_notice_period(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 40):match.start()]
    after = text[match.end():match.end() + 60]
    return bool(_NOTICE_CONTEXT_BEFORE.search(before) or _NOTICE_CONTEXT_AFTER.match(after))


@dataclass(frozen=True)
class TermFindings:
    initial_term: Found | None
    expiration: Found | None


_STRONG = re.compile(
    r"(?:(?:this|the)\s+(?:\w+\s+){0,3}?(?:agreement|contract)|\bterm)\s+(?:\w+\s+){0,12}?(?:shall|will|is)\s+"
    r"(?:\w+[\s,]+){0,20}?(?:continu|remain|be\s+(?:for|in\s+effect|effective\s+for|valid)|expir|end\b|run|have\s+a)|"
    r"[\"“](?:Initial\s+)?Term[\"”]\s+(?:means|shall\s+mean)|[\"“](?:Expiration|End|Termination)\s+Date[\"”]\s+(?:means|shall)",
    re.IGNORECASE)


def _term_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences stating the contract's lifespan, best first: under a "Term" heading and phrased as the
    contract's own duration, then either, then the rest in document order."""
    ranked: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    headings = [m.end() for m in _TERM_HEADING.finditer(text)]
    for cue in _TERM_CUE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 700)
        if start in seen:
            continue
        seen.add(start)
        if _NOT_LIFESPAN.search(text[start:end]) or not _LIFESPAN.search(text, start, end):
            continue
        under_heading = any(0 <= start - h <= 400 for h in headings)
        strong = bool(_STRONG.search(text, start, end))
        ranked.append((0 if under_heading and strong else 1 if strong else 2 if under_heading else 3, start, end))
    return [(start, end) for _, start, end in sorted(ranked)]


def term_and_expiration(text: str, effective: Found | None) -> TermFindings:
    for start, end in _term_sentences(text):
        sentence = text[start:end]
        renewal_at = re.search(r"\b(?:renew|extend|extension)\w*", sentence, re.IGNORECASE)
        scope_end = start + renewal_at.start() if renewal_at else end
        for found in find_dates(text, start, scope_end):
            if _UNTIL_DATE.search(text, max(start, found.start - 40), found.start):
                return TermFindings(None, Found(found.value, start, end))
        for match, value in _durations(text, start, scope_end):
            if _is_notice_period(text, match):
                continue
            term = Found(value, start, end)
            anchor = _start_date(text, start, end, effective)
            if anchor is None or _ANCHOR_OTHER.search(text, match.end(), min(end, match.end() + 80)):
                return TermFindings(term, None)
            return TermFindings(term, Found(add_duration(anchor, value), start, end))
        if _PERPETUAL.search(text, start, scope_end):
            return TermFindings(None, Found("perpetual", start, end))
    return TermFindings(None, None)


def _start_date(text: str, start: int, end: int, effective: Found | None) -> date | None:
    commence = re.search(r"\b(?:commenc\w+|begin\w*|start\w*|effective)\s+(?:on|as\s+of|from)\s+", text[start:end],
                         re.IGNORECASE)
    if commence:
        dates = find_dates(text, start + commence.end(), min(end, start + commence.end() + 40))
        if dates:
            return dates[0].value
    return effective.value if effective and isinstance(effective.value, date) else None


_RENEWAL_CUE = re.compile(
    r"\b(?:automatic\w*\s+(?:be\s+)?(?:renew|extend)\w*|renew\w*\s+automatically|(?:successive|additional|further)\s+"
    r"(?:\w+[\s-]+){0,3}?(?:renewal\s+)?(?:terms?|periods?)|renewal\s+(?:terms?|periods?)|(?:renew|extend)\w*\s+(?:this\s+"
    r"agreement\s+|the\s+(?:initial\s+)?term\s+)?(?:for|by)\s+|year[\s-]+to[\s-]+year|month[\s-]+to[\s-]+month|"
    r"option\s+to\s+(?:renew|extend))",
    re.IGNORECASE,
)
_NOT_RENEWAL = re.compile(r"\b(?:license|warrant|lease\s+of|price|insurance|patent|credit|trademark\s+registration)\w*",
                          re.IGNORECASE)


@dataclass(frozen=True)
class RenewalFindings:
    renewal_term: Found | None
    notice: Found | None
    auto_renewal: Found | None


def renewal(text: str) -> RenewalFindings:
    term: Found | None = None
    auto: Found | None = None
    notice: Found | None = None
    seen: set[int] = set()
    for cue in _RENEWAL_CUE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 800)
        if start in seen:
            continue
        seen.add(start)
        sentence = text[start:end]
        if not re.search(r"\b(?:agreement|term|contract)\b", sentence, re.IGNORECASE):
            continue
        if _NOT_RENEWAL.search(text, max(start, cue.start() - 60), cue.start()):
            continue
        if term is None:
            value = _renewal_duration(text, start, end, cue)
            if value:
                term = Found(value, start, end)
                if re.search(r"automatic", sentence, re.IGNORECASE) or re.search(r"unless", sentence, re.IGNORECASE):
                    auto = Found(True, start, end)
        if notice is None and term is not None:
            notice = _notice_near(text, start, end)
        if term and notice:
            break
    if term is not None and notice is None:
        notice = _non_renewal_notice(text)
    return RenewalFindings(term, notice, auto)


def _renewal_duration(text: str, start: int, end: int, cue: re.Match[str]) -> str | None:
    sentence = text[start:end]
    if re.search(r"year[\s-]+to[\s-]+year|annual\s+basis|annually\s+renew|renew\w*\s+annually", sentence, re.IGNORECASE):
        return "P1Y"
    if re.search(r"month[\s-]+to[\s-]+month", sentence, re.IGNORECASE):
        return "P1M"
    for match, value in _durations(text, max(start, cue.start() - 80), end):
        if _is_notice_period(text, match):
            continue
        return value
    if re.search(r"(?:renew|extend)\w*\s+(?:\w+\s+){0,4}(?:for\s+)?(?:an?\s+)?(?:additional|successive|like)\s+"
                 r"(?:\w+\s+){0,2}(?:term|period)s?\s+(?:of\s+)?(?:equal|same|identical|like)\b", sentence, re.IGNORECASE) \
            or re.search(r"(?:equal|same)\s+(?:duration|length|period)\s+(?:as|to)\s+the\s+initial", sentence,
                         re.IGNORECASE):
        return None
    return None


def _notice_near(text: str, start: int, end: int) -> Found | None:
    scope_end = min(len(text), end + 400)
    if not re.search(r"notice|notif", text[start:scope_end], re.IGNORECASE):
        return None
    for match, value in _durations(text, start, scope_end):
        if _is_notice_period(text, match):
            return Found(value, start, scope_end if match.end() > end else end)
    return None


_NON_RENEWAL = re.compile(r"\b(?:not\s+to\s+(?:renew|extend)|non-?\s?renewal|intention\s+not\s+to|elect\w*\s+not\s+to\s+"
                          r"(?:renew|extend)|terminate\s+(?:this\s+agreement\s+)?(?:at|as\s+of|effective\s+(?:as\s+of\s+)?)"
                          r"(?:the\s+)?(?:end|expiration|expiry)\s+of\s+(?:the\s+)?(?:then[\s-]+current|initial|any|such))",
                          re.IGNORECASE)


def _non_renewal_notice(text: str) -> Found | None:
    for cue in _NON_RENEWAL.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 600)
        found = _notice_near(text, start, end)
        if found:
            return found
    return None
