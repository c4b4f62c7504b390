"""Per-field precision / recall / F1 of predictions against CUAD's normalised answers (rules in `gold.py`).

Each (contract, field) is one decision, except Parties, which counts one decision per party:
- gold value and a matching prediction -> true positive;
- a prediction that matches no gold value (wrong, or no gold) -> false positive;
- a gold value with no matching prediction (missed, or predicted wrong) -> false negative.
So a wrong value counts as both a false positive and a false negative.

Parties: each gold party may be matched by one predicted name (greedily, best first) when their word sets,
after dropping legal-form words (Inc, Corp, LLC, ...) and punctuation, overlap by at least half of the smaller
set. Unmatched predicted names are false positives; unmatched gold parties false negatives.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel

from evals.extraction.gold import (
    GoldDate,
    GoldDuration,
    gold_date,
    gold_durations,
    gold_jurisdictions,
    gold_parties,
)
from extraction import cuad_fields as F
from extraction.durations import duration_key
from extraction.jurisdictions import jurisdiction_key


class FieldCounts(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: FieldCounts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn


def _decision(has_gold: bool, predicted: bool, correct: bool) -> FieldCounts:
    if predicted and correct:
        return FieldCounts(tp=1)
    return FieldCounts(fp=int(predicted), fn=int(has_gold))


def _date_matches(predicted: Any, gold: GoldDate | str) -> bool:
    if gold == "perpetual" or predicted == "perpetual":
        return gold == predicted
    parts = _iso_parts(str(predicted))
    if parts is None:
        return False
    assert isinstance(gold, GoldDate)
    # A part the gold redacts matches anything; a part the gold states must be predicted, and equal.
    return all(g is None or g == v for g, v in zip((gold.year, gold.month, gold.day), parts, strict=True))


def _iso_parts(value: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of an ISO date or a reduced-precision one ("2004", "2017-02"); None if malformed."""
    if re.fullmatch(r"\d{4}(?:-\d{2})?", value):
        year, _, month = value.partition("-")
        return int(year), int(month) if month else None, None
    try:
        full = date.fromisoformat(value)
    except ValueError:
        return None
    return full.year, full.month, full.day


def _duration_matches(predicted: Any, gold: GoldDuration | str) -> bool:
    if gold == "perpetual" or predicted == "perpetual":
        return gold == predicted
    assert isinstance(gold, GoldDuration)
    try:
        months, days = duration_key(str(predicted))
    except ValueError:
        return False
    if gold.months is None:  # redacted number: any duration in the stated unit
        return gold.unit == "any" or (days == 0) == (gold.unit in {"year", "month"})
    return (months, days) == (gold.months, gold.days)


_LEGAL_FORMS = {"inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "l", "c",
                "lp", "llp", "plc", "the", "and", "of", "sa", "s", "a", "ag", "gmbh", "bv", "nv", "n", "v", "b", "p",
                "pty", "srl", "spa", "de", "se", "sas"}


def _party_tokens(name: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", name.lower()) if t not in _LEGAL_FORMS}


def party_counts(predicted: list[str], gold: list[str]) -> FieldCounts:
    gold_sets = [_party_tokens(g) for g in gold]
    pred_sets = [_party_tokens(p) for p in predicted]
    pairs = []
    for gi, g in enumerate(gold_sets):
        for pi, p in enumerate(pred_sets):
            if g and p:
                overlap = len(g & p) / min(len(g), len(p))
                if overlap >= 0.5:
                    pairs.append((overlap, gi, pi))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in sorted(pairs, reverse=True):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    return FieldCounts(tp=len(used_gold), fp=len(predicted) - len(used_pred), fn=len(gold) - len(used_gold))


def score_field(field: str, answer: str | None, prediction: dict[str, Any] | None) -> FieldCounts:
    """Counts for one contract and one field. `answer` is CUAD's raw normalised answer (or None)."""
    answer = (answer or "").strip()
    value = prediction.get("value") if prediction else None
    if field == F.PARTIES:
        names = [str(v) for v in value] if isinstance(value, list) else []
        return party_counts(names, gold_parties(answer) if answer else [])
    if field == F.CAP_ON_LIABILITY:
        return _decision(answer.lower() == "yes", value is True, answer.lower() == "yes")
    predicted = prediction is not None and value not in (None, "", [])
    if field in (F.AGREEMENT_DATE, F.EFFECTIVE_DATE, F.EXPIRATION_DATE):
        gold = gold_date(answer) if answer else None
        return _decision(gold is not None, predicted, gold is not None and predicted and _date_matches(value, gold))
    if field in (F.RENEWAL_TERM, F.NOTICE_PERIOD):
        golds = gold_durations(answer) if answer else []
        return _decision(bool(golds), predicted, predicted and any(_duration_matches(value, g) for g in golds))
    if field == F.GOVERNING_LAW:
        keys = gold_jurisdictions(answer) if answer else []
        key = jurisdiction_key(str(value)) if predicted else None
        return _decision(bool(keys), predicted, key is not None and key in keys)
    raise ValueError(f"not a scored field: {field}")
