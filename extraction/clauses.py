"""Clause-level terms: governing law, cap on liability (CUAD's broad sense), termination for convenience."""

from __future__ import annotations

import re
from decimal import Decimal

from extraction.jurisdictions import (
    ADJECTIVE_LAW,
    ADJECTIVES,
    COUNTRIES,
    JURISDICTION,
    canonical_jurisdiction,
)
from extraction.money import MONEY, money_from_match
from extraction.sections import under_heading
from extraction.spans import Found, sentence_bounds

# Sentences that may choose a law: they govern, construe or apply "the laws of" somewhere, or name "X law".
_GOVERN = r"\bgovern(?:s|ed|ing)?\b"
_LAW_SENTENCE = re.compile(_GOVERN + r"|\blaws?\s+(?:of|in\s+force\s+in)\b|\b[A-Z]\w+\s+(?:substantive\s+)?laws?\b",
                           re.IGNORECASE)
_LAW_OF = re.compile(r"\blaws?\s+(?:(?:and|,)\s+\w+\s+)?(?:of|in\s+force\s+in|prevailing\s+in|applicable\s+in)\s+(?:the\s+)?",
                     re.IGNORECASE)
_UNIT_OF = re.compile(r"(?:the\s+)?(?:state|province|commonwealth|territory|republic|kingdom)\s+of\s+(?:the\s+)?",
                      re.IGNORECASE)
_GOVERNS = re.compile(_GOVERN + r"|\bconstru\w+|\binterpret\w*|\bshall\s+apply\b|\bapplicable\s+law\b|"
                      r"\bsubject\s+to\s+(?:the\s+)?(?:application\s+of\s+(?:the\s+)?)?\w+\s+laws?\b|\bchoice\s+of\s+law", re.IGNORECASE)
_ENTITY_STATUS = re.compile(r"\b(?:incorporated|organi[sz]ed|existing|formed|registered|chartered|licensed|qualified)\s+"
                            r"(?:\w+\s+){0,3}?(?:under|in\s+accordance\s+with|pursuant\s+to)\s+(?:the\s+)?laws?",
                            re.IGNORECASE)
# The agreement itself is what the law governs ("The validity ... of this Agreement shall be controlled by and
# construed under"), not a franchisee group or the regulations a party must follow.
_AGREEMENT_UNDER_LAW = re.compile(r"\b(?:this|the)\s+agreement\b[^.;]{0,80}?\b(?:shall|will|is\s+to|must)\s+(?:\w+\s+){0,2}?"
                                  r"be\s+(?:\w+\s+){0,3}?(?:governed|construed|interpreted|controlled|enforced)\b",
                                  re.IGNORECASE)
_LAW_HEADING = re.compile(r"govern\w*\s+law|applicable\s+law|choice\s+of\s+law|law\s+and\s+jurisdiction|"
                          r"^\s*(?:the\s+)?law\b", re.IGNORECASE)


def governing_law(text: str) -> Found | None:
    """The jurisdiction whose law governs the contract, from the sentence that best reads as a choice of law."""
    best: tuple[int, Found] | None = None
    seen: set[int] = set()
    for cue in _LAW_SENTENCE.finditer(text):
        start, end = sentence_bounds(text, cue.start(), 600)
        if start in seen:
            continue
        seen.add(start)
        chosen = _chosen_jurisdiction(text, start, end)
        if chosen is None:
            continue
        name, directness = chosen
        sentence = text[start:end]
        governs = bool(_GOVERNS.search(sentence))
        headed = under_heading(text, start, _LAW_HEADING)
        if _ENTITY_STATUS.search(sentence) and not re.search(_GOVERN, sentence, re.IGNORECASE):
            continue
        if not (governs or headed):
            continue
        score = directness + 2 * headed + 3 * bool(re.search(_GOVERN, sentence, re.IGNORECASE)) + governs + \
            3 * bool(_AGREEMENT_UNDER_LAW.search(sentence))
        if best is None or score > best[0]:
            best = (score, Found(name, start, end))
    return best[1] if best else None


