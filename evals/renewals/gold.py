"""Gold renewal schedules: `core.renewal_schedule.schedule_for` applied to CUAD's gold answers, parsed
by the extraction eval's rules (`evals/extraction/gold.py`). The rules here are the eval's definition.

- Term end: the "Expiration Date" answer (a date, or "perpetual"). CUAD labels no initial term, so a missing
  expiration answer gives no term end (the gold schedule is "unknown": no renewal date, no deadline); the
  agreement and effective dates cannot stand in for it. An expiration date with a redacted part
  (`[]/[]/2001`) is known to exist but not known: the contract is not scored on either date.
- Auto-renews: the "Renewal Term" answer gives a period or "perpetual". CUAD's Renewal Term covers automatic
  renewals and a party's unilateral option to renew ("Distributor may renew for one additional three-year
  term"), and its answer does not say which, so an option counts as auto-renewing here; the extractor reports
  `auto_renewal` only for automatic wording, so option contracts whose term has ended score as misses. The
  answer's wording ("successive", "2 successive 10 years") does not separate them either and is not used.
- Renewal term: the answer's period (the last "number unit" pair, as in the extraction eval; P1Y == P12M).
  "perpetual" (continues until terminated) is an evergreen contract with no renewal term. A redacted period
  (`successive []`) is unknown: the renewal date is not scored when it depends on it (a term end before the
  as-of date), nor the deadline.
- Notice period: the "Notice Period To Terminate Renewal" answer's period; redacted (`[]`) is unknown, so the
  deadline is not scored when the schedule has one.
- Alternatives (`successive 12 months; successive 6 months`) give one gold schedule per combination; a
  prediction matching any of them is right.
- "One additional period" and "successive periods" are both stepped indefinitely (the schedule's rule); so are
  renewals that CUAD's text makes conditional (on sales targets, on approval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import product

from core.renewal_schedule import RenewalSchedule, TermEnd, schedule_for
from evals.extraction.gold import GoldDate, GoldDuration, gold_date, gold_durations
from extraction import cuad_fields as F


@dataclass(frozen=True)
class GoldSchedule:
    id: str
    schedules: tuple[RenewalSchedule, ...]  # one per combination of the answers' alternatives
    renewal_known: bool  # False: the renewal date depends on a redacted part of the gold
    deadline_known: bool  # False: the notice deadline does
    auto_renews: bool
    note: str = ""  # why a date is unknown


@dataclass(frozen=True)
class _Period:
    iso: str | None  # None: no period ("perpetual", or no answer)
    known: bool  # False: redacted


def gold_term_end(answer: str | None) -> tuple[TermEnd, bool]:
    """(term end, known) from the Expiration Date answer."""
    parsed = gold_date(answer) if answer and answer.strip() else None
    if parsed is None:
        return None, True
    if parsed == "perpetual":
        return "perpetual", True
    assert isinstance(parsed, GoldDate)
    if parsed.year is None or parsed.month is None or parsed.day is None:
        return None, False
    try:
        return date(parsed.year, parsed.month, parsed.day), True
    except ValueError:
        return None, False


def _iso(duration: GoldDuration) -> str | None:
    if duration.months:
        return f"P{duration.months}M"
    if duration.days:
        return f"P{duration.days}D"
    return None


def _periods(answer: str | None) -> list[_Period]:
    """Each alternative of a Renewal Term / Notice Period answer (empty: no gold value)."""
    periods: list[_Period] = []
    for value in gold_durations(answer) if answer and answer.strip() else []:
        if value == "perpetual":
            periods.append(_Period(None, True))
        elif isinstance(value, GoldDuration) and value.months is None:
            periods.append(_Period(None, False))
        elif isinstance(value, GoldDuration) and (iso := _iso(value)) is not None:
            periods.append(_Period(iso, True))
    return periods


def gold_schedule(contract_id: str, answers: dict[str, str | None], as_of: date) -> GoldSchedule:
    term_end, term_known = gold_term_end(answers.get(F.EXPIRATION_DATE))
    renewals = _periods(answers.get(F.RENEWAL_TERM))
    auto_renews = bool(renewals)
    notices = _periods(answers.get(F.NOTICE_PERIOD)) or [_Period(None, True)]
    schedules = []
    renewal_known = deadline_known = term_known
    note = "" if term_known else "expiration date redacted"
    for renewal, notice in product(renewals or [_Period(None, True)], notices):
        schedule = schedule_for(term_end, auto_renews, renewal.iso, notice.iso, as_of)  # auto in CUAD's sense
        schedules.append(schedule)
        if auto_renews and not renewal.known and isinstance(term_end, date) and term_end < as_of:
            renewal_known = deadline_known = False
            note = note or "renewal term redacted"
        if auto_renews and not notice.known and schedule.renewal_date is not None:
            deadline_known = False
            note = note or "notice period redacted"
    return GoldSchedule(contract_id, tuple(schedules), renewal_known, deadline_known, auto_renews, note)
