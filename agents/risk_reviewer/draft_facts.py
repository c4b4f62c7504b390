"""The facts as the draft states them: deal facts overlaid with the attribute values about to launch.

Risk is reviewed on what the contract will say, so a reviewer's edit (say, a 3x liability cap) is
re-reviewed on its own merits rather than on the original deal.
"""

from __future__ import annotations

from typing import Any

from graphs.state import Draft
from playbook_store.models import DealFacts

# template attribute -> DealFacts field
ATTRIBUTE_FACTS: dict[str, str] = {
    "paymentTermsDays": "payment_terms_days",
    "liabilityCapMultiple": "requested_liability_cap_multiple",
    "renewalTermMonths": "requested_auto_renewal_term_months",
    "slaUptimePercent": "sla_uptime_requested",
    "governingLaw": "governing_law_requested",
    "breachNotificationHours": "breach_notice_hours_requested",
    "confidentialityPeriodYears": "confidentiality_years_requested",
    "discountPercent": "max_discount_percent",
}


def facts_from_draft(draft: Draft) -> DealFacts:
    updates: dict[str, Any] = {}
    for document in draft.documents:
        values = document.launch_attributes()
        for attr, field in ATTRIBUTE_FACTS.items():
            if attr in values and field not in updates:
                updates[field] = values[attr]
        if values.get("autoRenewal") is False:
            updates["requested_auto_renewal_term_months"] = 0
        tcv = values.get("totalContractValue")
        if isinstance(tcv, dict) and "amount" in tcv:
            updates.setdefault("total_contract_value", float(tcv["amount"]))
    return draft.facts.model_copy(update=updates)
