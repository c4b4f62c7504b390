"""The facts risk is reviewed on: the deal as requested (CRM fields and special terms), overlaid with any
attribute a reviewer edited.

The deal's requests stay visible even where the draft was held to the playbook (a net-90 request drafted
as net 60 still shows as "payment terms beyond net 60"), and a reviewer's edit (say, a 3x liability cap) is
re-reviewed on its own merits.
"""

from __future__ import annotations

from typing import Any

from playbook_store.models import DealFacts
from runtime.state import Draft

EDITED_BY = "edited by "
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
        values = {name: a.value for name, a in document.attributes.items()
                  if a.source.startswith(EDITED_BY) and a.value is not None}
        for attr, field in ATTRIBUTE_FACTS.items():
            if attr in values and field not in updates:
                updates[field] = values[attr]
        if values.get("autoRenewal") is False:
            updates["requested_auto_renewal_term_months"] = 0
        tcv = values.get("totalContractValue")
        if isinstance(tcv, dict) and "amount" in tcv:
            updates.setdefault("total_contract_value", float(tcv["amount"]))
    return draft.facts.model_copy(update=updates)
