"""Where personal data (and, when asked, amounts) sits in a text: spans with a kind, found without any model.

Presidio's name recogniser needs a spaCy model, which no package registry serves, so names come from what marks
them in contracts and CRM text instead: signature blocks ("By:", "Name:", "/s/"), notice lines ("Attn:"),
titles ("Ms."), greetings, a name written beside its email, and the values Salesforce already knows (the deal's
contact names, emails and addresses). Phones are found by `phonenumbers` (Google's libphonenumber rules), emails
and street addresses by patterns. benchmarks/pii_bench.py measures recall and precision per kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import phonenumbers
import regex as re
from pydantic import BaseModel, ConfigDict

from core.state_model import StateModel

Kind = Literal["person", "email", "phone", "address", "amount"]
# Where two spans overlap, the stronger evidence wins: an email is never split into a name, an address's
# house number is not a phone.
PRIORITY: dict[str, int] = {"email": 0, "phone": 1, "address": 2, "person": 3, "amount": 4}
PHONE_REGIONS = ("US", "GB")  # numbers without a +country prefix are read as these; any with one are read as such


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    kind: Kind
    text: str


class KnownValue(StateModel):
    """A value a system of record holds for this deal (a contact's name, email or address), matched as written."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    value: str


EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.\p{L}{2,}(?![\w-])")

# A name: two to four capitalised words (initials allowed), e.g. "Jane Q. Doe", "José García-López", "O'Brien",
# "McAllister".
_WORD = r"(?:Mc|Mac|O['’]|D['’])?\p{Lu}\p{Ll}+(?:['’]\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)?"
_NAME = rf"{_WORD}(?:[ \t]+(?:\p{{Lu}}\.|{_WORD}|(?:van|von|de|del|da|di|le|la|bin|al)(?=[ \t]+\p{{Lu}})))" \
        rf"{{0,2}}[ \t]+{_WORD}"
_TITLE = r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame|Miss)\.?"
# Cues after which a name is written; "By:" and "Name:" are how signature blocks name who signed.
_CUE = r"(?:By|Name|Attn|Attention|Signed|Signature|Signatory|Contact|Signer|Witness|From|To|Cc|Printed\ Name|" \
       r"Authori[sz]ed\ Signatory|Contact\ Person|Prepared\ by|Approved\ by|Reviewed\ by|Requested\ by)"
PERSON_PATTERNS = [
    re.compile(rf"(?:(?<=\b{_CUE}[ \t]*:[ \t]*)|(?<=/s/[ \t]*))(?:{_TITLE}[ \t]+)?(?P<name>{_NAME}|{_WORD})"),
    re.compile(rf"\b{_TITLE}[ \t]+(?P<name>{_NAME}|{_WORD})"),
    re.compile(rf"\b(?:Dear|Hi|Hello|Regards,|Thanks,|Sincerely,|c/o)[ \t\n]+(?P<name>{_NAME})"),
    re.compile(rf"(?P<name>{_NAME})[ \t]*(?:<|\(|,[ \t]*|[ \t]+at[ \t]+)(?=[\w.+-]+@)"),  # "Jane Doe <jane@…>"
    re.compile(rf"\b(?i:contact|call|phone|ring|e-?mail|ask|reach|notify|cc|attention of|signed by|executed by|"
               rf"countersigned by|approved by|introduced by|per|speak to|speak with|talk to|meet|met)"
               rf"[ \t]+(?P<name>{_NAME})"),
    re.compile(rf"(?P<name>{_NAME})(?=,?[ \t]+(?:\(|our|the|their|its)?[ \t]*(?:CEO|CFO|COO|CTO|CIO|General "
               rf"Counsel|VP|Vice President|Director|Head|Manager|President|Chief|Procurement|Legal)\b)"),
]
# Sentence-initial or heading words that the name shape matches but that name no one.
NOT_NAMES = frozenset(["the", "this", "that", "these", "those", "each", "either", "any", "all", "such", "party", "parties", "customer", "provider", "supplier", "vendor", "company", "agreement", "contract", "section", "schedule", "exhibit", "order", "form", "services", "service", "term", "terms", "notice", "notices", "date", "effective", "signature", "title", "name", "by", "and", "or", "of", "for", "in", "on", "to", "with", "from", "dear", "signed", "sincerely", "regards", "thanks", "hello", "witness", "print", "printed", "authorized", "authorised", "signatory", "officer", "director", "president", "chief", "executive", "financial", "counsel", "manager", "head", "legal", "sales", "finance", "procurement", "department", "team", "dated", "witnesseth", "whereas", "now", "therefore", "recitals", "appendix", "annex", "page", "exhibit", "confidential", "information", "contact", "call", "email", "please", "ask", "send", "attn", "reach", "phone", "tel", "mobile", "fax", "licensee", "licensor", "buyer", "seller", "client", "partner", "partners", "member", "members", "board", "office", "offices", "master", "subscription", "statement", "work", "general", "data", "processing", "limited", "liability", "inc", "ltd", "llc", "plc", "gmbh", "corp", "corporation", "group", "holdings", "united", "states", "kingdom", "new", "york", "california", "delaware", "england", "wales", "texas"])

