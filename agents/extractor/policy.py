"""When a person reviews the write plan before it is applied.

Extraction is checked against what Salesforce already believes: a contract value far from the
Opportunity Amount, or terms the reader could not find, stop for review instead of syncing silently.

Calibrated confidence: every value the plan writes that carries a confidence (dates, renewal term, notice
period, governing law, liability cap) is written without review only at or above its field's auto-write
threshold, chosen in cross-validation as the lowest at which that field's values written that way were right at
least 97 % of the time, never under the global one (CONTRACTLOOP_AUTO_WRITE_CONFIDENCE sets one threshold for
every field instead). One value below it sends the whole plan to review, with a
reason naming the field, the value, its confidence and the threshold. Values no calibrated model covers
(confidence None: payment terms, fees, initial term, auto-renewal, termination for convenience, obligations)
are written under the other checks here, as before: there is no measured precision to hold them to, and
stopping every contract for them would make review meaningless. Parties are not written, so not gated.

Every value, whatever its confidence, must also be what its own quote says (`extraction/quote_support.py`):
a quote that merely exists (a model "citing" an unrelated sentence) sends the plan to review, naming the value.
"""

from __future__ import annotations

from decimal import Decimal

from agents.extractor.context import ContractContext
from agents.extractor.plan import contract_value_gap
from core.contract_terms import Cited, ContractTerms, LiabilityCap
from core.settings import get_settings
from extraction import cuad_fields as F
from extraction.confidence import NO_CUT, clears, load_calibrator
from extraction.quote_support import unsupported_values

VALUE_GAP_LIMIT = Decimal("0.05")


def auto_write_threshold(field: str | None = None) -> float:
    """The configured threshold, else the one cross-validation chose for `field` (the global one for None),
    stored in the packaged calibrator."""
    configured = get_settings().contractloop_auto_write_confidence
    if configured is not None:
        return configured
    return load_calibrator().threshold if field is None else load_calibrator().threshold_for(field)


def _shown(value: Cited | LiabilityCap) -> str:
    if isinstance(value, LiabilityCap):
        return value.kind.replace("_", " ")
    return str(value.value)


# What the write plan calls each gated value, and the CUAD field its confidence was calibrated as.
_GATED = {"agreement date": F.AGREEMENT_DATE, "effective date": F.EFFECTIVE_DATE,
          "expiration date": F.EXPIRATION_DATE, "renewal term": F.RENEWAL_TERM,
          "notice period to terminate renewal": F.NOTICE_PERIOD, "governing law": F.GOVERNING_LAW,
          "liability cap": F.CAP_ON_LIABILITY}


def gated_values(terms: ContractTerms) -> list[tuple[str, Cited | LiabilityCap]]:
    """(name, value) of each value the write plan writes that a calibrated confidence can gate."""
    written: list[tuple[str, Cited | LiabilityCap | None]] = [
        ("agreement date", terms.agreement_date), ("effective date", terms.effective_date),
        ("expiration date", terms.expiration_date), ("renewal term", terms.renewal_term),
        ("notice period to terminate renewal", terms.notice_period_to_terminate_renewal),
        ("governing law", terms.governing_law), ("liability cap", terms.liability_cap)]
    return [(name, value) for name, value in written if value is not None]


def low_confidence_reasons(terms: ContractTerms, threshold: float | None = None) -> list[str]:
    """One reason per written value whose calibrated confidence is under its threshold: `threshold` for every
    field when given, else each field's `auto_write_threshold`."""
    reasons = []
    for name, value in gated_values(terms):
        if value.confidence is None:
            continue
        cut = threshold if threshold is not None else auto_write_threshold(_GATED[name])
        if clears(value.confidence, cut):
            continue
        if cut >= NO_CUT:
            reasons.append(f"Low confidence: the {name} {_shown(value)!r} (confidence {value.confidence:.3f}) is "
                           f"never written without review: no auto-write threshold of this field reached the "
                           f"target precision in cross-validation.")
        else:
            reasons.append(f"Low confidence: the {name} {_shown(value)!r} has confidence {value.confidence:.3f}, "
                           f"under the auto-write threshold {cut:.3f}.")
    return reasons


MISSING_EXPIRATION = "expiration date or term"


def missing_terms(terms: ContractTerms) -> list[str]:
    """The names of the terms a plan must have that the contract yielded no value for."""
    return [name for name, value in (("effective date", terms.effective_date or terms.agreement_date),
                                     (MISSING_EXPIRATION, terms.expiration_date),
                                     ("parties", terms.parties)) if not value]


def partial_date_reasons(terms: ContractTerms) -> list[str]:
    partial = [name for name, value in (("agreement date", terms.partial_agreement_date),
                                        ("effective date", terms.partial_effective_date),
                                        ("expiration date", terms.partial_expiration_date)) if value]
    if not partial:
        return []
    # "this ___ day of ____, 2004": only the written part is known, and a Date field cannot hold it.
    return [f"Low confidence: the {', '.join(partial)} is left partly blank in the signed copy."]


def renewal_notice_reasons(terms: ContractTerms) -> list[str]:
    if terms.auto_renewal and terms.auto_renewal.value and not terms.notice_period_to_terminate_renewal:
        return ["Low confidence: the contract auto-renews but no notice period was found."]
    return []


def review_reasons(terms: ContractTerms, ctx: ContractContext, threshold: float | None = None) -> list[str]:
    """Why this plan needs a person (empty: write it). `threshold` None = each field's `auto_write_threshold`."""
    reasons = []
    gap = contract_value_gap(terms, ctx)
    if gap is not None and gap > VALUE_GAP_LIMIT:
        assert terms.total_contract_value is not None
        reasons.append(f"Contract value {terms.total_contract_value.currency} "
                       f"{terms.total_contract_value.amount:,.2f} differs from the Opportunity Amount "
                       f"{Decimal(str(ctx.opportunity_amount)):,.2f} by {gap * 100:.1f}% (more than "
                       f"{VALUE_GAP_LIMIT * 100:.0f}%).")
    missing = missing_terms(terms)
    if missing:
        reasons.append(f"Low confidence: the executed contract yielded no {', '.join(missing)}.")
    reasons += partial_date_reasons(terms)
    reasons += renewal_notice_reasons(terms)
    reasons += low_confidence_reasons(terms, threshold)
    # Whatever engine read it: a value its own quote does not state is never written unreviewed.
    reasons += unsupported_values(terms)
    return reasons
