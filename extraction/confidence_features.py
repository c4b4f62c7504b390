"""What the confidence calibrator sees of one emitted value: numbers computed from the value, its quote, the
document and the other values of the same contract. Nothing here names a document, a title or a party.

Input is a contract's values in the eval's record form (`evals.extraction.fields.cuad_fields`: field -> value,
quote, start, end) plus, when the clause finder ran, its findings in the prediction-line form
(category -> present, score, quotes). The same function serves training (prediction lines read back from JSONL)
and run time (the record built from `ContractTerms`), so the calibrator is fitted on exactly what it scores.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from extraction.cuad_fields import (
    AGREEMENT_DATE,
    CAP_ON_LIABILITY,
    EFFECTIVE_DATE,
    EXPIRATION_DATE,
    FOCUS_FIELDS,
    GOVERNING_LAW,
    NOTICE_PERIOD,
    PARTIES,
    RENEWAL_TERM,
)
from extraction.durations import duration_key
from extraction.jurisdictions import US_STATES

# The focus fields are CUAD category names; the eval's projection owns them (and the record form above).
CALIBRATED_FIELDS = FOCUS_FIELDS
DATE_FIELDS = (AGREEMENT_DATE, EFFECTIVE_DATE, EXPIRATION_DATE)
DURATION_FIELDS = (RENEWAL_TERM, NOTICE_PERIOD)

# General legal wording that states each field; a quote without it was probably picked for another reason.
_FIELD_WORDS = {
    AGREEMENT_DATE: re.compile(r"\b(?:dated|as of|made|entered into|executed|day of)\b", re.IGNORECASE),
    EFFECTIVE_DATE: re.compile(r"\beffective\b|\bcommenc", re.IGNORECASE),
    EXPIRATION_DATE: re.compile(r"\bexpir|\bterminat|\buntil\b|\bterm\b", re.IGNORECASE),
    RENEWAL_TERM: re.compile(r"\brenew|\bextend|\bextension|\bsuccessive\b", re.IGNORECASE),
    NOTICE_PERIOD: re.compile(r"\bnotice\b|\bnotif", re.IGNORECASE),
    GOVERNING_LAW: re.compile(r"\bgovern|\blaws? of\b|\bconstrued\b", re.IGNORECASE),
    CAP_ON_LIABILITY: re.compile(r"\bliab", re.IGNORECASE),
}
_CAP_AMOUNT = re.compile(r"[$€£]|\b(?:exceed|amount|fees? paid|paid or payable)\b", re.IGNORECASE)
_CAP_EXCLUSION = re.compile(r"\b(?:consequential|indirect|incidental|special|punitive|lost profits)\b",
                            re.IGNORECASE)
_CAP_LIMIT = re.compile(r"\b(?:in no event|shall not exceed|maximum|aggregate|limited to|limitation)\b",
                        re.IGNORECASE)
_AUTOMATIC = re.compile(r"\bautomatic", re.IGNORECASE)
_DATE_WORDS = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.IGNORECASE)
_LEGAL_FORM = re.compile(r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|l\.l\.c|lp|llp|plc|"
                         r"gmbh|ag|sa|s\.a|bv|b\.v|nv|n\.v|pty|srl|spa|s\.p\.a|trust|bank|partners|group|"
                         r"holdings|association|university|fund)\b\.?", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:shall|will|may|must|agrees?|is|are)\b", re.IGNORECASE)
# A date stated for some other instrument ("the Agreement previously entered into", "as amended on").
_OTHER_INSTRUMENT = re.compile(r"\b(?:previously|amend\w*|original(?:ly)?|prior|existing|supplement\w*|"
                               r"heretofore|underlying)\b", re.IGNORECASE)
_AMENDMENT = re.compile(r"\bamendment\b|\baddendum\b|\bsupplement\b", re.IGNORECASE)
_STATE_NAMES = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in US_STATES) + r")\b")


@dataclass(frozen=True)
class EmittedValue:
    """One value the calibrator scores: a field's value, or one party of the Parties field (index = its place)."""

    field: str
    index: int
    value: Any


def emitted_values(fields: dict[str, dict[str, Any]]) -> Iterator[EmittedValue]:
    """Every value of a record that gets a confidence, in a fixed order: each party, then each field."""
    for field in CALIBRATED_FIELDS:
        entry = fields.get(field)
        if entry is None:
            continue
        if field == PARTIES:
            names = entry.get("value")
            for index, name in enumerate(names if isinstance(names, list) else []):
                yield EmittedValue(field, index, str(name))
        elif field != CAP_ON_LIABILITY or entry.get("value") is True:
            yield EmittedValue(field, 0, entry.get("value"))


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _months(value: Any) -> float | None:
    try:
        months, days = duration_key(str(value))
    except ValueError:
        return None
    return months + days / 30.0


def _overlaps(start: int, end: int, quotes: list[dict[str, Any]]) -> bool:
    return any(int(q.get("start", -1)) < end and start < int(q.get("end", -1)) for q in quotes)