def _chosen_jurisdiction(text: str, start: int, end: int) -> tuple[str, int] | None:
    """The jurisdiction whose law is chosen: named right after "the laws of" (a state or province before a
    country: "the laws of the United States and of the State of New York" is New York law), else "X law"
    ("Italian law", "Delaware law"), else the first place the sentence names; with how directly it is named."""
    after_laws: list[str] = []
    for law in _LAW_OF.finditer(text, start, end):
        prefix = _UNIT_OF.match(text, law.end(), end)
        named = JURISDICTION.match(text, prefix.end() if prefix else law.end(), end)
        if named and (name := canonical_jurisdiction(named.group(0))):
            after_laws.append(name)
    if after_laws:
        return next((n for n in after_laws if n not in COUNTRIES), after_laws[0]), 3
    for named in JURISDICTION.finditer(text, start, end):
        if re.match(r"\s+(?:substantive\s+)?laws?\b", text[named.end():named.end() + 20], re.IGNORECASE):
            name = canonical_jurisdiction(named.group(0))
            return (name, 2) if name else None
    adjective = ADJECTIVE_LAW.search(text, start, end)
    if adjective:
        name = canonical_jurisdiction(ADJECTIVES[adjective.group("adjective").lower()])
        return (name, 2) if name else None
    names = [n for m in JURISDICTION.finditer(text, start, end) if (n := canonical_jurisdiction(m.group(0)))]
    return (next((n for n in names if n not in COUNTRIES), names[0]), 0) if names else None


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
    # "In no event (including a party's default) shall X or Y, on the one hand, or Z, on the other hand, be liable"
    (re.compile(r"\b(?:in\s+no\s+event|under\s+no\s+circumstances)\s+(?:\([^()]{0,120}\)\s+)?(?:shal[lI]|will)\s+"
                r"(?:\w+[\s,]+){0,20}?(?:be\s+)?(?:liable|responsible)", re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:shal[lI]|will)\s+not\s+(?:\w+\s+){0,2}?be\s+(?:liable|responsible)\s+(?:\w+[\s,]+){0,20}?(?:indirect|"
                r"incidental|special|consequential|punitive|exemplary|lost\s+profits)\b", re.IGNORECASE),
     "excluded_damages"),
    # "Neither the Company nor the Consultant shall", "NEITHER PARTY WILL, UNDER ANY CIRCUMSTANCES, BE LIABLE"
    (re.compile(r"\b(?:no|neither)\s+(?:[\w,]+\s+){0,6}?(?:shal[lI]|will),?\s+(?:[\w,]+\s+){0,4}?be\s+(?:liable|responsible)\s+"
                r"(?:\w+[\s,]+){0,20}?(?:indirect|incidental|special|consequential|punitive|exemplary)\b", re.IGNORECASE),
     "excluded_damages"),
    (re.compile(r"\bno\s+(?:action|claim|suit|proceeding)s?[\s,]+(?:\w+[\s,]+){0,20}?may\s+be\s+(?:brought|commenced|"
                r"instituted)\s+(?:\w+[\s,]+){0,12}?more\s+than", re.IGNORECASE), "claim_time_limit"),
    (re.compile(r"\b(?:no|neither|nor)\b[^.;]{0,200}?(?:shall|will)\s+(?:\w+\s+){0,2}?(?:have|bear|incur)\s+(?:any\s+)?"
                r"liabilit\w*[^.;]{0,120}?(?:indirect|incidental|special|consequential|punitive|exemplary)",
                re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:waives?|disclaims?)\s+(?:\w+\s+){0,8}?(?:right\s+to\s+(?:seek|recover|claim)\s+)?(?:any\s+)?"
                r"(?:\w+[\s,]+){0,6}?(?:punitive|exemplary|consequential|incidental|special)\s+(?:\w+[\s,]+){0,4}?damages",
                re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:shall|will|may)\s+not\s+(?:\w+\s+){0,2}?award\s+(?:\w+[\s,]+){0,6}?(?:punitive|exemplary|"
                r"consequential|multipl\w+)\s+(?:\w+[\s,]+){0,4}?damages", re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:claims?|actions?)\s+(?:\w+[\s,]+){0,20}?(?:shall|will)\s+be\s+(?:\w+\s+){0,6}?barred\W+(?:\w+\W+)"
                r"{0,8}?unless\s+(?:\w+[\s,]+){0,10}?(?:commenced|brought|filed|instituted)\s+within", re.IGNORECASE),
     "claim_time_limit"),
    # "X's liability for indirect loss, including consequential loss, ... is excluded"
    (re.compile(r"\bliabilit\w*\s+(?:\w+[\s,]+){0,12}?(?:indirect|consequential|incidental|special)\b[^.;]{0,200}?\b(?:is|are|"
                r"shall\s+be|will\s+be)\s+excluded\b", re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\bexcluding\s+(?:any\s+and\s+all\s+|all\s+|any\s+)?(?:\w+[\s,]+){0,4}?(?:consequential|punitive|indirect|"
                r"incidental|special)\s+(?:\w+[\s,]+){0,6}?damages", re.IGNORECASE), "excluded_damages"),
    (re.compile(r"\b(?:shall|will)\s+not\s+be\s+(?:required|obligated|liable)\s+to\s+(?:pay|contribute)\s+(?:\w+\s+){0,4}?"
                r"in\s+excess\s+of\b", re.IGNORECASE), "amount"),
    (re.compile(r"\bliabilit\w*\s+(?:\w+\s+){0,10}?(?:shall\s+be|is|will\s+be)\s+subject\s+to\s+(?:the\s+)?(?:following\s+)?"
                r"limitations?\b", re.IGNORECASE), "amount"),
    # A heading named in a list of surviving sections ("10 (Indemnification; Limitation of Liability)") is no clause.
    (re.compile(r"\blimitations?\s+(?:of|on)\s+(?:\w+\s+)?liabilit\w*(?!\s*\))", re.IGNORECASE), "excluded_damages"),
]
# "two (2) times the fees", "1.50 TIMES THE FEES": a figure is read as written, a word through the table below
_MULTIPLE = re.compile(r"\b(\d+(?:\.\d+)?|\w+)\s+(?:\(\d+\)\s+)?times\s+the\s+(?:\w+\s+){0,4}?(?:fees|amounts?|price)",
                       re.IGNORECASE)
_FEES_PAID = re.compile(r"\b(?:amounts?|fees|sums|price|charges)\s+(?:\w+\s+){0,6}?(?:paid|payable)", re.IGNORECASE)
_MULTIPLE_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


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
            figure = times.group(1).lower()
            factor = Decimal(figure) if figure[0].isdigit() else _MULTIPLE_WORDS.get(figure)
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
