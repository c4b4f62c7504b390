"""When a person reviews the write plan before it is applied.

Extraction is checked against what Salesforce already believes: a contract value far from the
Opportunity Amount, or terms the reader could not find, stop for review instead of syncing silently.
"""

from __future__ import annotations

from decimal import Decimal

from agents.contract_sync.context import ContractContext
from agents.contract_sync.plan import contract_value_gap
from agents.extractor.models import ContractTerms

VALUE_GAP_LIMIT = Decimal("0.05")


def review_reasons(terms: ContractTerms, ctx: ContractContext) -> list[str]:
    reasons = []
    gap = contract_value_gap(terms, ctx)
    if gap is not None and gap > VALUE_GAP_LIMIT:
        assert terms.total_contract_value is not None
        reasons.append(f"Contract value {terms.total_contract_value.currency} "
                       f"{terms.total_contract_value.amount:,.2f} differs from the Opportunity Amount "
                       f"{Decimal(str(ctx.opportunity_amount)):,.2f} by {gap * 100:.1f}% (more than "
                       f"{VALUE_GAP_LIMIT * 100:.0f}%).")
    missing = [name for name, value in (("effective date", terms.effective_date or terms.agreement_date),
                                        ("expiration date or term", terms.expiration_date),
                                        ("parties", terms.parties)) if not value]
    if missing:
        reasons.append(f"Low confidence: the executed contract yielded no {', '.join(missing)}.")
    partial = [name for name, value in (("agreement date", terms.partial_agreement_date),
                                        ("effective date", terms.partial_effective_date),
                                        ("expiration date", terms.partial_expiration_date)) if value]
    if partial:
        # "this ___ day of ____, 2004": only the written part is known, and a Date field cannot hold it.
        reasons.append(f"Low confidence: the {', '.join(partial)} is left partly blank in the signed copy.")
    if terms.auto_renewal and terms.auto_renewal.value and not terms.notice_period_to_terminate_renewal:
        reasons.append("Low confidence: the contract auto-renews but no notice period was found.")
    return reasons
