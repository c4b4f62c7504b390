"""How long the contract lives: its initial term and the date that term expires (or "perpetual").

Every sentence that could state the term is scored by the evidence a reader uses: it sits under a "Term"
heading, its subject is the agreement or its term, and it says the agreement continues, remains in effect or
expires. Sentences about other periods (contract years, licences, confidentiality, payments) lose. From the best
sentence the expiry is read, most explicit first: a stated end date, then the Nth anniversary of the start, then
the start plus the stated duration, then an open-ended term ("until terminated") as perpetual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extraction.dates import PartialDate, add_duration, find_dates
from extraction.durations import DURATION, ORDINALS, duration_from_match
from extraction.sections import under_heading
from extraction.spans import Found, sentence_bounds

_TERM_CUE = re.compile(
    r"(?<!\w)(?:initial\s+term|subscription\s+term\s+(?:of|is|shall)|term\s*:|term\s+of\s+(?:this|the)\s+(?:\w+\s+){0,2}?(?:agreement|contract|"
    r"franchise|amendment|arrangement)|(?:shall|will)\s+(?:automatically\s+)?(?:terminate|expire|end)\s+on\b|(?:agreement|contract)\s+"
    r"(?:shall|will|is|continues)|[\"“]?term[\"”]?\s*(?:\)|shall|will|is)|(?:shall|will)\s+(?:commence|begin|become\s+"
    r"effective|continue|remain)|(?:remains?|continues?)\s+in\s+(?:full\s+)?(?:force|effect)|(?:enters?|comes?)\s+into\s+force|valid\s+for|duration|[\"“](?:Expiration|Expiry|Termination|End)\s+Date[\"”]|contract\s+(?:period|end)|"
    r"expir\w+\s+on|anniversary)|" + r"(?m:^)[ \t]*(?:Initial\s+)?(?:Expiration|Expiry|End|Termination)\s+Date\s*:",
    re.IGNORECASE,
)
# A labelled line of a cover page or term sheet ("Term: twelve (12) months from ...", "Expiration Date: August
# 31, 2006") states the term as plainly as a sentence does.
_TERM_LABEL = re.compile(r"(?m)^\W{0,3}(?:\w{1,4}[.)]\s+)?(?:(?:Initial|Agreement|Contract|Subscription)\s+)?(?:Term|"
                         r"Expiration\s+Date|Expiry\s+Date|End\s+Date|Termination\s+Date)\s*:", re.IGNORECASE)
# ... unless the line is a schedule's or an order's own term ("Term: three years ... of this SCHEDULE").
_PART_DOCUMENT = re.compile(r"\bthis\s+(?:schedule|exhibit|statement\s+of\s+work|sow|order|appendix|annex)\b",
                            re.IGNORECASE)
_TERM_HEADING = re.compile(r"\bterm\b|\bduration\b|\bexpiration\b|\bperiod\s+of\s+(?:the\s+)?agreement", re.IGNORECASE)
_SUBJECT = re.compile(
    r"(?:(?:this|the)\s+(?:[\w-]+\s+){0,3}?(?:agreement|contract|promotion|order\s+form|subscriptions?|amendment|addendum)|\b(?:initial\s+)?term\b(?:\s+of\s+(?:this|the)\s+"
    r"(?:\w+\s+){0,3}?(?:agreement|contract))?|[\"“](?:Initial\s+)?Term[\"”])[\s,]+(?:[\w\"“”(),'’-]+\s+){0,25}?"
    r"(?:continu\w*|remain\w*|expir\w*|ends?\b|run\w*|conclud\w*|terminat\w*\s+(?:on|upon|at)|through|until|"
    r"(?:shall|will)\s+be\s+(?:for|in\s+(?:full\s+)?(?:force|effect)|effective|valid|(?:a\s+)?(?:period|term)\s+of)|"
    r"(?:is|be)\s+(?:for|valid|in\s+effect)|ha(?:s|ve)\s+an?\s+(?:initial\s+)?(?:term|duration)|(?:shall|will)\s+be\s+(?:\w+\s+){0,2}?"
    r"(?:\(\d+\)\s+)?(?:years?|months?)\b|is\s+(?:for\s+)?(?:a\s+(?:period|term)\s+of\s+)?(?:[\w-]+\s+){0,2}?(?:\(\d+\)\s+)?"
    r"(?:years?|months?)\b)",
    re.IGNORECASE)
_DEFINES = re.compile(r"[\"“](?:Initial\s+)?Term[\"”]\s+(?:means|shall\s+mean)|[\"“]?(?:Initial\s+Term|Expiration\s+Date|"
                      r"Expiry\s+Date|End\s+Date|Termination\s+Date|Contract\s+Period|Agreement\s+Period|Term\s+of\s+"
                      r"(?:this\s+)?Agreement)[\"”]?\s+(?:means|shall\s+mean)|\((?:the\s+|herein\s+|hereinafter\s+)?(?:the\s+)?"
                      r"[\"“](?:Initial\s+)?Term[\"”]\)", re.IGNORECASE)
# Periods that are not the contract's life.
# Defined periods other than the term ("Contract Year", "Calendar Quarter", "Royalty Term"): capitalised, as defined.
OTHER_PERIOD_NAME = re.compile(r"\b(?:Contract|Fiscal|Calendar|Agreement|Lease|Royalty)\s+(?:Year|Quarter|Month)s?\b|"
                               r"\bRoyalty\s+Term|\bLicen[cs]e\s+(?:Term|Period)|\bfiscal\s+(?:year|quarter)")
_OTHER_PERIOD = re.compile(
    r"\b(?:contract|fiscal|calendar|agreement|lease|royalty)\s+(?:year|quarter)|\broyalty\s+term|\blicen[cs]e\s+"
    r"(?:term|period)|\bwarrant\w*|\bconfidential\w*|\bnon-?solicit\w*|\bnon-?compet\w*|\bsurviv\w*|\bpayments?\b|"
    r"\binvoice|\bexclusivity\b|\bstatute\s+of\s+limitations|\binsurance|\bwithin\s+(?:\w+\s+){0,3}(?:days|months)", re.IGNORECASE)
_NOT_LIFESPAN_START = re.compile(r"^\W*(?:\(?\w{1,4}[.)]\s+)?(?:during|throughout|for\s+(?:a|the)\s+period|within|after|"
                                 r"following|upon|in\s+the\s+event|if|notwithstanding\s+the\s+expiration)\b",
                                 re.IGNORECASE)
# A party's right ("either party may terminate ...") is no statement of the term, unless the sentence goes on
# to say how long the agreement itself lives.
_PARTY_SUBJECT = re.compile(r"^\W*(?:\(?\w{1,4}[.)]\s+)?(?:either|each|any|neither)\s+party\b", re.IGNORECASE)
_AGREEMENT_LIVES = re.compile(r"\bthis\s+agreement\s+(?:shall|will)\s+(?:automatically\s+)?(?:expire|continue|remain|end\b|"
                              r"terminate\s+(?:on|upon|at))", re.IGNORECASE)
_UNTIL_DATE = re.compile(r"(?:\buntil|\bthrough|\bexpir\w*|\bending|\bend|\bconclud\w*|\bterminat\w*|\bthru|\bmeans|\bto|"
                         r"\bend\s*:|\bcontract\s+end\s*:|\b(?:expiration|expiry|end|termination)\s+date\s*:|"
                         r"\bin\s+no\s+event\s+later\s+than)\s*(?:on\s+|at\s+|as\s+of\s+)?(?:and\s+including\s+)?(?:midnight\s+(?:on\s+)?)?"
                         r"(?:the\s+)?(?:close\s+of\s+business\s+on\s+)?(?:(?:later|earlier|latest|earliest)\s+(?:of|to\s+occur\s+of)\s*:?\s*"
                         r"(?:\(\w{1,3}\)\s*)?)?$", re.IGNORECASE)
_ANNIVERSARY = re.compile(
    r"\b(?P<ordinal>" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r")\s*(?:\(\s*\d+\s*(?:st|nd|rd|th|t\s?h|n\s?d|r\s?d|s\s?t)?"
    r"\s*\)\s*)?"
    r"(?:year\s+)?anniversary\s+of\s+(?:the\s+)?(?P<anchor>(?:\w+\s+){0,3}?(?:effective\s+date|date\s+(?:hereof|of\s+"
    r"(?:this\s+)?(?:agreement|execution))|execution\s+date|commencement\s+date|signing|this\s+agreement))",
    re.IGNORECASE)
_PERPETUAL = re.compile(
    r"\b(?:perpetu\w+|indefinitely|(?:an?\s+)?indefinite\s+(?:term|period|duration)|until\s+(?:(?:it\s+is\s+|so\s+)?terminated|the\s+termination|termination|"
    r"such\s+time\s+as|either\s+party\s+terminates|this\s+agreement\s+is\s+terminated|terminated\s+by|(?:\w+\s+){1,4}?"
    r"ceases?\s+to|(?:\w+\s+){1,4}?ceases?\s+(?:\w+\s+){0,3}?(?:development|business|operations))|unless\s+and\s+"
    r"until\s+terminated|in\s+perpetuity|no\s+fixed\s+term|(?:end|expire)\s+when\s+terminated)\b", re.IGNORECASE)
_ANCHOR_OTHER = re.compile(
    r"\W*(?:\w+\s+){0,3}?(?:from|after|following|of)\s+(?:the\s+)?(?:date\s+of\s+)?"
    r"(?!(?:initial\s+|first\s+)?(?:date\s+of\s+)?(?:execution|signing|signature)\b)(?:first|initial|launch|commercial|"
    r"completion|acceptance|delivery|regulatory|approval|closing|receipt|installation|opening|expiration|"
    r"termination|last|such)", re.IGNORECASE)
_NOTICE_AROUND = re.compile(r"(?:notice|within|no\s+(?:less|later|more)\s+than|not\s+less\s+than|"
                            r"minimum\s+of|giving|upon)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_NOTICE_AFTER = re.compile(r"^[\s'’)]*(?:\(\s*\d+\s*\)\s*)?\W{0,3}\s*(?:written\s+|prior\s+written\s+|advance\s+|prior\s+)?"
                           r"(?:prior|before|in\s+advance|notice|preceding|following\s+(?:receipt|notice)|after\s+"
                           r"(?:receipt|notice|written))", re.IGNORECASE)
# Where renewal provisos begin. An active "shall extend for a period of five years" states the term itself.
_RENEWAL_WORD = re.compile(r"\brenew\w*|\bextension|\b(?:be|been|is|are|automatically)\s+extended\b|"
                           r"\bextend\w*\s+(?:this|the|such|its|each)\b", re.IGNORECASE)
# Before a stated end date these make it a condition, not the term ("provided that if X, it ends on ...").
# "Except as otherwise provided herein" is no proviso; "provided that" / "provided, however," is.
_PROVISO = re.compile(r"\bprovided\s*(?:,\s*(?:however|further)\s*,?\s*)?(?:that\b|,)|\bif\b|\bin\s+the\s+event\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class TermFindings:
    initial_term: Found | None
    expiration: Found | None


def is_notice_period(text: str, match: re.Match[str]) -> bool:
    """A period stated as notice ("upon thirty (30) days' notice", "90 days prior to expiry"), not a term."""
    before = text[max(0, match.start() - 40):match.start()]
    after = text[match.end():match.end() + 60]
    return bool(_NOTICE_AROUND.search(before) or _NOTICE_AFTER.match(after))


def term_sentences(text: str) -> list[tuple[int, int, int]]:
    """(score, start, end) of sentences that may state the contract's lifespan, best first (ties in order)."""
    ranked: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    for cue in _TERM_CUE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 700)
        start = _after_heading(text, start, end) if _after_heading(text, start, end) <= cue.start() else start
        end = _with_listed_items(text, start, end)
        if start in seen:
            continue
        seen.add(start)
        sentence = text[start:end]
        if _NOT_LIFESPAN_START.search(sentence) or (_PARTY_SUBJECT.search(sentence) and
                                                    not _AGREEMENT_LIVES.search(sentence)):
            continue
        labelled = bool(_TERM_LABEL.search(sentence)) and not _PART_DOCUMENT.search(sentence)
        score = 3 * under_heading(text, start, _TERM_HEADING) + 3 * bool(_SUBJECT.search(sentence) or labelled) + \
            2 * bool(_DEFINES.search(sentence)) - 4 * bool(_OTHER_PERIOD.search(sentence))
        if score > 0:
            ranked.append((-score, start, end))
    return [(-negated, start, end) for negated, start, end in sorted(ranked)]


