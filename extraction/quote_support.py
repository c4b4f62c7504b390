"""Does a value's own quote say it? Each value is re-read from its quote with the same normalisers.

A quote that exists in the document proves nothing by itself: a model (or an injected instruction) can give an
expiry of 2099-12-31 "cited" by a real but unrelated sentence. Here each value must be what its quote states:
a date among the quote's dates, a period among its periods, the jurisdiction it names, the amount it writes.
Two derivations are accepted because contracts state them that way: an expiry that is a start date plus a
period the quote gives ("twelve (12) months from the date hereof"), and a date the quote refers to by a
defined reference ("effective as of the date first written above") that equals another supported date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from core.contract_terms import Cited, ContractTerms, DateOrPerpetual, LiabilityCap, Money, Party
from extraction.dates import add_duration, find_dates
from extraction.durations import DURATION, ORDINALS, duration_from_match, duration_key
from extraction.jurisdictions import ADJECTIVE_LAW, ADJECTIVES, JURISDICTION, canonical_jurisdiction
from extraction.money import MONEY, money_from_match

_DATE_REFERENCE = re.compile(r"\b(?:date\s+(?:hereof|first\s+(?:above\s+)?(?:written|set\s+forth|stated)|of\s+"
                             r"(?:this|execution|signature)|(?:of\s+)?last\s+signed)|effective\s+date|execution|"
                             r"executed|signed|above)\b", re.IGNORECASE)
_PERPETUAL = re.compile(r"\b(?:perpetu\w*|indefinite\w*|(?:until|when)\s+(?:(?:it\s+is\s+|so\s+)?terminated|termination)|"
                        r"no\s+(?:fixed\s+)?(?:term|expiration)|continuing\s+agreement|in\s+(?:full\s+)?force\s+"
                        r"(?:and\s+effect\s+)?unless)\b", re.IGNORECASE)
# "the second anniversary", "the fifth (5th) anniversary": a term in years.
_ANNIVERSARY = re.compile(r"\b(?P<ordinal>[a-z]+|\d{1,2}\s?(?:st|nd|rd|th))\s*(?:\([^)]{0,8}\)\s*)?"
                          r"anniversary", re.IGNORECASE)
_YEARLY = re.compile(r"\b(?:year\s+to\s+year|annual\w*|every\s+year|each\s+year|yearly)\b", re.IGNORECASE)
_CAP_LANGUAGE = re.compile(r"\b(?:exceed\w*|limit\w*|maximum|aggregate|in\s+no\s+event|liabilit\w*)\b", re.IGNORECASE)
_RENEWAL = re.compile(r"\b(?:renew\w*|extend\w*|extension|successive|continu\w*|rollover|roll\s+over)\b",
                      re.IGNORECASE)
_TERMINATION = re.compile(r"\bterminat\w*|\bcancel\w*", re.IGNORECASE)
_DAYS_NUMBER = re.compile(r"\b(\d{1,3})\b")
_NAME_WORD = re.compile(r"[A-Za-z0-9]+")
_NAME_NOISE = {"inc", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "lp", "llp", "the",
               "and", "of", "sa", "ag", "gmbh", "bv", "nv", "pte", "pty", "srl", "spa"}
_CAP_WORDS = {
    "multiple_of_fees": re.compile(r"\b(?:times|multiple|x)\b|\d\s*x\b", re.IGNORECASE),
    "amount": _CAP_LANGUAGE,
    "fees_paid": re.compile(r"\b(?:fees?|amounts?|paid|payable|charges?|price)\b", re.IGNORECASE),
    "excluded_damages": re.compile(r"\b(?:liabilit\w*|consequential|indirect|incidental|special|punitive|exemplary|lost\s+"
                                   r"profits?)\b", re.IGNORECASE),
    "uncapped": re.compile(r"\b(?:unlimited|no\s+limit\w*|not\s+(?:be\s+)?limit\w*|without\s+limit\w*)\b",
                           re.IGNORECASE),
}
_DATE_SLACK = timedelta(days=1)  # "ending on the day before the anniversary" is the same term


def _periods(quote: str) -> set[tuple[int, int]]:
    """Every period the quote writes, as (months, days); an n-th anniversary is n years, "annual" one year."""
    found = {duration_key(p) for m in DURATION.finditer(quote) if (p := duration_from_match(m))}
    for match in _ANNIVERSARY.finditer(quote):
        if years := ORDINALS.get(re.sub(r"\s", "", match.group("ordinal").lower())):
            found.add((12 * years, 0))
    if _YEARLY.search(quote):
        found.add((12, 0))
    return found


def _period_supported(value: str, quote: str) -> bool:
    if not re.fullmatch(r"P\d+(?:\.\d+)?[YMWD]", value):  # "perpetual", not a period of time
        return bool(_PERPETUAL.search(quote))
    return duration_key(value) in _periods(quote)


def _dates(quote: str) -> set[date]:
    return {d.value for d in find_dates(quote)}


def _jurisdictions(quote: str) -> set[str]:
    named = {c for m in JURISDICTION.finditer(quote) if (c := canonical_jurisdiction(m.group(0)))}
    return named | {c for m in ADJECTIVE_LAW.finditer(quote)
                    if (c := canonical_jurisdiction(ADJECTIVES[m.group("adjective").lower()]))}


def _amounts(quote: str) -> set[Decimal]:
    return {found[0] for m in MONEY.finditer(quote) if (found := money_from_match(m))}


def _name_words(name: str) -> list[str]:
    return [w for w in _NAME_WORD.findall(name.lower()) if w not in _NAME_NOISE]


def party_supported(party: Party) -> bool:
    """Most of the name's distinctive words are in its quote (names are tidied, so not an exact match)."""
    words = _name_words(party.name)
    if not words:
        return False
    quoted = set(_NAME_WORD.findall(party.citation.quote.lower()))
    return sum(w in quoted for w in words) * 2 >= len(words) + (len(words) > 1)


