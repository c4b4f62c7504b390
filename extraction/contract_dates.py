"""The contract's own dates: when it was made (agreement date) and when it takes effect (effective date).

Precedence follows how contracts are drafted: the preamble dates the contract ("made as of March 3, 2021");
when it does not, the contract is made when the last party signs. The effective date is the date the contract
defines as such, else the date the term commences, else the agreement date; an effective date defined by an
event (regulatory approval, closing) is not a date we can read, unless the event is the last signature.

A contract that merely carries a date has no effective date of its own: the agreement date is reported as the
effective date only when the contract says it takes effect on it ("effective as of the date first written
above", "the Term shall commence on the date hereof"). The term still runs from the agreement date either way.
"""

from __future__ import annotations

import re

from extraction.dates import DateMatch, PartialMatch, find_dates, find_partial_dates
from extraction.lifespan import OTHER_PERIOD_NAME
from extraction.spans import Found, sentence_bounds

_HEAD_CHARS = 3000
# A cover page or table of contents can push the preamble down; beyond the head only a cued date counts.
_PREAMBLE_CHARS = 8000
# Cues that date the document itself, scored: "dated" / "made ... as of" beat a bare date near the title.
_STRONG_CUE = re.compile(
    r"\b(?:dated|made|entered\s+into|executed|effective|agreement\s+date|date\s+of\s+(?:this\s+)?agreement|"
    r"day\s+of|as\s+of|this)\b[^.;]{0,80}$|\bon\s+(?:this\s+)?$|\bdate[d:]?\s*:?\s*$",
    re.IGNORECASE)
# A date describing something else: a revision stamp, a filing, an earlier agreement.
_OTHER_THING = re.compile(r"(?:printed|filed|(?:original|existing|prior|underlying)\s+"
                          r"(?:[\w&]+\s+){0,4}?(?:agreement|contract))\W*(?:\w+\W+){0,8}$", re.IGNORECASE)
# "The Selling Agreement effective as of ...": a named agreement other than this one ("This Agreement").
_NAMED_OTHER_AGREEMENT = re.compile(r"(?:^|[^\w])(?:[Tt]he|[Aa]n?|that\s+certain)\s+(?:[A-Z][\w&-]*\s+){1,6}(?:Agreement|AGREEMENT|"
                                    r"Contract|CONTRACT),?\s*(?:made\s+|was\s+|is\s+)?$")
# Another agreement the contract amends or refers to, then its date: "Amendment No. 2 to the Manufacturing and
# Supply Agreement dated as of ...", "pursuant to the Underwriting Agreement, dated ...". Its own date is
# written "This Agreement, dated ...".
_OTHER_AGREEMENT = re.compile(
    r"\b(?:[Tt]o|[Uu]nder|[Pp]ursuant\s+to|[Ii]nto|[Ww]ith|[Aa]mends?|[Aa]mending)\s+(?:the|that\s+certain|a|an|THE)\s+"
    r"(?:[A-Z][\w&.-]*\s+){0,6}(?:Agreement|AGREEMENT|Contract|CONTRACT)\b(?:(?!(?:19|20)\d\d)[^;]){0,80}?\b(?:dated|effective|entered\s+into|"
    r"made)\b(?:\s+as\s+of)?(?:\s+on)?\s*$")
# A definition ("2.7 "Master Services Agreement" the agreement executed ... on ...") dates what it defines.
_DEFINITION = re.compile(r"\W*(?:\d+(?:\.\d+)*\.?\s+)?[\"“][^\"”]{2,60}[\"”]\s+(?:means|shall\s+mean|the|is)\b")
_MADE = re.compile(r"\b(?:agreement|contract)\b[^.]{0,200}?\b(?:made|entered|dated|executed)\b|\b(?:made|entered|dated|"
                   r"executed)\b[^.]{0,100}?\b(?:agreement|contract)\b", re.IGNORECASE)