def value_features(item: EmittedValue, fields: dict[str, dict[str, Any]], text: str,
                   clauses: dict[str, dict[str, Any]] | None) -> dict[str, float]:
    """Named features of one value; a feature that does not apply is absent (read as 0)."""
    entry = fields[item.field]
    quote = str(entry.get("quote", ""))
    start, end = int(entry.get("start", 0)), int(entry.get("end", 0))
    f = item.field
    features: dict[str, float] = {
        f"field={f}": 1.0,
        "quote_chars_log": math.log1p(len(quote)),
        "start_log": math.log1p(start),
        "position": start / max(len(text), 1),
        "document_chars_log": math.log1p(len(text)),
        "fields_emitted": float(sum(1 for name in CALIBRATED_FIELDS if name in fields)),
        "quote_has_verb": float(bool(_MODAL.search(quote))),
        # Amendments restate other agreements' dates and terms: harder to read right.
        "amends_another_document": float(bool(_AMENDMENT.search(text[:600]))),
    }
    words = _FIELD_WORDS.get(f)
    if words is not None:
        features[f"{f}:field_words"] = float(bool(words.search(quote)))
    features.update(_finder_features(f, start, end, clauses))
    if f == PARTIES:
        features.update(_party_features(item, fields, text))
    elif f in DATE_FIELDS:
        features.update(_date_features(f, item.value, quote, fields))
    elif f in DURATION_FIELDS:
        features.update(_duration_features(f, item.value, quote, fields))
    elif f == GOVERNING_LAW:
        value = str(item.value)
        features[f"{f}:us_state"] = float(value in US_STATES)
        states = len(set(_STATE_NAMES.findall(quote)))
        features[f"{f}:states_in_quote"] = float(min(states, 3))
        # "the laws of the United States and the State of Florida": a country read where a state is named too.
        features[f"{f}:not_state_but_state_quoted"] = float(value not in US_STATES and states > 0)
    elif f == CAP_ON_LIABILITY:
        features[f"{f}:amount_words"] = float(bool(_CAP_AMOUNT.search(quote)))
        features[f"{f}:exclusion_words"] = float(bool(_CAP_EXCLUSION.search(quote)))
        features[f"{f}:limit_words"] = float(bool(_CAP_LIMIT.search(quote)))
        letters = [c for c in quote if c.isalpha()]
        features[f"{f}:upper_share"] = sum(c.isupper() for c in letters) / max(len(letters), 1)
    return features


def _finder_features(field: str, start: int, end: int,
                     clauses: dict[str, dict[str, Any]] | None) -> dict[str, float]:
    """The clause finder's view of the field's CUAD category: is it stated at all, and is it stated here."""
    finding = (clauses or {}).get(field)
    if finding is None:
        return {}
    quotes = list(finding.get("quotes") or [])
    return {f"{field}:finder_score": float(finding.get("score", 0.0)),
            f"{field}:finder_cites_quote": float(_overlaps(start, end, quotes))}


def _party_features(item: EmittedValue, fields: dict[str, dict[str, Any]], text: str) -> dict[str, float]:
    name = str(item.value)
    names = fields[PARTIES].get("value") or []
    letters = [c for c in name if c.isalpha()]
    first = text.find(name)
    return {
        "Parties:words": float(min(len(name.split()), 10)),
        "Parties:legal_form": float(bool(_LEGAL_FORM.search(name))),
        "Parties:upper_share": sum(c.isupper() for c in letters) / max(len(letters), 1),
        "Parties:index": float(min(item.index, 3)),
        "Parties:count": float(min(len(names), 6)),
        "Parties:mentions_log": math.log1p(text.count(name)) if name else 0.0,
        "Parties:first_mention_log": math.log1p(first) if first >= 0 else math.log1p(len(text)),
        "Parties:has_digit": float(any(c.isdigit() for c in name)),
    }


def _date_features(field: str, value: Any, quote: str, fields: dict[str, dict[str, Any]]) -> dict[str, float]:
    text_value = str(value)
    partial = bool(re.fullmatch(r"\d{4}(?:-\d{2})?", text_value))
    features = {f"{field}:partial": float(partial), f"{field}:perpetual": float(text_value == "perpetual"),
                f"{field}:dates_in_quote": float(min(len(_DATE_WORDS.findall(quote)), 4)),
                f"{field}:other_instrument_words": float(bool(_OTHER_INSTRUMENT.search(quote)))}
    if text_value[:4].isdigit():
        # A year not written in the quote means the date was computed (start + term), not read.
        features[f"{field}:year_in_quote"] = float(text_value[:4] in quote)
    others = {name: fields[name] for name in DATE_FIELDS if name != field and name in fields}
    features[f"{field}:equals_other_date"] = float(any(o.get("value") == value for o in others.values()))
    features[f"{field}:shares_quote"] = float(any(o.get("start") == fields[field].get("start")
                                                  for o in others.values()))
    if field == EXPIRATION_DATE:
        end_day = _iso_date(value)
        begin = next((d for name in (EFFECTIVE_DATE, AGREEMENT_DATE) if name in fields
                      and (d := _iso_date(fields[name].get("value"))) is not None), None)
        if end_day and begin:
            years = (end_day - begin).days / 365.25
            features[f"{field}:years_after_start"] = max(min(years, 30.0), -5.0)
            features[f"{field}:before_start"] = float(years <= 0)
    return features


def _duration_features(field: str, value: Any, quote: str, fields: dict[str, dict[str, Any]]) -> dict[str, float]:
    months = _months(value)
    other = NOTICE_PERIOD if field == RENEWAL_TERM else RENEWAL_TERM
    features = {f"{field}:perpetual": float(value == "perpetual"),
                f"{field}:automatic_words": float(bool(_AUTOMATIC.search(quote))),
                f"{field}:with_{'notice' if field == RENEWAL_TERM else 'renewal'}": float(other in fields)}
    if months is not None:
        features[f"{field}:months_log"] = math.log1p(months)
        features[f"{field}:in_days"] = float(str(value).endswith("D"))
    return features