def _with_listed_items(text: str, start: int, end: int) -> int:
    """A term that ends at "the earlier of:" goes on in the events it lists ("(a) the fifth anniversary ...")."""
    if not re.search(r"\b(?:earlier|later|earliest|latest|first\s+to\s+occur)\b[^.]{0,80}:\s*$", text[start:end]):
        return end
    for _ in range(2):
        end = sentence_bounds(text, min(len(text) - 1, end + 1), 400)[1]
        if not re.search(r"[:;]\s*(?:and|or)?\s*$", text[max(0, end - 8):end]):
            break
    return end


def term_and_expiration(text: str, effective: Found | None) -> TermFindings:
    """The best-scored sentence that yields a reading; a stated end date is itself evidence of a term sentence."""
    best: tuple[int, TermFindings] | None = None
    for score, start, end in term_sentences(text):
        if best is not None and score + 2 <= best[0]:
            break
        found = _read_term(text, start, end, effective)
        if found is None:
            continue
        explicit = found.initial_term is None and isinstance(found.expiration.value if found.expiration else None, date)
        if best is None or score + 2 * explicit > best[0]:
            best = (score + 2 * explicit, found)
    return best[1] if best else TermFindings(None, None)


def _read_term(text: str, start: int, end: int, effective: Found | None) -> TermFindings | None:
    """The sentence's main statement of the term: the earliest of an end date, an anniversary, a duration or an
    open-ended term (later ones are usually provisos: "..., provided that if X, it ends 36 months after X")."""
    renewal_at = _RENEWAL_WORD.search(text, _after_heading(text, start, end), end)
    scope_end = renewal_at.start() if renewal_at else end
    anchor = _start_date(text, start, end, effective)
    readings: list[tuple[int, TermFindings]] = []
    until = next((d for d in find_dates(text, start, scope_end)
                  if _UNTIL_DATE.search(text, max(start, d.start - 50), d.start)), None)
    if until:
        readings.append((until.start, TermFindings(None, Found(until.value, start, end))))
        if not _PROVISO.search(text, start, until.start):
            # A stated end date outranks one computed from a duration in the same statement.
            stated = next((m for m in DURATION.finditer(text, start, until.start)
                           if duration_from_match(m) and not is_notice_period(text, m)), None)
            term = Found(duration_from_match(stated), start, end) if stated else None
            return TermFindings(term, Found(until.value, start, end))
    anniversary = _ANNIVERSARY.search(text, start, scope_end)
    if anniversary:
        term = Found(f"P{ORDINALS[anniversary.group('ordinal').lower()]}Y", start, end)
        expiry = Found(value, start, end) if anchor and (value := _expiry(anchor, str(term.value))) else None
        readings.append((anniversary.start(), TermFindings(term, expiry)))
    duration = next((m for m in DURATION.finditer(text, start, scope_end)
                     if duration_from_match(m) and not is_notice_period(text, m)), None)
    if duration:
        term = Found(duration_from_match(duration), start, end)
        dated = anchor is not None and not _ANCHOR_OTHER.match(text, duration.end(), min(end, duration.end() + 80))
        expiry = Found(value, start, end) if dated and anchor and (value := _expiry(anchor, str(term.value))) \
            else None
        readings.append((duration.start(), TermFindings(term, expiry)))
    perpetual = _PERPETUAL.search(text, start, scope_end)
    if perpetual:
        readings.append((perpetual.start(), TermFindings(None, Found("perpetual", start, end))))
    return min(readings, key=lambda item: item[0])[1] if readings else None