_SIGNATURE_BLOCK = re.compile(r"IN\s+WITNESS\s+WHEREOF", re.IGNORECASE)
# "Hamburg, November 19th, 2012" or a date alone on its line, as written beside signatures.
_DATE_LINE = re.compile(r"[ \t]*(?:[A-Z][\w/.-]*[ \t]*){0,3},?[ \t]*$")
_SIGNED_ON = re.compile(r"\bdate[d:]?\s*(?:signed)?\s*:?\s*$|\b(?:signed|executed)\s+(?:on\s+)?$", re.IGNORECASE)
_EFFECTIVE_DEFINED = re.compile(r"[\"“'](?:the\s+)?Effective\s+Date[\"”']|\bEffective\s+Date\s*(?:of\s+(?:this|the)\s+"
                                r"(?!terminat|expir|renew|cancel|amend|change|notice)\w+\s+)?(?::|means|shall\s+(?:mean|be)|"
                                r"will\s+be|is)",
                                re.IGNORECASE)
# "made effective this 17th day of ...", "effective as from 1 January 2009", "effective as of1 August 2019".
_EFFECTIVE_HEAD = re.compile(r"\beffective\s+(?:as\s+(?:of|from)|on|from|date|this)(?![a-z])", re.IGNORECASE)
# The contract takes effect when it is made or signed: then its effective date is the agreement date.
_EFFECTIVE_ON_MAKING = re.compile(
    r"\b(?:effective|in\s+(?:full\s+)?force(?:\s+and\s+effect)?|into\s+force|take\s+effect|commenc\w*|begin\w*|start\w*)"
    r"\s+(?:as\s+(?:of|from)|on|from|upon|with|at)\s+(?:and\s+including\s+)?(?:the\s+)?(?:(?:date|day)(?:\s+and"
    r"\s+year)?\s+(?:(?:first|last)\s+(?:above\s+|below\s+)?(?:written|set\s+(?:forth|out)|shown|listed|stated|mentioned)|"
    r"(?:of\s+)?hereof|of\s+(?:this\s+(?:[\w-]+\s+){0,2}?(?:agreement|contract|amendment)|(?:its\s+|their\s+)?(?:execution|"
    r"signature|signing)))|(?:signing|execution|signature)\s+date|(?:its\s+)?(?:execution|signature|signing)\b)",
    re.IGNORECASE)
# ... said of this contract itself, not of another document it mentions ("the Warrant is effective as of ...").
_THIS_CONTRACT = re.compile(r"\b(?:this\s+(?:[\w-]+\s+){0,3}?(?:agreement|contract|amendment|addendum)|the\s+(?:initial\s+)?"
                            r"term)\b|^\W*(?:\(?\w{1,4}[.)]\s+)?(?:it|the\s+agreement)\b", re.IGNORECASE)
# The agreement (or its term) as the subject of "commences / begins / is effective on", then the date.
_COMMENCES = re.compile(
    r"(?:\b(?:this|the)\s+(?:[\w-]+\s+){0,3}?(?:agreement|contract|promotion)|\b(?:the\s+)?(?:initial\s+)?term(?:\s+of\s+"
    r"(?:this|the)\s+(?:agreement|contract))?)[\s,]+(?:[\w(),\"“”]+\s+){0,4}?(?:shall\s+|will\s+|is\s+|to\s+)?"
    r"(?:be\s+in\s+(?:full\s+)?force\s+(?:and\s+effect\s+)?)?(?:commenc|begin|start|become\s+effective|take\s+effect|be\s+effective|is\s+effective|effective)\w*\s+(?:on\s+|as\s+of\s+|"
    r"from\s+)?(?:and\s+including\s+)?(?:the\s+)?|\b(?:contract|term)\s+start(?:\s+date)?\s*:\s*|\bcommencement\s+date"
    r"(?:\s+(?:for|of|under)\s+(?:[\w-]+\s+){0,4}?[\w-]+)?\s*(?::|\b(?:means|shall\s+be|will\s+be|is)\b)\s*|"
    # '"Contract Period" shall mean that period of time commencing on January 1, 2000'
    r"[\"“](?:Initial\s+)?(?:Term|Contract\s+Period|Agreement\s+Period)[\"”]\s+(?:shall\s+mean|means|is)\s+(?:[\w,]+\s+){0,6}?"
    r"(?:commenc|beginn|start)\w*\s+(?:on\s+|as\s+of\s+|from\s+)?(?:the\s+)?", re.IGNORECASE)
