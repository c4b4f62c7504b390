"""Renewal: the length of each renewal term, whether it renews by itself, and the notice that stops it.

CUAD's sense: a renewal is automatic ("renews for successive one-year terms unless ...") or a unilateral
option ("Distributor may renew for one additional three-year term"); an extension only by mutual agreement is
no renewal term. The notice period to terminate renewal exists only where renewal is automatic: it is the period
before expiry by which a party must say it will not renew ("at least ninety (90) days prior to the end of the
then-current term"), stated in the renewal sentence, the sentences right after it, or a separate non-renewal
clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.durations import DURATION, duration_from_match
from extraction.lifespan import OTHER_PERIOD_NAME, is_notice_period
from extraction.spans import Found, sentence_bounds

_RENEWAL_CUE = re.compile(
    r"\b(?:automatic\w*\s+(?:be\s+)?(?:renew|extend|extension)\w*|renew\w*\s+automatically|(?:successive|additional|further|"
    r"subsequent)\s+(?:\w+[\s-]+){0,3}?(?:renewal\s+)?(?:terms?|periods?)|renewal\s+(?:terms?|periods?)|(?:renew|"
    r"extend)\w*\s+(?:this\s+agreement\s+|the\s+(?:initial\s+)?term\s+)?(?:for|by)\s+|year[\s-]+to[\s-]+year|"
    r"month[\s-]+to[\s-]+month|option\s+to\s+(?:renew|extend)|continue\s+(?:thereafter\s+)?(?:in\s+effect\s+)?for\s+"
    r"(?:successive|additional|subsequent)|(?:thereafter|after\s+the\s+initial\s+term|following\s+the\s+initial\s+term)"
    r"[^.;]{0,60}?continu\w*[^.;]{0,40}?until\s+(?:it\s+is\s+)?terminated|renew\w*\s+tacitly|tacit\w*\s+renew\w*|"
    r"(?:remain|continue)\w*\s+in\s+(?:full\s+)?(?:force|effect)(?:\s+and\s+effect)?\s+until\s+terminated\s+by\s+"
    r"(?:either|any|each)\s+party\s+(?:upon|on|with|by\s+giving)\b)",
    re.IGNORECASE,
)
_NOT_RENEWAL = re.compile(r"\b(?:licen[cs]e|warrant|lease\s+of|price|insurance|patent|credit|trademark\s+registration|"
                          r"permit|registration|polic)\w*", re.IGNORECASE)
_MUTUAL = re.compile(r"\bmutual(?:ly)?\s+(?:written\s+)?(?:agree\w*|consent|decision|determin\w*)|\bby\s+(?:written\s+)?"
                     r"agreement\s+of\s+(?:both|the)\s+parties|\bif\s+(?:both|the)\s+parties\s+(?:\w+\s+){0,3}?agree|"
                     r"\bparties\s+(?:\w+\s+){0,2}?(?:may|shall)\s+(?:\w+\s+){0,2}?agree|\bexpressly\s+agree|"
                     r"\bupon\s+(?:the\s+)?(?:written\s+)?agreement\s+of", re.IGNORECASE)
# Evergreen continuation ("shall continue on a month to month basis until terminated") renews by itself too.
_AUTOMATIC = re.compile(r"\bautomatic\w*|\btacit\w*|\bunless\b|\bnon-?\s?renewal|\bnot\s+to\s+(?:renew|extend)|\byear[\s-]+to[\s-]+year|"
                        r"\bevergreen|\b(?:continu|remain)\w*\s+(?:[\w-]+\s+){0,6}?until\s+(?:it\s+is\s+)?terminated",
                        re.IGNORECASE)
_RENEWS = re.compile(r"\b(?:renew|extend|extension|evergreen)\w*|\b(?:year|month)[\s-]+to[\s-]+(?:year|month)|"
                     r"\bcontinu\w*\s+(?:[\w,]+\s+){0,5}?(?:for\s+)?(?:an?\s+)?(?:successive|additional|subsequent|further)|"
                     r"\b(?:continu|remain)\w*\s+(?:[\w-]+\s+){0,6}?until\s+(?:it\s+is\s+)?terminated|\btacit", re.IGNORECASE)
# Without automatic wording, a renewal term is a party's option or a promised extension stated forward ("may, at
# its option, renew", "shall be extended for", "option to renew"): not a mention of renewal terms in a
# non-solicit period, a definition ("the offer extended by"), or another agreement that "has not been renewed".
_FORWARD_RENEWAL = re.compile(r"\b(?:shall|will|may|can)\b[^.;]{0,40}?\b(?:renew|extend)\w*|\b(?:option|right)\s+to\s+"
                              r"(?:renew|extend)|\b(?:renewable|extendable|extendible)\b", re.IGNORECASE)
# A quoted defined name ("Extended Term") is no verb: the period it names is stated elsewhere in the sentence.
_REDACTED = re.compile(r"\[\s*\*[\s*]*\]|(?<![\w*])\*(?![\w*])")
_CONTRACT_WORD = re.compile(r"\b(?:agreement|term|contract)\b", re.IGNORECASE)
_RENEW_ONLY = re.compile(r"(?<![\"“])\b(?:renew|extend|extension)\w*", re.IGNORECASE)
_RENEW_VERB = re.compile(r"(?<![\"“])\b(?:renew|extend|extension|continu)\w*", re.IGNORECASE)
_ANNUAL = re.compile(r"\byear[\s-]+to[\s-]+year|\bannual(?:ly)?\b|\byearly\b|\beach\s+anniversary|\bevery\s+year\b",
                     re.IGNORECASE)
_MONTHLY = re.compile(r"\bmonth[\s-]+to[\s-]+month|\bmonthly\b", re.IGNORECASE)
_UNLIMITED = re.compile(r"\b(?:unlimited|indefinite\w*|perpetu\w+)\b", re.IGNORECASE)
_EQUAL_TO_INITIAL = re.compile(r"\b(?:equal|same|identical|like)\s+(?:\w+\s+){0,3}?(?:to|as)?\s*(?:that\s+of\s+)?the\s+"
                               r"(?:initial|original)\s+term|\blike\s+(?:term|period)s?\b|\bof\s+the\s+same\s+(?:duration|length|period)",
                               re.IGNORECASE)
_NON_RENEWAL = re.compile(r"\b(?:not\s+to\s+(?:renew|extend)|non-?\s?renewal|intention\s+not\s+to|elect\w*\s+not\s+to\s+"
                          r"(?:renew|extend)|terminate\s+(?:this\s+agreement\s+)?(?:at|as\s+of|effective\s+(?:as\s+of\s+)?)"
                          r"(?:the\s+)?(?:end|expiration|expiry)\s+of\s+(?:the\s+)?(?:then[\s-]+current|initial|any|such)|"
                          r"(?:prevent|avoid|stop)\s+(?:\w+\s+){0,2}?(?:automatic\s+)?renewal|notice\b[^.;]{0,120}?\bprior\s+to\s+"
                          r"(?:the\s+)?(?:expiration|end|expiry)\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}?term)", re.IGNORECASE)
# "ninety (90) days prior to the expiration of the then-current term"
_BEFORE_EXPIRY = re.compile(
    r"\W*(?:(?:written|prior|advance)\s+){0,3}(?:notice\s+)?(?:\w+\s+){0,3}?(?:prior(?:\s+to)?|before|in\s+advance\s+of|"
    r"preceding)\s+(?:\w+[\s,-]+){0,8}?(?:expir\w*|end|ending|anniversary|renewal|term|termination\s+date|"
    r"conclusion|commencement)", re.IGNORECASE)
# "twelve (12) months written notice", "a thirty-day notice": the notice itself is the period.
_NOTICE_OF = re.compile(r"[\s'’]*(?:(?:prior|advance|written|of)\s+){0,3}notice\b", re.IGNORECASE)
# "notifies ... of its intent not to renew ... within a period of three (3) months following the Renewal Notice"
_NON_RENEWAL_WITHIN = re.compile(r"(?:not\s+to\s+(?:renew|extend)|non-?\s?renewal)[^.;]{0,100}?\bwithin\s+"
                                 r"(?:a\s+period\s+of\s+)?$", re.IGNORECASE)
_NOTICE_BEFORE = re.compile(r"(?:notice|notif\w*|notice\s+period)\s+(?:\w+\s+){0,6}?(?:of\s+)?(?:at\s+least|not\s+less\s+"
                            r"than|no\s+less\s+than|no\s+later\s+than|a\s+minimum\s+of|within)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RenewalFindings:
    renewal_term: Found | None
    notice: Found | None
    auto_renewal: Found | None


def renewal(text: str, initial_term: str | None = None) -> RenewalFindings:
    best: tuple[int, Found, bool] | None = None
    # An automatic renewal whose length is redacted ("extendable for a further * years, unless notice of non-renewal
    # is sent one year before ...") still states the notice that stops it.
    unmeasured: tuple[int, int] | None = None
    seen: set[int] = set()
    for cue in _RENEWAL_CUE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 800)
        if start in seen:
            continue
        seen.add(start)
        sentence = text[start:end]
        if not _about_the_contract(text, start, end) or _MUTUAL.search(sentence) or not _RENEWS.search(sentence):
            continue
        if _NOT_RENEWAL.search(text, max(start, cue.start() - 30), cue.start()) or OTHER_PERIOD_NAME.search(sentence):
            continue
        automatic = bool(_AUTOMATIC.search(sentence))
        if not automatic and not _FORWARD_RENEWAL.search(sentence):
            continue
        value = _renewal_duration(text, start, end, cue, initial_term)
        if value is None:
            if automatic and unmeasured is None and _REDACTED.search(sentence):
                unmeasured = (start, end)
            continue
        score = 2 * automatic + bool(re.search(r"\brenew", sentence, re.IGNORECASE))
        if best is None or score > best[0]:
            best = (score, Found(value, start, end), automatic)
    if best is None:
        if unmeasured is None:
            return RenewalFindings(None, None, None)
        return RenewalFindings(None, _notice_near(text, *unmeasured), Found(True, *unmeasured))
    _, term, automatic = best
    notice = _notice_near(text, term.start, term.end) if automatic else None
    if notice is None and automatic:
        notice = _non_renewal_notice(text)
    return RenewalFindings(term, notice, Found(True, term.start, term.end) if automatic else None)


def _about_the_contract(text: str, start: int, end: int) -> bool:
    """The sentence names the agreement or its term, or its subject "It" stands for what the sentence before names."""
    if _CONTRACT_WORD.search(text, start, end):
        return True
    if not re.match(r"It\b", text[start:end]):
        return False
    before = sentence_bounds(text, max(0, start - 2), 400)[0]
    return bool(_CONTRACT_WORD.search(text, before, start))


def _renewal_duration(text: str, start: int, end: int, cue: re.Match[str], initial_term: str | None) -> str | None:
    """The renewal period stated after the renewal verb (the initial term usually comes before it)."""
    # The renewal's own verb; "continue" only when no "renew"/"extend" is near ("shall continue for one year and
    # shall be extended for two-year periods" renews for two years).
    verb = _RENEW_ONLY.search(text, max(start, cue.start() - 40), end) or \
        _RENEW_VERB.search(text, max(start, cue.start() - 40), end) or cue
    for match in DURATION.finditer(text, verb.start(), end):
        value = duration_from_match(match)
        if value and not is_notice_period(text, match):
            return value
    after = text[verb.start():end]
    if _EQUAL_TO_INITIAL.search(after):
        return initial_term
    if _UNLIMITED.search(after):
        return "perpetual"
    if _ANNUAL.search(text, start, end):
        return "P1Y"
    if _MONTHLY.search(text, start, end):
        return "P1M"
    if re.search(r"\buntil\s+(?:it\s+is\s+)?terminated", after, re.IGNORECASE):
        return "perpetual"
    return None


def _notice_period(text: str, start: int, end: int) -> re.Match[str] | None:
    for match in DURATION.finditer(text, start, end):
        if not duration_from_match(match):
            continue
        if _BEFORE_EXPIRY.match(text, match.end(), min(len(text), match.end() + 160)) or \
                _NOTICE_OF.match(text, match.end(), min(len(text), match.end() + 40)) or \
                _NOTICE_BEFORE.search(text, max(start, match.start() - 80), match.start()) or \
                _NON_RENEWAL_WITHIN.search(text, max(start, match.start() - 160), match.start()):
            return match
    return None


def _notice_near(text: str, start: int, end: int) -> Found | None:
    """A notice period in the renewal sentence or the two sentences after it."""
    scope_end = end
    sentences = 0
    while sentences < 2 and scope_end < len(text):
        next_end = sentence_bounds(text, min(len(text) - 1, scope_end + 1), 500)[1]
        # A page number or blank run between page breaks ("-2-") is no sentence.
        sentences += bool(re.search(r"[A-Za-z]{2}", text[scope_end:next_end]))
        scope_end = next_end
    match = _notice_period(text, start, end)
    if match is None and re.search(r"notice|notif", text[end:scope_end], re.IGNORECASE) and \
            re.search(r"renew|expir|\bterm\b", text[end:scope_end], re.IGNORECASE):
        match = _notice_period(text, end, scope_end)
    if match is None:
        return None
    value = duration_from_match(match)
    cited_end = end if match.end() <= end else sentence_bounds(text, match.start(), 500)[1]
    return Found(value, start, cited_end)


def _non_renewal_notice(text: str) -> Found | None:
    for cue in _NON_RENEWAL.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 600)
        match = _notice_period(text, start, end)
        if match:
            return Found(duration_from_match(match), start, end)
    return None
