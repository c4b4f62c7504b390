"""Renewal schedules against the gold ones (`gold.py`). A date is right within `TOLERANCE_DAYS` of a gold one.

- Renewal-date accuracy: over the contracts where the gold or the prediction has a renewal date (a contract
  where neither has one is not counted, and is reported as "neither"); right when the predicted date is within
  3 days of a gold schedule's date (or both have none under some reading of the gold's alternatives).
  Contracts whose gold renewal date depends on a redacted answer are left out ("gold unknown").
- Notice-deadline accuracy: the same over notice deadlines.
- Unreviewed-deadline precision: over the contracts whose prediction has a notice deadline and
  `needs_review` false (a deadline that would be written without a person looking): the share whose deadline
  is right. Contracts whose gold deadline is unknown are left out.
Each figure is printed with its numerator and denominator; the wrong ones split into missed (gold only),
spurious (prediction only) and different (both, more than 3 days apart).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel

from core.renewal_schedule import RenewalSchedule
from evals.renewals.gold import GoldSchedule
from evals.renewals.predict import ScheduleLine

TOLERANCE_DAYS = 3


class DateFigures(BaseModel):
    right: int = 0
    counted: int = 0
    missed: int = 0
    spurious: int = 0
    different: int = 0
    neither: int = 0
    gold_unknown: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.right / self.counted if self.counted else None


class PrecisionFigures(BaseModel):
    right: int = 0
    written: int = 0
    gold_unknown: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.written if self.written else None


class RenewalFigures(BaseModel):
    contracts: int
    renewal_date: DateFigures
    notice_deadline: DateFigures
    unreviewed_deadline: PrecisionFigures
    auto_renews_agree: int  # contracts whose predicted auto_renews equals the gold's
    needs_review: int  # contracts whose schedule needs review


def _close(a: date, b: date) -> bool:
    return abs((a - b).days) <= TOLERANCE_DAYS


def _matches(predicted: date | None, golds: list[date | None]) -> bool:
    if predicted is None:
        return None in golds
    return any(g is not None and _close(predicted, g) for g in golds)


def _count(figures: DateFigures, predicted: date | None, golds: list[date | None], known: bool) -> None:
    if not known:
        figures.gold_unknown += 1
        return
    gold_has = any(g is not None for g in golds)
    if predicted is None and not gold_has:
        figures.neither += 1
        return
    figures.counted += 1
    if _matches(predicted, golds):
        figures.right += 1
    elif predicted is None:
        figures.missed += 1
    elif not gold_has:
        figures.spurious += 1
    else:
        figures.different += 1


def score(golds: list[GoldSchedule], lines: list[ScheduleLine]) -> RenewalFigures:
    by_id = {line.id: line for line in lines}
    renewal, deadline, unreviewed = DateFigures(), DateFigures(), PrecisionFigures()
    agree = review = 0
    for gold in golds:
        line = by_id[gold.id]

        def dates(pick: Callable[[RenewalSchedule], date | None], g: GoldSchedule = gold) -> list[date | None]:
            return [pick(s) for s in g.schedules]

        _count(renewal, line.renewal_date, dates(lambda s: s.renewal_date), gold.renewal_known)
        _count(deadline, line.notice_deadline, dates(lambda s: s.notice_deadline), gold.deadline_known)
        if line.notice_deadline is not None and not line.needs_review:
            if not gold.deadline_known:
                unreviewed.gold_unknown += 1
            else:
                unreviewed.written += 1
                unreviewed.right += _matches(line.notice_deadline, dates(lambda s: s.notice_deadline))
        agree += line.auto_renews == gold.auto_renews
        review += line.needs_review
    return RenewalFigures(contracts=len(golds), renewal_date=renewal, notice_deadline=deadline,
                          unreviewed_deadline=unreviewed, auto_renews_agree=agree, needs_review=review)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_table(name: str, figures: RenewalFigures, as_of: date) -> str:
    r, d, u = figures.renewal_date, figures.notice_deadline, figures.unreviewed_deadline

    def row(label: str, f: DateFigures) -> str:
        return (f"| {label} | {f.right} / {f.counted} | {_share(f.accuracy)} | {f.missed} missed, {f.spurious} "
                f"spurious, {f.different} different | {f.neither} neither has one, {f.gold_unknown} gold unknown |")

    return "\n".join([
        f"{name}: {figures.contracts} contracts, as of {as_of.isoformat()}, dates right within "
        f"{TOLERANCE_DAYS} days",
        "| figure | right / counted | value | wrong | not counted |",
        "| --- | --- | --- | --- | --- |",
        row("renewal date accuracy", r),
        row("notice deadline accuracy", d),
        f"| deadlines written without review: precision | {u.right} / {u.written} | {_share(u.precision)} | "
        f"{u.written - u.right} wrong | {u.gold_unknown} gold unknown |",
        f"auto-renews agrees with the gold on {figures.auto_renews_agree} of {figures.contracts}; "
        f"{figures.needs_review} of {figures.contracts} schedules need review",
    ])