_STARTS_ON_EVENT = re.compile(
    r"\b(?:this\s+agreement|the\s+(?:initial\s+)?term(?:\s+of\s+this\s+agreement)?)\s+(?:shall|will)\s+(?:commence|begin|start|"
    r"become\s+effective|take\s+effect)\s+(?:on|upon|as\s+of)\s+(?:the\s+)?(?:date\s+(?:on\s+which|that|when|upon\s+which)|"
    r"approval|receipt|completion|closing|launch|first|satisfaction|occurrence)", re.IGNORECASE)
_EVENT = re.compile(
    r"(?:later|latest|last|date\s+(?:on|upon)\s+which|first\s+date|date\s+(?:that|when)|date\s+of\s+(?:the\s+)?"
    r"(?:last|final|later|closing|approval|receipt|completion|issuance|launch|first)|upon\s+(?:the\s+)?(?:approval|"
    r"receipt|closing|completion)|approved|satisf\w+|occurs?)", re.IGNORECASE)
_LAST_SIGNATURE = re.compile(
    r"(?:later|latest|last)\s+(?:of\s+(?:the\s+)?)?(?:\w+\s+){0,3}?(?:signature|signing|execution|signed|executed)|"
    r"(?:signature|signing|execution)\s+(?:\w+\s+){0,3}?(?:last|both|all)|signed\s+by\s+(?:the\s+)?(?:last|both|all)|"
    r"(?:later|latest)\s+of\s+the\s+dates?\s+(?:\w+\s+){0,4}?(?:signature|below|signed)|fully\s+executed|"
    r"executed\s+by\s+both|(?:date|day)\s+last\s+(?:written|set\s+forth|shown)\s+below", re.IGNORECASE)


def _score(text: str, found: DateMatch | PartialMatch) -> int:
    before = text[max(0, found.start - 120):found.start]
    sentence_start, _ = sentence_bounds(text, found.start, 400)
    if _OTHER_THING.search(before) or _OTHER_AGREEMENT.search(before) or \
            _DEFINITION.match(text, sentence_start, found.start):
        return -1
    return 2 if _STRONG_CUE.search(before) else 0


