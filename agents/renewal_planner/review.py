"""Whether a renewal schedule needs a person before it is written: the extractor's review policy, applied to the
values the schedule was computed from (and only those).

A schedule needs review when any value it read is one the sync would not write without review
(`agents.extractor.policy`): a calibrated value under its field's auto-write threshold (the shipped cuts never
let an agreement, effective or expiration date through), a date left partly blank in the signed copy, an
auto-renewal with no notice period found, or no expiration date at all (the policy's "yielded no expiration
date or term": a term end computed from a start date + the initial term is reviewed, and so is no term end).
Values no calibrated model covers (the initial term, auto-renewal) pass under those other checks, as in the sync.
"""

from __future__ import annotations

from typing import Any

from agents.extractor.policy import (
    MISSING_EXPIRATION,
    low_confidence_reasons,
    missing_terms,
    partial_date_reasons,
    renewal_notice_reasons,
)
from core.contract_terms import ContractTerms
from core.renewal_schedule import schedule_inputs


def schedule_review_reasons(terms: ContractTerms, threshold: float | None = None) -> list[str]:
    """Why the schedule read from `terms` needs a person (empty: it may be written). `threshold` None = each
    field's auto-write threshold, as in the sync."""
    inputs = schedule_inputs(terms)
    used: dict[str, Any] = {name: getattr(terms, name) for name in inputs.sources}
    read = ContractTerms().model_copy(update=used)
    reasons = []
    if MISSING_EXPIRATION in missing_terms(terms):
        reasons.append(f"Low confidence: the executed contract yielded no {MISSING_EXPIRATION}.")
    return reasons + partial_date_reasons(read) + renewal_notice_reasons(read) + low_confidence_reasons(read, threshold)
