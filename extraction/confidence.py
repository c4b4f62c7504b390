"""Calibrated confidence: the probability that each emitted value is right, from a small packaged model.

The model is a logistic regression over `confidence_features` (per-field features act as field interactions),
followed by a Platt map, fitted on out-of-fold predictions of the 250 labelled CUAD contracts
and committed as `confidence_model.json` (`contractloop train confidence` rebuilds it). Applying it needs only
arithmetic, no training library.

Which values get a confidence: the CUAD focus fields (each party; agreement, effective and expiration dates,
partial ones included; renewal term; notice period; governing law; a liability cap other than "uncapped").
Every other value (initial term, auto-renewal, termination for convenience, payment terms, fees, obligations,
"uncapped") has no labelled data to calibrate on and keeps `confidence=None`: the sync policy writes those
under its other checks and does not claim a measured precision for them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from core.contract_terms import Cited, ContractTerms
from extraction.confidence_features import PARTIES, EmittedValue, emitted_values, value_features
from extraction.cuad_fields import (
    AGREEMENT_DATE,
    CAP_ON_LIABILITY,
    EFFECTIVE_DATE,
    EXPIRATION_DATE,
    GOVERNING_LAW,
    NOTICE_PERIOD,
    RENEWAL_TERM,
    cuad_fields,
)
from tools.documents import Document

MODEL_PATH = Path(__file__).with_name("confidence_model.json")
# The cut cross-validation gives a field when no cut reaches the target precision: its values are never written
# without review, not even one whose rounded confidence is 1.
NO_CUT = 1.0


def clears(confidence: float, cut: float) -> bool:
    """Whether a value of this confidence may be written without review under `cut`."""
    return cut < NO_CUT and confidence >= cut


class CalibratorModel(BaseModel):
    """The artifact: standardised features -> logistic regression -> Platt map of its logit."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    platt_a: float = Field(1.0, description="calibrated logit = platt_a * regression logit + platt_b")
    platt_b: float = 0.0
    threshold: float = Field(ge=0.0, le=1.0, description="auto-write threshold chosen in grouped CV")
    field_thresholds: dict[str, float] = Field(
        default_factory=dict, description="each CUAD field's own auto-write cut (never under `threshold`), from "
                                          "the same CV; a field not listed uses `threshold`")
    training: dict[str, Any] = Field(default_factory=dict, description="what it was fitted on, and how")


class Calibrator:
    def __init__(self, model: CalibratorModel) -> None:
        self.model = model
        self._index = {name: i for i, name in enumerate(model.features)}
        # The score with every feature 0 (absent); a present feature adds coef * value / scale to it.
        self._at_zero = model.intercept - sum(c * mu / s for c, mu, s in zip(model.coef, model.mean, model.scale,
                                                                             strict=True))

    @property
    def threshold(self) -> float:
        return self.model.threshold

    def threshold_for(self, field: str) -> float:
        """The auto-write cut for a CUAD focus field (its own where CV chose one, else the global one)."""
        return self.model.field_thresholds.get(field, self.model.threshold)

    def logit(self, features: dict[str, float]) -> float:
        """The logistic regression's score (log-odds), before the Platt map."""
        m = self.model
        z = self._at_zero
        for name, value in features.items():
            i = self._index.get(name)
            if i is not None:  # a feature the model never saw carries no weight
                z += m.coef[i] * value / m.scale[i]
        return z

    def probability(self, features: dict[str, float]) -> float:
        z = self.model.platt_a * self.logit(features) + self.model.platt_b
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def record_confidences(self, fields: dict[str, dict[str, Any]], text: str,
                           clauses: dict[str, dict[str, Any]] | None) -> list[tuple[EmittedValue, float]]:
        """(value, probability it is right) for every calibrated value of one prediction record."""
        return [(item, round(self.probability(value_features(item, fields, text, clauses)), 4))
                for item in emitted_values(fields)]

    def apply(self, terms: ContractTerms, document: Document) -> ContractTerms:
        """A copy of `terms` whose calibrated values carry their confidence."""
        fields = cuad_fields(terms, document.text)
        scored = self.record_confidences(fields, document.text, clause_record(terms))
        update: dict[str, Any] = {}
        parties = list(terms.parties)
        for item, p in scored:
            if item.field == PARTIES:
                parties[item.index] = parties[item.index].model_copy(update={"confidence": p})
            elif item.field == CAP_ON_LIABILITY and terms.liability_cap is not None:
                update["liability_cap"] = terms.liability_cap.model_copy(update={"confidence": p})
            else:
                name = _term_name(terms, item.field)
                cited: Cited | None = getattr(terms, name)
                if cited is not None:
                    update[name] = cited.model_copy(update={"confidence": p})
        update["parties"] = parties
        return terms.model_copy(update=update)


_DATE_TERMS = {AGREEMENT_DATE: "agreement_date", EFFECTIVE_DATE: "effective_date",
               EXPIRATION_DATE: "expiration_date"}
_OTHER_TERMS = {RENEWAL_TERM: "renewal_term", NOTICE_PERIOD: "notice_period_to_terminate_renewal",
                GOVERNING_LAW: "governing_law"}


def _term_name(terms: ContractTerms, field: str) -> str:
    """The `ContractTerms` attribute a record field came from (a date field from its partial twin if unset)."""
    if field in _DATE_TERMS:
        name = _DATE_TERMS[field]
        return name if getattr(terms, name) is not None else f"partial_{name}"
    return _OTHER_TERMS[field]


def clause_record(terms: ContractTerms) -> dict[str, dict[str, Any]] | None:
    """The clause findings in the prediction-line form the calibrator was trained on (None: no finder ran)."""
    if not terms.clauses:
        return None
    return {f.category: {"present": f.present, "score": round(f.score, 4),  # as prediction lines round it
                         "quotes": [{"quote": c.quote, "start": c.start, "end": c.end} for c in f.citations]}
            for f in terms.clauses}


@lru_cache(maxsize=1)
def load_calibrator(path: Path = MODEL_PATH) -> Calibrator:
    """The packaged calibrator, read once per process."""
    return Calibrator(CalibratorModel.model_validate_json(path.read_text(encoding="utf-8")))
