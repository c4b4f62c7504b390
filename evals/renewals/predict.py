"""Predicted renewal schedules: the offline extractor over each contract, `schedule_from_terms`, and whether the
schedule needs review (`agents.renewal_planner.review`), one JSON line per contract."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from agents.renewal_planner.review import schedule_review_reasons
from core.renewal_schedule import schedule_from_terms
from evals.extraction.dataset import Contract
from extraction.offline import OfflineExtractor
from tools.documents import Document


class ScheduleLine(BaseModel):
    id: str
    term_end: date | Literal["perpetual"] | None
    auto_renews: bool  # in CUAD's sense, as the gold reads it: renews by itself or at a party's option
    renewal_term: str | None
    notice_period: str | None
    renewal_date: date | None
    notice_deadline: date | None
    needs_review: bool


def predict_one(contract: Contract, as_of: date, threshold: float | None = None) -> ScheduleLine:
    text = contract.read_text()
    terms = OfflineExtractor().extract(Document.from_text(text, source=str(contract.text_path)))
    schedule = schedule_from_terms(terms, as_of)
    return ScheduleLine(id=contract.id, term_end=schedule.term_end, auto_renews=schedule.renews,
                        renewal_term=schedule.renewal_term, notice_period=schedule.notice_period,
                        renewal_date=schedule.renewal_date, notice_deadline=schedule.notice_deadline,
                        needs_review=bool(schedule_review_reasons(terms, threshold)))


def predict_all(contracts: list[Contract], as_of: date, threshold: float | None = None,
                workers: int | None = None) -> list[ScheduleLine]:
    """Lines in dataset order, fanned out over processes as the extraction eval does."""
    workers = workers or min(len(contracts), os.cpu_count() or 1)
    one = partial(predict_one, as_of=as_of, threshold=threshold)
    if workers <= 1:
        return [one(c) for c in contracts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, contracts, chunksize=4))


def write_lines(lines: list[ScheduleLine], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line.model_dump_json() + "\n")
