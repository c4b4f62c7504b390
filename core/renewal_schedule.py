"""A contract's renewal schedule as of a date: its term end, next renewal date and notice deadline.

The rules, exactly:

- `renewal_date`: the term end, if it is on or after the as-of date; otherwise, for a contract that renews (by
  itself, or at a party's option: CUAD's sense of a renewal term) with a renewal term, term end + k x renewal
  term for the smallest k >= 1 that reaches (>=) the as-of date; otherwise none (a fixed term that has expired,
  an evergreen contract past its term end, a perpetual or unknown one).
- `notice_deadline`: renewal date - notice period, for a renewing contract with a notice period and a renewal
  date (none otherwise). It may lie before the as-of date: the deadline for that renewal has passed.
- Calendar arithmetic (`dateutil.relativedelta`): years count as 12 months, weeks as 7 days; a month step that
  lands past a month's end is clamped to its last day. Renewal k is computed from the original term end as
  term end + (k x n) months, never by repeated addition, so Jan 31 + 1 month twice is Mar 31, not Mar 28.
- `kind`: "perpetual" (the term end is "perpetual"), "unknown" (no term end), "auto_renewing" (auto-renews with
  a renewal term), "renewal_option" (renews for a renewal term at a party's option), "evergreen" (auto-renews
  with no stated renewal term: continues until terminated), else "fixed_term". The schedule steps an option
  contract past its term end as if the option was taken each time (the contract is still on file); whether it
  was is for a person to confirm, and nothing assumes a past option renewal happened.

`schedule_from_terms` reads those inputs from `ContractTerms`: the term end is the expiration date when the
contract states one, else the effective (or agreement) date + the initial term when both are known; it
auto-renews only when `auto_renewal` says so; a renewal term without it is a party's option to renew (the
extractor drops renewals by mutual agreement, which are no renewal term); a renewal term of "perpetual"
(continues until terminated) is an evergreen contract with no renewal term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import field_validator

from core.contract_terms import ContractTerms
from core.state_model import StateModel

Kind = Literal["auto_renewing", "renewal_option", "fixed_term", "evergreen", "perpetual", "unknown"]
TermEnd = date | Literal["perpetual"] | None

_DURATION = re.compile(r"P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
                       r"(?:(?P<D>\d+(?:\.\d+)?)D)?")


def duration_parts(iso: str) -> tuple[int, int]:
    """(months, days) of an ISO-8601 date duration ("P1Y" -> (12, 0), "P2W" -> (0, 14), "P1Y6M" -> (18, 0)).
    Raises ValueError for anything else, or for a zero duration (a period that never moves the calendar)."""
    match = _DURATION.fullmatch(iso)
    if not match or not any(match.groupdict().values()):
        raise ValueError(f"not an ISO-8601 date duration: {iso!r}")
    part = {unit: float(value or 0) for unit, value in match.groupdict().items()}
    months, days = round(part["Y"] * 12 + part["M"]), round(part["W"] * 7 + part["D"])
    if months == 0 and days == 0:
        raise ValueError(f"a zero duration: {iso!r}")
    return months, days


def is_duration(value: str | None) -> bool:
    if value is None:
        return False
    try:
        duration_parts(value)
    except ValueError:
        return False
    return True


def _step(iso: str, times: int = 1) -> relativedelta:
    months, days = duration_parts(iso)
    return relativedelta(months=months * times, days=days * times)


class RenewalSchedule(StateModel):
    term_end: TermEnd
    auto_renews: bool  # renews by itself unless notice is given
    renewal_term: str | None  # ISO-8601 duration
    notice_period: str | None  # ISO-8601 duration
    renewal_date: date | None
    notice_deadline: date | None
    kind: Kind

    @property
    def renews(self) -> bool:
        """Renews by itself or at a party's option (CUAD's "renewal term")."""
        return self.auto_renews or self.kind == "renewal_option"

    @field_validator("renewal_term", "notice_period")
    @classmethod
    def _iso_duration(cls, value: str | None) -> str | None:
        if value is not None:
            duration_parts(value)
        return value


def next_renewal(term_end: date, renewal_term: str, as_of: date) -> date:
    """term end + k x renewal term for the smallest k >= 1 reaching `as_of` (term end < as_of)."""
    months, days = duration_parts(renewal_term)
    # A step is at most 31 days a month plus its days, so below this k the date has surely not reached as_of:
    # start there instead of at 1 (a monthly renewal since 1995 would otherwise take hundreds of steps).
    k = max(1, ((as_of - term_end).days - 1) // (31 * months + days))
    while term_end + _step(renewal_term, k) < as_of:
        k += 1
    return term_end + _step(renewal_term, k)


def schedule_for(term_end: TermEnd, auto_renews: bool, renewal_term: str | None, notice_period: str | None,
                 as_of: date, renewal_option: bool = False) -> RenewalSchedule:
    """The schedule by the rules in this module's docstring; `renewal_option`: the renewal term is a party's
    option (ignored when `auto_renews`)."""
    option = renewal_option and not auto_renews and renewal_term is not None
    renews = auto_renews or option
    renewal_date: date | None = None
    if isinstance(term_end, date):
        if term_end >= as_of:
            renewal_date = term_end
        elif renews and renewal_term is not None:
            renewal_date = next_renewal(term_end, renewal_term, as_of)
    notice_deadline = None
    if renews and notice_period is not None and renewal_date is not None:
        notice_deadline = renewal_date - _step(notice_period)
    kind: Kind
    if term_end == "perpetual":
        kind = "perpetual"
    elif term_end is None:
        kind = "unknown"
    elif auto_renews:
        kind = "auto_renewing" if renewal_term is not None else "evergreen"
    else:
        kind = "renewal_option" if option else "fixed_term"
    return RenewalSchedule(term_end=term_end, auto_renews=auto_renews, renewal_term=renewal_term,
                           notice_period=notice_period, renewal_date=renewal_date,
                           notice_deadline=notice_deadline, kind=kind)


@dataclass(frozen=True)
class ScheduleInputs:
    """What `schedule_from_terms` reads, and from which `ContractTerms` attributes (for the review policy)."""

    term_end: TermEnd
    auto_renews: bool
    renewal_term: str | None
    notice_period: str | None
    sources: tuple[str, ...]  # the ContractTerms attributes the values above came from


def schedule_inputs(terms: ContractTerms) -> ScheduleInputs:
    sources: list[str] = []
    term_end: TermEnd = None
    if terms.expiration_date is not None:
        term_end = terms.expiration_date.value
        sources.append("expiration_date")
    else:
        if terms.partial_expiration_date is not None:  # the contract leaves the expiry's day blank
            sources.append("partial_expiration_date")
        start_name = "effective_date" if terms.effective_date is not None else "agreement_date"
        start = getattr(terms, start_name)
        if start is not None and terms.initial_term is not None:
            initial = terms.initial_term.value
            if initial == "perpetual":
                term_end = "perpetual"
            elif is_duration(initial):
                term_end = start.value + _step(initial)
            if term_end is not None:
                sources += [start_name, "initial_term"]
    auto_renews = bool(terms.auto_renewal is not None and terms.auto_renewal.value)
    if terms.auto_renewal is not None:
        sources.append("auto_renewal")
    renewal_term = None
    if terms.renewal_term is not None:
        sources.append("renewal_term")
        # "perpetual": it continues until terminated, an evergreen contract with no renewal term to step by.
        renewal_term = terms.renewal_term.value if is_duration(terms.renewal_term.value) else None
    notice = terms.notice_period_to_terminate_renewal
    notice_period = notice.value if notice is not None and is_duration(notice.value) else None
    if notice is not None:
        sources.append("notice_period_to_terminate_renewal")
    return ScheduleInputs(term_end, auto_renews, renewal_term, notice_period, tuple(sources))


def schedule_from_terms(terms: ContractTerms, as_of: date) -> RenewalSchedule:
    inputs = schedule_inputs(terms)
    return schedule_for(inputs.term_end, inputs.auto_renews, inputs.renewal_term, inputs.notice_period, as_of,
                        renewal_option=inputs.renewal_term is not None)
