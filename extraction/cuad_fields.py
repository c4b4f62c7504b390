"""The eight CUAD focus categories and how `ContractTerms` projects onto them: the eval's prediction record,
and what the confidence calibrator reads."""

from __future__ import annotations

from typing import Any

from core.contract_terms import Citation, Cited, ContractTerms
from extraction.spans import sentence_bounds

PARTIES = "Parties"
AGREEMENT_DATE = "Agreement Date"
EFFECTIVE_DATE = "Effective Date"
EXPIRATION_DATE = "Expiration Date"
RENEWAL_TERM = "Renewal Term"
NOTICE_PERIOD = "Notice Period To Terminate Renewal"
GOVERNING_LAW = "Governing Law"
CAP_ON_LIABILITY = "Cap On Liability"

FOCUS_FIELDS = [PARTIES, AGREEMENT_DATE, EFFECTIVE_DATE, EXPIRATION_DATE, RENEWAL_TERM, NOTICE_PERIOD,
                GOVERNING_LAW, CAP_ON_LIABILITY]


def _entry(value: Any, citation: Citation) -> dict[str, Any]:
    return {"value": value, "quote": citation.quote, "start": citation.start, "end": citation.end}


def cuad_fields(terms: ContractTerms, text: str) -> dict[str, dict[str, Any]]:
    """One prediction record's `fields`: values in the eval's formats, each with its verbatim quote."""
    fields: dict[str, dict[str, Any]] = {}
    if terms.parties:
        # One field, one span: from the first party's citation to the last's (it covers every name).
        start = min(p.citation.start for p in terms.parties)
        end = max(p.citation.end for p in terms.parties)
        if len(text[start:end].split()) < 3:
            # A lone short name says little; quote the sentence that introduces it.
            start, end = sentence_bounds(text, start, 300)
            start, end = start + len(text[start:end]) - len(text[start:end].lstrip()), end - (
                len(text[start:end]) - len(text[start:end].rstrip()))
        fields[PARTIES] = {"value": [p.name for p in terms.parties], "quote": text[start:end], "start": start,
                           "end": end}
    for name, cited, partial in [
            (AGREEMENT_DATE, terms.agreement_date, terms.partial_agreement_date),
            (EFFECTIVE_DATE, terms.effective_date, terms.partial_effective_date),
            (EXPIRATION_DATE, terms.expiration_date, terms.partial_expiration_date)]:
        if cited is not None:
            value = cited.value if isinstance(cited.value, str) else cited.value.isoformat()
            fields[name] = _entry(value, cited.citation)
        elif partial is not None:
            fields[name] = _entry(partial.value, partial.citation)  # "2004" / "2017-02": only what is written
    texts: list[tuple[str, Cited[str] | None]] = [
        (RENEWAL_TERM, terms.renewal_term), (NOTICE_PERIOD, terms.notice_period_to_terminate_renewal),
        (GOVERNING_LAW, terms.governing_law)]
    for name, text_value in texts:
        if text_value is not None:
            fields[name] = _entry(text_value.value, text_value.citation)
    if terms.liability_cap is not None and terms.liability_cap.kind != "uncapped":
        fields[CAP_ON_LIABILITY] = _entry(True, terms.liability_cap.citation)
    return fields
