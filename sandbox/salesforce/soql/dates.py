"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) as [start, end) day ranges around `today`.

Weeks start on Sunday (en_US); the fiscal year is the calendar year (FiscalYearStartMonth = 1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from .nodes import DateRange


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date, quarters: int = 0) -> date:
    return _month_start(date(day.year, (day.month - 1) // 3 * 3 + 1, 1), quarters * 3)


def _week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _unit(unit: str) -> tuple[Callable[[date], date], Callable[[date, int], date]]:
    """(start of the period containing a day, shift by n periods) for a unit name."""
    if unit == "WEEK":
        return _week_start, lambda d, n: d + timedelta(weeks=n)
    if unit == "MONTH":
        return _month_start, _month_start
    if unit in ("QUARTER", "FISCAL_QUARTER"):
        return _quarter_start, lambda d, n: _month_start(d, 3 * n)
    return (lambda d: date(d.year, 1, 1)), (lambda d, n: date(d.year + n, 1, 1))


def date_literal_range(name: str, n: int | None, today: date) -> DateRange:
    one_day = timedelta(days=1)
    if name == "TODAY":
        return DateRange(today, today + one_day)
    if name == "YESTERDAY":
        return DateRange(today - one_day, today)
    if name == "TOMORROW":
        return DateRange(today + one_day, today + 2 * one_day)
    if name == "LAST_90_DAYS":
        return DateRange(today - timedelta(days=90), today + one_day)
    if name == "NEXT_90_DAYS":
        return DateRange(today + one_day, today + timedelta(days=91))
    if name == "LAST_N_DAYS":
        return DateRange(today - timedelta(days=n or 0), today + one_day)
    if name == "NEXT_N_DAYS":
        return DateRange(today + one_day, today + timedelta(days=(n or 0) + 1))
    if name == "N_DAYS_AGO":
        day = today - timedelta(days=n or 0)
        return DateRange(day, day + one_day)
    relation, _, unit = name.partition("_")
    if relation in ("THIS", "LAST", "NEXT"):
        if unit.startswith("N_"):  # LAST_N_MONTHS:n / NEXT_N_QUARTERS:n
            start_of, shift = _unit(unit[2:].removesuffix("S"))
            current = start_of(today)
            if relation == "LAST":
                return DateRange(shift(current, -(n or 0)), current)
            return DateRange(shift(current, 1), shift(current, 1 + (n or 0)))
        start_of, shift = _unit(unit)
        current = start_of(today)
        offset = {"THIS": 0, "LAST": -1, "NEXT": 1}[relation]
        return DateRange(shift(current, offset), shift(current, offset + 1))
    if relation == "N" and name.endswith("_AGO"):  # N_MONTHS_AGO:n
        start_of, shift = _unit(name[2:-4].removesuffix("S"))
        start = shift(start_of(today), -(n or 0))
        return DateRange(start, shift(start, 1))
    raise ValueError(f"unknown date literal {name}")