_STREET = r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Parkway|" \
          r"Pkwy|Terrace|Square|Sq|Highway|Hwy|Circle|Crescent|Close|Row|Plaza|Strasse|Straße|Allee)"
_UNIT = r"(?:,?[ \t]+(?:Suite|Ste\.?|Floor|Fl\.?|Unit|Apt\.?|Building|Bldg\.?|Room)[ \t]+[\w-]+)?"
_CITY = r"(?:,[ \t]*\p{Lu}\p{Ll}[\p{L}.'-]*(?:[ \t]+\p{Lu}\p{Ll}[\p{L}.'-]*){0,2})"
_REGION_CODE = r"(?:,?[ \t]*(?:[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|\d{4,5}))"
ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?[ \t]+(?:\p{{Lu}}[\p{{L}}'.-]*[ \t]+){{1,4}}{_STREET}\b\.?{_UNIT}"
    rf"(?:{_CITY}{_REGION_CODE}?)?(?:,[ \t]*(?:USA|United States|UK|United Kingdom|Germany|France|Canada))?")
PO_BOX = re.compile(rf"\bP\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+(?:{_CITY}{_REGION_CODE}?)?")
AMOUNT = re.compile(
    r"(?:(?:US|USD|EUR|GBP|CAD|AUD)[ \t]?\$?|[$€£])[ \t]?\d[\d,]*(?:\.\d+)?(?:[ \t]?(?:million|thousand|[kKmM]\b|bn))?"
    r"|\b\d[\d,]*(?:\.\d+)?[ \t]?(?:million[ \t]+)?(?:USD|EUR|GBP|dollars|euros|pounds)\b")


def _names(text: str) -> Iterable[Span]:
    for pattern in PERSON_PATTERNS:
        for match in pattern.finditer(text):
            offset = match.start("name")
            words = [(offset + w.start(), offset + w.end()) for w in re.finditer(r"\S+", match.group("name"))]
            while words and text[words[0][0]:words[0][1]].lower().strip(".,") in NOT_NAMES:
                words.pop(0)  # "The Customer" or "Effective Date" is not a name
            while words and text[words[-1][0]:words[-1][1]].lower().strip(".,") in NOT_NAMES:
                words.pop()
            if words:
                start, end = words[0][0], words[-1][1]
                yield Span(start=start, end=end, kind="person", text=text[start:end])


_DATE_OR_SECTION = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,3}(?:\.\d{1,3}){2,}|[\d,]+\.\d{2}")


# How a phone number is written when it is one: international (+...), North American ((212) 555-0123,
# 212-555-0123, 212.555.0123) or British with its trunk 0 (020 7946 0958). A bare run of digits is a phone only
# beside a word that says so: contracts are full of patent, registration, tax and account numbers of the same length.
_PHONE_WRITTEN = re.compile(r"\+\s?\d.*|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}|0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}")
_PHONE_CUE = re.compile(r"(?i:\b(?:tel|telephone|phone|fax|facsimile|mobile|cell|call|ring|dial|direct|"
                        r"contact)\b|\b[tfmp]\s*:)[\s.:#()]*(?:no\.?\s*:?\s*)?$")
