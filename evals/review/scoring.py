"""Figures for NDA hypothesis predictions against ContractNLI's gold labels.

- accuracy over (document, hypothesis) pairs, and P/R/F1 per class (Entailment, Contradiction, NotMentioned);
- evidence P/R/F1, micro over (document, hypothesis, span) triples of every pair: a pair predicted
  NotMentioned contributes no predicted spans, a gold NotMentioned pair no gold ones. (ContractNLI's paper
  ranks spans and reports mAP and precision@8; a reviewer shows a fixed set of quotes, so we score the set.)
- accuracy per hypothesis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from review.nda_reader.training_data import LABELS, LabelledNda, hypothesis_order


class ClassFigures(BaseModel):
    label: str
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int


class ReviewFigures(BaseModel):
    documents: int
    pairs: int
    accuracy: float
    classes: list[ClassFigures]
    evidence_precision: float
    evidence_recall: float
    evidence_f1: float
    per_hypothesis: dict[str, float]

    def f1_of(self, label: str) -> float:
        return next(c.f1 for c in self.classes if c.label == label)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def score(documents: Sequence[LabelledNda], lines: Sequence[dict[str, Any]]) -> ReviewFigures:
    """Score `lines` (by document id) against the gold of `documents`; a missing prediction is NotMentioned."""
    predicted = {str(line["id"]): line.get("hypotheses", {}) for line in lines}
    correct = pairs = 0
    counts = {label: [0, 0, 0] for label in LABELS}  # gold, predicted, both
    span_hits = span_predicted = span_gold = 0
    per_hypothesis: dict[str, list[int]] = {}
    for document in documents:
        guesses = predicted.get(document.id, {})
        for hypothesis, gold in document.labels.items():
            guess = guesses.get(hypothesis) or {}
            label = guess.get("label", "NotMentioned")
            evidence = set(guess.get("evidence") or []) if label != "NotMentioned" else set()
            pairs += 1
            hit = label == gold.label
            correct += hit
            tally = per_hypothesis.setdefault(hypothesis, [0, 0])
            tally[0] += hit
            tally[1] += 1
            counts[gold.label][0] += 1
            if label in counts:
                counts[label][1] += 1
            counts[gold.label][2] += hit
            span_hits += len(evidence & set(gold.spans))
            span_predicted += len(evidence)
            span_gold += len(gold.spans)
    classes = []
    for label, (gold_n, predicted_n, both) in counts.items():
        precision, recall = _ratio(both, predicted_n), _ratio(both, gold_n)
        f1 = _ratio(2 * both, gold_n + predicted_n)
        classes.append(ClassFigures(label=label, precision=round(precision, 4), recall=round(recall, 4),
                                    f1=round(f1, 4), gold=gold_n, predicted=predicted_n))
    ev_p, ev_r = _ratio(span_hits, span_predicted), _ratio(span_hits, span_gold)
    return ReviewFigures(
        documents=len(documents), pairs=pairs, accuracy=round(_ratio(correct, pairs), 4), classes=classes,
        evidence_precision=round(ev_p, 4), evidence_recall=round(ev_r, 4),
        evidence_f1=round(_ratio(2 * span_hits, span_predicted + span_gold), 4),
        per_hypothesis={h: round(_ratio(hit, n), 4) for h, (hit, n) in sorted(
            per_hypothesis.items(), key=lambda item: hypothesis_order(item[0]))})


def format_table(title: str, figures: ReviewFigures, hypotheses: dict[str, str]) -> str:
    lines = [f"{title}: {figures.documents} documents, {figures.pairs} (document, hypothesis) pairs",
             f"  accuracy {figures.accuracy:.3f}",
             f"  {'class':<14} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}"]
    for c in figures.classes:
        lines.append(f"  {c.label:<14} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.gold:5d} {c.predicted:5d}")
    lines.append(f"  evidence       {figures.evidence_precision:6.3f} {figures.evidence_recall:6.3f} "
                 f"{figures.evidence_f1:6.3f}   (spans, micro)")
    lines.append("  accuracy per hypothesis:")
    for hypothesis, accuracy in figures.per_hypothesis.items():
        lines.append(f"    {hypothesis:<7} {accuracy:.3f}  {hypotheses.get(hypothesis, '')[:80]}")
    return "\n".join(lines)
