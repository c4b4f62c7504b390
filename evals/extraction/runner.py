"""Run an engine over a dataset, write predictions (JSONL), score them and summarise."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.extraction.clause_scoring import ClauseFigures, score_clauses
from evals.extraction.clauses import cuad_clauses
from evals.extraction.dataset import Contract
from evals.extraction.scoring import FieldCounts, score_field
from extraction.clause_finder import load_finder
from extraction.cuad_fields import FOCUS_FIELDS, cuad_fields
from extraction.engine import Extractor
from extraction.offline import OfflineExtractor
from tools.documents import Document


class Prediction(BaseModel):
    id: str
    fields: dict[str, dict[str, Any]]
    clauses: dict[str, dict[str, Any]] = {}  # every CUAD category: present, score, quotes (see clauses.py)


class FieldScore(BaseModel):
    field: str
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


class Summary(BaseModel):
    contracts: int
    characters: int
    seconds: float
    fields: list[FieldScore]
    macro_f1: float
    values_emitted: int
    values_with_verbatim_quote: int
    clauses: ClauseFigures | None = None  # the 41 CUAD categories as clause detection


def predict_one(contract: Contract, extractor: Extractor | None = None) -> tuple[Prediction, int]:
    text = contract.read_text()
    extractor = extractor or OfflineExtractor()
    terms = extractor.extract(Document.from_text(text, source=str(contract.text_path)))
    finder = getattr(extractor, "finder", None) or load_finder()
    return Prediction(id=contract.id, fields=cuad_fields(terms, text),
                      clauses=cuad_clauses(terms, finder.categories)), len(text)


def _predict_offline(contract: Contract) -> tuple[Prediction, int]:
    return predict_one(contract)


def predict_all(contracts: list[Contract], extractor: Extractor | None = None,
                workers: int | None = None) -> tuple[list[Prediction], int]:
    """Predictions in dataset order. The offline engine fans out over processes; other engines run in order."""
    workers = workers or min(len(contracts), os.cpu_count() or 1)
    if extractor is None and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_predict_offline, contracts, chunksize=4))
    else:
        results = [predict_one(c, extractor) for c in contracts]
    return [p for p, _ in results], sum(n for _, n in results)


def write_predictions(predictions: list[Prediction], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for prediction in predictions:
            handle.write(prediction.model_dump_json() + "\n")


def score(contracts: list[Contract], predictions: list[Prediction]) -> dict[str, FieldCounts]:
    by_id = {p.id: p for p in predictions}
    totals = {field: FieldCounts() for field in FOCUS_FIELDS}
    for contract in contracts:
        prediction = by_id.get(contract.id)
        for field in FOCUS_FIELDS:
            entry = prediction.fields.get(field) if prediction else None
            totals[field].add(score_field(field, contract.answers.get(field), entry))
    return totals


def quotes_hold(contracts: list[Contract], predictions: list[Prediction]) -> tuple[int, int]:
    """(values emitted, values whose quote is verbatim at its span and at least three words long)."""
    texts = {c.id: c for c in contracts}
    emitted = verbatim = 0
    for prediction in predictions:
        text = texts[prediction.id].read_text()
        for entry in prediction.fields.values():
            emitted += 1
            quote, start, end = entry.get("quote", ""), entry.get("start", -1), entry.get("end", -1)
            if quote and text[start:end] == quote and len(quote.split()) >= 3:
                verbatim += 1
    return emitted, verbatim


def summarise(contracts: list[Contract], predictions: list[Prediction], characters: int,
              seconds: float) -> Summary:
    totals = score(contracts, predictions)
    rows = [FieldScore(field=f, tp=c.tp, fp=c.fp, fn=c.fn, precision=round(c.precision, 4),
                       recall=round(c.recall, 4), f1=round(c.f1, 4)) for f, c in totals.items()]
    emitted, verbatim = quotes_hold(contracts, predictions)
    return Summary(contracts=len(contracts), characters=characters, seconds=round(seconds, 2), fields=rows,
                   macro_f1=round(sum(r.f1 for r in rows) / len(rows), 4), values_emitted=emitted,
                   values_with_verbatim_quote=verbatim, clauses=clause_figures(contracts, predictions))


def clause_figures(contracts: list[Contract], predictions: list[Prediction]) -> ClauseFigures:
    """Presence and evidence for every category the predictions or the gold name (finder order first)."""
    categories = list(load_finder().categories)
    for contract in contracts:
        categories += [c for c in contract.clauses if c not in categories]
    ids = {p.id for p in predictions}
    golds = {c.id: c.clauses for c in contracts}
    texts = {c.id: c.read_text() for c in contracts if c.id in ids}
    return score_clauses(categories, golds, {p.id: p.clauses for p in predictions}, texts)


def run_eval(contracts: list[Contract], predictions_path: Path,
             extractor: Extractor | None = None) -> tuple[list[Prediction], Summary]:
    started = time.perf_counter()
    predictions, characters = predict_all(contracts, extractor)
    seconds = time.perf_counter() - started
    write_predictions(predictions, predictions_path)
    return predictions, summarise(contracts, predictions, characters, seconds)


def write_summary(summary: Summary, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary.model_dump(), indent=2) + "\n", encoding="utf-8")