_HEADING_LINE = re.compile(r"[^\n.;:]{1,80}\n")


def _after_heading(text: str, start: int, end: int) -> int:
    """Where the prose of a sentence begins: a leading heading line ("TERM AND RENEWAL") is not part of it,
    so its words are no provisos of the sentence."""
    line = _HEADING_LINE.match(text, start, end)
    if line and not any(ch.islower() for ch in line.group(0)):
        return line.end()
    return start


# The term starts on something other than the effective date: a defined "Services Commencement Date", or an
# event ("the date upon which the Company delivers ..."). Its expiry cannot be computed from the effective date.
_OTHER_START = re.compile(r"\b(?:commenc\w+|begin\w*|start\w*)\s+(?:on|upon|as\s+of|from|with)\s+(?:the\s+)?"
                          r"(?:(?!Effective\b)[A-Z][\w-]*\s+){1,4}Date\b|\b(?:commenc\w+|begin\w*|start\w*)\s+(?:on|upon|"
                          r"as\s+of|from)\s+the\s+(?:date|day)\s+(?:on\s+which|upon\s+which|that|when)\b")


def _expiry(anchor: date | PartialDate, term: str) -> date | PartialDate | None:
    return anchor.plus(term) if isinstance(anchor, PartialDate) else add_duration(anchor, term)


def _start_date(text: str, start: int, end: int, effective: Found | None) -> date | PartialDate | None:
    commence = re.search(r"\b(?:commenc\w+|begin\w*|start\w*|effective)\s+(?:on|as\s+of|from)\s+", text[start:end],
                         re.IGNORECASE)
    if commence:
        dates = find_dates(text, start + commence.end(), min(end, start + commence.end() + 40))
        if dates:
            return dates[0].value
    if _OTHER_START.search(text, start, end):
        return None
    return effective.value if effective and isinstance(effective.value, date | PartialDate) else None
