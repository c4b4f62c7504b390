"""The renewal schedule's calendar rules (`core/renewal_schedule.py`), case by case."""

from __future__ import annotations

from datetime import date

import pytest

from agents.renewal_planner.review import schedule_review_reasons
from core.contract_terms import Citation, Cited, ContractTerms
from core.renewal_schedule import (
    RenewalSchedule,
    duration_parts,
    schedule_for,
    schedule_from_terms,
)

AS_OF = date(2026, 12, 1)


def _cited(value, confidence: float | None = None) -> Cited:
    return Cited(value=value, citation=Citation(page=1, start=0, end=5, quote="quote"), confidence=confidence)


def test_auto_renewing_past_term_end_steps_to_the_first_renewal_on_or_after_as_of():
    s = schedule_for(date(2020, 3, 15), True, "P1Y", "P90D", AS_OF)
    assert s.kind == "auto_renewing"
    assert s.renewal_date == date(2027, 3, 15)  # k = 7
    assert s.notice_deadline == date(2026, 12, 15)


def test_k_greater_than_one_with_multi_year_terms():
    s = schedule_for(date(2011, 6, 30), True, "P5Y", "P6M", AS_OF)
    assert s.renewal_date == date(2031, 6, 30)  # 2016, 2021, 2026-06-30 < as_of, so k = 4
    assert s.notice_deadline == date(2030, 12, 30)


def test_term_end_in_the_future_is_the_renewal_date_whatever_the_renewal_term():
    s = schedule_for(date(2028, 1, 31), True, "P1Y", "P1M", AS_OF)
    assert s.renewal_date == date(2028, 1, 31)
    assert s.notice_deadline == date(2027, 12, 31)


def test_as_of_equal_to_the_term_end_is_the_renewal_date():
    s = schedule_for(AS_OF, True, "P1Y", "P30D", AS_OF)
    assert s.renewal_date == AS_OF
    assert s.notice_deadline == date(2026, 11, 1)
    # and a renewal landing exactly on the as-of date counts as reaching it
    assert schedule_for(date(2025, 12, 1), True, "P1Y", None, AS_OF).renewal_date == AS_OF


def test_month_end_clamping_counts_from_the_original_term_end():
    # Jan 31 + 1M = Feb 28, + 2M = Mar 31 (not Feb 28 + 1M = Mar 28)
    assert schedule_for(date(2027, 1, 31), True, "P1M", None, date(2027, 2, 1)).renewal_date == date(2027, 2, 28)
    assert schedule_for(date(2027, 1, 31), True, "P1M", None, date(2027, 3, 1)).renewal_date == date(2027, 3, 31)
    # a notice period in months clamps too: Mar 31 - 1M = Feb 28
    assert schedule_for(date(2027, 3, 31), True, "P1Y", "P1M", AS_OF).notice_deadline == date(2027, 2, 28)


def test_leap_years():
    # Feb 29 + 1Y = Feb 28 2025, + 4Y = Feb 29 2028 (from the original end, not by repeated addition)
    assert schedule_for(date(2024, 2, 29), True, "P1Y", None, date(2025, 1, 1)).renewal_date == date(2025, 2, 28)
    assert schedule_for(date(2024, 2, 29), True, "P4Y", None, date(2025, 1, 1)).renewal_date == date(2028, 2, 29)
    assert schedule_for(date(2024, 2, 29), True, "P1Y", None, AS_OF).renewal_date == date(2027, 2, 28)
    # days count real days across Feb 29
    assert schedule_for(date(2028, 3, 1), True, "P1Y", "P30D", AS_OF).notice_deadline == date(2028, 1, 31)
    assert schedule_for(date(2028, 3, 30), True, "P1Y", "P1M", AS_OF).notice_deadline == date(2028, 2, 29)


def test_day_and_week_renewal_terms():
    s = schedule_for(date(2026, 11, 1), True, "P2W", "P7D", AS_OF)
    assert s.renewal_date == date(2026, 12, 13)  # Nov 15, Nov 29, Dec 13
    assert s.notice_deadline == date(2026, 12, 6)
    assert schedule_for(date(1995, 1, 1), True, "P1D", None, AS_OF).renewal_date == AS_OF


def test_fixed_term_expired_and_live():
    expired = schedule_for(date(2019, 5, 1), False, "P1Y", "P30D", AS_OF)
    assert (expired.kind, expired.renewal_date, expired.notice_deadline) == ("fixed_term", None, None)
    live = schedule_for(date(2027, 5, 1), False, None, "P30D", AS_OF)
    assert (live.kind, live.renewal_date, live.notice_deadline) == ("fixed_term", date(2027, 5, 1), None)


def test_evergreen_has_a_renewal_date_only_before_its_term_end():
    before = schedule_for(date(2027, 5, 1), True, None, "P30D", AS_OF)
    assert (before.kind, before.renewal_date, before.notice_deadline) == ("evergreen", date(2027, 5, 1),
                                                                          date(2027, 4, 1))
    after = schedule_for(date(2020, 5, 1), True, None, "P30D", AS_OF)
    assert (after.kind, after.renewal_date, after.notice_deadline) == ("evergreen", None, None)


def test_perpetual_and_unknown():
    p = schedule_for("perpetual", True, "P1Y", "P30D", AS_OF)
    assert (p.kind, p.renewal_date, p.notice_deadline) == ("perpetual", None, None)
    u = schedule_for(None, True, "P1Y", "P30D", AS_OF)
    assert (u.kind, u.renewal_date, u.notice_deadline) == ("unknown", None, None)


