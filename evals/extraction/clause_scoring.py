"""Clause detection over the 41 CUAD categories: presence per contract, and whether the quote is the clause.

- Presence: per category, one decision per contract. Gold present = CUAD gives a span for the category
  (`labels[category].present`); predicted present = the line's `clauses[category].present`.
  P / R / F1 over contracts; the macro F1 averages the categories with at least `MIN_POSITIVES` gold positives
  (rarer ones are shown but too noisy to average).
- Evidence overlap: of the true positives, the share where some predicted quote overlaps some gold segment
  (by at least one character), pooled over categories.
- Verbatim: every emitted clause quote must equal the text at its offsets.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from evals.extraction.dataset import ClauseGold

MIN_POSITIVES = 3


class ClauseScore(BaseModel):
    category: str
    gold_positives: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    evidence_hits: int          # true positives whose quote overlaps a gold segment
    evidence_overlap: float     # evidence_hits / tp (0 when no true positive)
    in_macro: bool


class ClauseFigures(BaseModel):
    categories: list[ClauseScore]
    macro_f1: float
    evidence_overlap: float
    quotes_emitted: int
    quotes_verbatim: int


def _overlaps(quotes: list[dict[str, Any]], segments: list[tuple[int, int]]) -> bool:
    return any(int(q.get("start", -1)) < end and start < int(q.get("end", -1))
               for q in quotes for start, end in segments)


def score_clauses(categories: list[str], golds: dict[str, dict[str, ClauseGold]],
                  predictions: dict[str, dict[str, dict[str, Any]]], texts: dict[str, str]) -> ClauseFigures:
    """`golds` and `predictions` are keyed by contract id, then category; `texts` by contract id."""
    rows: list[ClauseScore] = []
    for category in categories:
        tp = fp = fn = hits = 0
        for contract_id, gold_by_category in golds.items():
            gold = gold_by_category.get(category, ClauseGold(present=False, segments=[]))
            entry = predictions.get(contract_id, {}).get(category) or {}
            predicted = bool(entry.get("present"))
            if predicted and gold.present:
                tp += 1
                hits += _overlaps(entry.get("quotes") or [], gold.segments)
            else:
                fp += predicted
                fn += gold.present
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(ClauseScore(category=category, gold_positives=tp + fn, tp=tp, fp=fp, fn=fn,
                                precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
                                evidence_hits=hits, evidence_overlap=round(hits / tp, 4) if tp else 0.0,
                                in_macro=tp + fn >= MIN_POSITIVES))
    averaged = [r.f1 for r in rows if r.in_macro]
    tps = sum(r.tp for r in rows)
    emitted = verbatim = 0
    for contract_id, entries in predictions.items():
        text = texts.get(contract_id, "")
        for entry in entries.values():
            for quote in entry.get("quotes") or []:
                emitted += 1
                start, end = int(quote.get("start", -1)), int(quote.get("end", -1))
                verbatim += bool(quote.get("quote")) and 0 <= start < end and text[start:end] == quote["quote"]
    return ClauseFigures(categories=rows, macro_f1=round(sum(averaged) / len(averaged), 4) if averaged else 0.0,
                         evidence_overlap=round(sum(r.evidence_hits for r in rows) / tps, 4) if tps else 0.0,
                         quotes_emitted=emitted, quotes_verbatim=verbatim)