def signature_block_start(text: str) -> int | None:
    """Where "IN WITNESS WHEREOF" opens the signature block (looked for past the first third of the text)."""
    witness = _SIGNATURE_BLOCK.search(text, len(text) // 3)
    return witness.start() if witness else None


def signature_dates(text: str) -> list[DateMatch]:
    """Dates written beside the signatures ("Date: August 8, 2018") after "IN WITNESS WHEREOF" or "By:"."""
    witness = signature_block_start(text)
    start, end = (witness, min(len(text), witness + 5000)) if witness is not None else (len(text) * 3 // 4, len(text))
    return [d for d in find_dates(text, start, end)
            if _SIGNED_ON.search(text, max(0, d.start - 40), d.start) or _DATE_LINE.match(text, _line_start(text, d.start),
                                                                                        d.start)]


def _last_of_signing_dates(text: str, found: DateMatch) -> DateMatch:
    """A signature page placed before the preamble dates each signature ("Date: 1/19/07  Date: January 22,
    2007"): the contract is made on the last of them, not the first."""
    if not _SIGNED_ON.search(text, max(0, found.start - 40), found.start):
        return found
    beside = [d for d in find_dates(text, found.start, min(len(text), found.end + 300))
              if _SIGNED_ON.search(text, max(0, d.start - 40), d.start)]
    return max([found, *beside], key=lambda d: d.value)


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def agreement_date(text: str) -> Found | None:
    head = find_dates(text, 0, min(len(text), _PREAMBLE_CHARS))
    scored = [(score, d) for d in head if (score := _score(text, d)) >= 0 and (
        d.start < _HEAD_CHARS or (score > 0 and _MADE.search(text[slice(*sentence_bounds(text, d.start, 400))])))]
    if scored:
        best = max(scored, key=lambda item: (item[0], -item[1].start))
        if best[0] > 0:
            chosen = _last_of_signing_dates(text, best[1])
            return Found(chosen.value, *_quote_span(text, chosen))
    # A preamble left blank for the signers ("this ___ day of ______, 2004") still dates the contract, partly.
    blank = next((d for d in find_partial_dates(text, 0, min(len(text), _HEAD_CHARS)) if _score(text, d) > 0), None)
    if blank is not None:
        return Found(blank.value, *_quote_span(text, blank))
    # Undated preamble: a contract is made when the last party signs it.
    signed = signature_dates(text)
    if signed:
        last = max(signed, key=lambda d: (d.value, d.start))
        return Found(last.value, *_quote_span(text, last))
    if scored:
        return Found(scored[0][1].value, *_quote_span(text, scored[0][1]))
    return None


def effective_dates(text: str, agreement: Found | None) -> tuple[Found | None, Found | None]:
    """(the date the contract takes effect, the effective date it states), from one reading.

    The first is the start its term runs from, or None when it takes effect on an event we cannot date; without a
    statement of its own it is the agreement date. The second is set only where the contract states one: defined,
    commenced, or the agreement date where the contract says it takes effect when made or signed."""
    found, stated = _effective(text, agreement)
    return found, found if stated else None


def _takes_effect_when_made(text: str) -> bool:
    for cue in _EFFECTIVE_ON_MAKING.finditer(text):
        start, _ = sentence_bounds(text, cue.start(), 400)
        subject = text[max(start, cue.start() - 150):cue.start()]
        if _THIS_CONTRACT.search(subject) and not re.search(r"\bterminat\w*|\bother\b", subject, re.IGNORECASE):
            return True
    return False


def _effective(text: str, agreement: Found | None) -> tuple[Found | None, bool]:
    for cue in _EFFECTIVE_DEFINED.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 500)
        dates = find_dates(text, max(start, cue.start() - 200), min(end, cue.end() + 200))
        defines = re.search(r"Effective\s+Date[\"”']?\s*\)?\s*(?:of\s+this\s+Agreement\s+)?(?:shall\s+)?"
                            r"(?:mean|means|be|is|:)", text[start:end], re.IGNORECASE)
        if _LAST_SIGNATURE.search(text, max(start, cue.start() - 200), min(end, cue.end() + 200)):
            signed = signature_dates(text)
            if signed:
                last = max(signed, key=lambda d: (d.value, d.start))
                return Found(last.value, *_quote_span(text, last)), True
            # Signatures dated outside a signature block (a signing page up front): the agreement date is
            # already the last of them.
            return agreement, agreement is not None
        near: list[DateMatch | PartialMatch] = list(dates) or list(find_partial_dates(
            text, max(start, cue.start() - 200), min(end, cue.end() + 200)))
        if near:
            nearest = min(near, key=lambda d: min(abs(d.start - cue.end()), abs(d.end - cue.start())))
            return Found(nearest.value, *_quote_span(text, nearest)), True
        if defines and _EVENT.search(text, defines.end(), min(end, defines.end() + 120)):
            return None, True
    commenced = _commencement(text)
    if commenced is not None:
        return commenced, True
    if _STARTS_ON_EVENT.search(text):
        return None, True
    for cue in _EFFECTIVE_HEAD.finditer(text, 0, min(len(text), _HEAD_CHARS)):
        dates = find_dates(text, cue.end(), min(len(text), cue.end() + 60))
        before = text[max(0, cue.start() - 120):cue.start()]
        if dates and not (_OTHER_THING.search(before) or _NAMED_OTHER_AGREEMENT.search(before)):
            return Found(dates[0].value, *_quote_span(text, dates[0])), True
    # Most contracts take effect on the date they are made; only some say so ("as of the date first written above").
    return agreement, agreement is not None and _takes_effect_when_made(text)


def _commencement(text: str) -> Found | None:
    """"This Agreement shall commence on June 1, 1999" / "Contract start: 04-01-06": the term's first day."""
    position = 0
    # Searched overlapping: a heading "Term" can open a match that hides "commencement date ... will be" after it.
    while (verb := _COMMENCES.search(text, position)) is not None:
        position = verb.start() + 1
        if OTHER_PERIOD_NAME.search(verb.group(0)):
            continue  # "the first Contract Year commences as of June 1": a period inside the term
        dates = find_dates(text, verb.end(), min(len(text), verb.end() + 40))
        if dates and not text[verb.end():dates[0].start].strip(" \t\n,:"):
            return Found(dates[0].value, *_quote_span(text, dates[0]))
    return None


def _quote_span(text: str, found: DateMatch | PartialMatch) -> tuple[int, int]:
    """A quote with the words that give the date its meaning, not just the bare date."""
    start, end = sentence_bounds(text, found.start, 250)
    return max(start, found.start - 160), min(end, found.end + 60)