_CUE_REACH = 30  # characters before a number searched for its cue ("Telephone No.: ", "Call Dana on ")


def _phones(text: str) -> Iterable[Span]:
    # POSSIBLE, not VALID: fictional and unallocated ranges (555-01xx) are still someone's number in a test
    # corpus. The shape filter keeps dates, section numbers and sums out.
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            raw = match.raw_string
            digits = sum(c.isdigit() for c in raw.split("x")[0].split("ext")[0])
            if digits < (8 if raw.startswith("+") else 9) or _DATE_OR_SECTION.fullmatch(raw.strip()):
                continue
            number = re.split(r"\s*(?:x|ext\.?)\s*\d+$", raw.strip())[0]
            before = text[max(0, match.start - _CUE_REACH):match.start]
            if any(_PHONE_WRITTEN.fullmatch(n) for n in (number, number.strip("()[] "))) or _cued(before):
                yield Span(start=match.start, end=match.end, kind="phone", text=raw)


def _cued(before: str) -> bool:
    """A phone word ends the text before the number, or is its last word but one or two ("call Dana on")."""
    words = before.split()
    return any(_PHONE_CUE.search(" ".join(words[:len(words) - skip])) for skip in range(0, min(3, len(words))))


def _email_names(text: str, emails: list[Span]) -> Iterable[Span]:
    """"jane.doe@acme.com" names Jane Doe: her name written anywhere else in the text is found too."""
    for email in emails:
        local = email.text.split("@", 1)[0]
        parts = [p for p in re.split(r"[._-]", local) if len(p) > 1 and p.isalpha()]
        if len(parts) < 2:
            continue
        name = re.compile(r"\b" + r"[ \t]+".join(re.escape(p) for p in parts) + r"\b", re.IGNORECASE)
        for match in name.finditer(text):
            yield Span(start=match.start(), end=match.end(), kind="person", text=match.group(0))


def known_spans(text: str, known: Iterable[KnownValue]) -> Iterable[Span]:
    """Every place a known value is written, whole words only: in any case for an email or address, a name only
    where its words are capitalised (a contact called Will Grant is not every "will grant" of a contract)."""
    for item in known:
        value = item.value.strip()
        if len(value) < 3:
            continue
        pattern = r"(?<![\w.@-])" + r"\s+".join(re.escape(part) for part in value.split()) + r"(?![\w@-])"
        flags = re.IGNORECASE if (" " in value or "@" in value) else 0
        for match in re.finditer(pattern, text, flags=flags):
            if item.kind == "person" and not all(w[0].isupper() for w in match.group(0).split()):
                continue  # "will grant" is no mention of Will Grant; "WILL GRANT" in a signature block is
            yield Span(start=match.start(), end=match.end(), kind=item.kind, text=match.group(0))


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in text order: longest first within a priority, stronger kinds first."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (PRIORITY[s.kind], -(s.end - s.start), s.start)):
        if span.end > span.start and all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def detect(text: str, known: Iterable[KnownValue] = (), amounts: bool = False) -> list[Span]:
    """The personal data in `text` (and currency amounts when `amounts`), as non-overlapping spans."""
    emails = [Span(start=m.start(), end=m.end(), kind="email", text=m.group(0)) for m in EMAIL.finditer(text)]
    spans: list[Span] = [*emails, *_phones(text), *known_spans(text, known), *_email_names(text, emails)]
    spans += [Span(start=m.start(), end=m.end(), kind="address", text=m.group(0))
              for pattern in (ADDRESS, PO_BOX) for m in pattern.finditer(text)]
    names = list(_names(text))
    # A name found once is found wherever else it is written in the same text ("Jane Doe ... Jane Doe").
    spans += names + list(known_spans(text, [KnownValue(kind="person", value=n.text) for n in names
                                             if " " in n.text]))
    if amounts:
        spans += [Span(start=m.start(), end=m.end(), kind="amount", text=m.group(0)) for m in AMOUNT.finditer(text)]
    return resolve(spans)