def test_auto_renewing_without_a_notice_period_has_no_deadline():
    s = schedule_for(date(2020, 1, 1), True, "P1Y", None, AS_OF)
    assert (s.renewal_date, s.notice_deadline) == (date(2027, 1, 1), None)


def test_durations_are_iso_8601():
    assert duration_parts("P1Y") == (12, 0)
    assert duration_parts("P0.5Y") == (6, 0)
    assert duration_parts("P2W") == (0, 14)
    assert duration_parts("P1Y6M") == (18, 0)
    for bad in ("perpetual", "P", "P0D", "1Y", "P1H"):
        with pytest.raises(ValueError):
            duration_parts(bad)
    with pytest.raises(ValueError):
        RenewalSchedule(term_end=None, auto_renews=False, renewal_term="one year", notice_period=None,
                        renewal_date=None, notice_deadline=None, kind="unknown")


def test_from_terms_prefers_the_expiration_date():
    terms = ContractTerms(expiration_date=_cited(date(2021, 6, 30)), effective_date=_cited(date(2018, 1, 1)),
                          initial_term=_cited("P1Y"), auto_renewal=_cited(True), renewal_term=_cited("P1Y"),
                          notice_period_to_terminate_renewal=_cited("P60D"))
    s = schedule_from_terms(terms, AS_OF)
    assert (s.term_end, s.renewal_date, s.notice_deadline) == (date(2021, 6, 30), date(2027, 6, 30),
                                                               date(2027, 5, 1))


def test_from_terms_computes_the_term_end_from_the_start_and_initial_term():
    terms = ContractTerms(agreement_date=_cited(date(2024, 1, 31)), initial_term=_cited("P3Y"))
    s = schedule_from_terms(terms, AS_OF)
    assert (s.term_end, s.kind, s.renewal_date) == (date(2027, 1, 31), "fixed_term", date(2027, 1, 31))
    effective_first = terms.model_copy(update={"effective_date": _cited(date(2024, 2, 29))})
    assert schedule_from_terms(effective_first, AS_OF).term_end == date(2027, 2, 28)


def test_from_terms_missing_pieces():
    assert schedule_from_terms(ContractTerms(), AS_OF).kind == "unknown"
    # a start without an initial term, or an initial term without a start, gives no term end
    assert schedule_from_terms(ContractTerms(effective_date=_cited(date(2024, 1, 1))), AS_OF).term_end is None
    assert schedule_from_terms(ContractTerms(initial_term=_cited("P1Y")), AS_OF).term_end is None


def test_a_renewal_option_steps_like_a_renewal_but_does_not_auto_renew():
    # a renewal term without auto-renewal is a party's option: CUAD's renewal term, so the schedule steps it
    option = ContractTerms(expiration_date=_cited(date(2020, 1, 1)), renewal_term=_cited("P1Y"))
    s = schedule_from_terms(option, AS_OF)
    assert (s.auto_renews, s.renews, s.kind, s.renewal_date) == (False, True, "renewal_option", date(2027, 1, 1))
    live = schedule_for(date(2027, 5, 1), False, "P3Y", "P90D", AS_OF, renewal_option=True)
    assert (live.kind, live.renewal_date, live.notice_deadline) == ("renewal_option", date(2027, 5, 1),
                                                                   date(2027, 1, 31))
    # an option needs a renewal term to step by; automatic wording wins over the option flag
    assert schedule_for(date(2020, 1, 1), False, None, None, AS_OF, renewal_option=True).kind == "fixed_term"
    assert schedule_for(date(2020, 1, 1), True, "P1Y", None, AS_OF, renewal_option=True).kind == "auto_renewing"


def test_from_terms_perpetual_values():
    assert schedule_from_terms(ContractTerms(expiration_date=_cited("perpetual")), AS_OF).kind == "perpetual"
    started = ContractTerms(effective_date=_cited(date(2010, 1, 1)), initial_term=_cited("perpetual"))
    assert schedule_from_terms(started, AS_OF).term_end == "perpetual"
    evergreen = ContractTerms(expiration_date=_cited(date(2027, 3, 1)), auto_renewal=_cited(True),
                              renewal_term=_cited("perpetual"), notice_period_to_terminate_renewal=_cited("P30D"))
    s = schedule_from_terms(evergreen, AS_OF)
    assert (s.kind, s.renewal_term, s.renewal_date, s.notice_deadline) == ("evergreen", None, date(2027, 3, 1),
                                                                           date(2027, 1, 30))


def test_review_reads_only_the_values_the_schedule_used(monkeypatch):
    terms = ContractTerms(expiration_date=_cited(date(2021, 6, 30), 0.99), auto_renewal=_cited(True),
                          renewal_term=_cited("P1Y", 0.99), notice_period_to_terminate_renewal=_cited("P60D", 0.99),
                          governing_law=_cited("Delaware", 0.10))
    # the shipped cuts never let an expiration date through
    assert any("expiration date" in r for r in schedule_review_reasons(terms))
    # under one cut for every field, the low-confidence governing law is no reason: the schedule did not read it
    assert schedule_review_reasons(terms, threshold=0.95) == []
    low_notice = terms.model_copy(update={"notice_period_to_terminate_renewal": _cited("P60D", 0.5)})
    assert any("notice period" in r for r in schedule_review_reasons(low_notice, threshold=0.95))
    no_notice = terms.model_copy(update={"notice_period_to_terminate_renewal": None})
    assert any("no notice period" in r for r in schedule_review_reasons(no_notice, threshold=0.95))
    derived = ContractTerms(effective_date=_cited(date(2024, 1, 1), 0.99), initial_term=_cited("P1Y"))
    assert any("no expiration date" in r for r in schedule_review_reasons(derived, threshold=0.95))