def _near(value: date, candidates: set[date]) -> bool:
    return any(abs(value - c) <= _DATE_SLACK for c in candidates)


class _Checker:
    def __init__(self, terms: ContractTerms) -> None:
        self.terms = terms
        self.problems: list[str] = []

    def fail(self, name: str, value: object, quote: str) -> None:
        self.problems.append(f"Unsupported: the {name} {value!s} is not what its quote says "
                             f"({quote[:160]!r}{'…' if len(quote) > 160 else ''}).")

    def supported_start_dates(self) -> set[date]:
        starts = set()
        for cited in (self.terms.effective_date, self.terms.agreement_date):
            if cited is not None and self.date_supported(cited, allow_reference=False):
                starts.add(cited.value)
        return starts

    def date_supported(self, cited: Cited[date], allow_reference: bool = True) -> bool:
        quote = cited.citation.quote
        if cited.value in _dates(quote):
            return True
        # "effective as of the date first written above": the same date as the other, supported one.
        return allow_reference and bool(_DATE_REFERENCE.search(quote)) and cited.value in self.supported_start_dates()

    def expiry_supported(self, cited: Cited[DateOrPerpetual]) -> bool:
        quote = cited.citation.quote
        if cited.value == "perpetual":
            return bool(_PERPETUAL.search(quote))
        assert isinstance(cited.value, date)
        if _near(cited.value, _dates(quote)):
            return True
        starts = self.supported_start_dates() | _dates(quote)
        return any(_near(cited.value, {add_duration(start, f"P{months}M" if months else f"P{days}D")})
                   for start in starts for months, days in _periods(quote))

    def check(self) -> list[str]:
        t = self.terms
        for name, cited in (("agreement date", t.agreement_date), ("effective date", t.effective_date)):
            if cited is not None and not self.date_supported(cited):
                self.fail(name, cited.value, cited.citation.quote)
        if t.expiration_date is not None and not self.expiry_supported(t.expiration_date):
            self.fail("expiration date", t.expiration_date.value, t.expiration_date.citation.quote)
        for name, period in (("initial term", t.initial_term), ("renewal term", t.renewal_term),
                             ("notice period to terminate renewal", t.notice_period_to_terminate_renewal)):
            if period is not None and not _period_supported(period.value, period.citation.quote):
                self.fail(name, period.value, period.citation.quote)
        if t.auto_renewal is not None and t.auto_renewal.value and not _RENEWAL.search(t.auto_renewal.citation.quote):
            self.fail("automatic renewal", t.auto_renewal.value, t.auto_renewal.citation.quote)
        tfc = t.termination_for_convenience
        if tfc is not None and tfc.value and not _TERMINATION.search(tfc.citation.quote):
            self.fail("termination for convenience", tfc.value, tfc.citation.quote)
        if t.governing_law is not None and t.governing_law.value not in _jurisdictions(t.governing_law.citation.quote):
            self.fail("governing law", t.governing_law.value, t.governing_law.citation.quote)
        net = t.payment_terms_net_days
        if net is not None and net.value not in _day_counts(net.citation.quote):
            self.fail("payment terms (days)", net.value, net.citation.quote)
        for money in [*t.fees, *([t.total_contract_value] if t.total_contract_value else [])]:
            if not self.money_supported(money):
                self.fail("amount", f"{money.currency} {money.amount}", money.citation.quote)
        if t.liability_cap is not None and not self.cap_supported(t.liability_cap):
            self.fail("liability cap", t.liability_cap.kind.replace("_", " "), t.liability_cap.citation.quote)
        for party in t.parties:
            if not party_supported(party):
                self.fail("party", repr(party.name), party.citation.quote)
        return self.problems

    @staticmethod
    def money_supported(money: Money) -> bool:
        return money.amount in _amounts(money.citation.quote)

    def cap_supported(self, cap: LiabilityCap) -> bool:
        quote = cap.citation.quote
        if cap.kind == "amount" and cap.amount is not None:
            return self.money_supported(cap.amount)
        if cap.kind == "claim_time_limit":
            return bool(_periods(quote))
        return bool(_CAP_WORDS[cap.kind].search(quote))


def _day_counts(quote: str) -> set[int]:
    """"net 30", "within thirty (30) days": the numbers and the day periods the quote writes."""
    return {int(n) for n in _DAYS_NUMBER.findall(quote)} | {days for months, days in _periods(quote) if not months}


def unsupported_values(terms: ContractTerms) -> list[str]:
    """One reason per value whose own quote does not state it (empty: every value is what its quote says)."""
    return _Checker(terms).check()
