"""The playbook positions a draft carries: standard parameters, overridden by approved clause choices.

Produces the values the attribute mapping reads as `playbook:*` (payment terms, renewal, liability cap,
SLA, governing law, DPA and NDA terms), each with the clause id it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playbook_store.loader import load_clause_library, load_risk_rules
from playbook_store.models import ClauseChoice, DealFacts

# (clause type, parameter) -> template attribute
PARAMETER_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("payment_terms", "days"): "paymentTermsDays",
    ("auto_renewal", "renewal_term_months"): "renewalTermMonths",
    ("auto_renewal", "notice_days"): "renewalNoticeDays",
    ("limitation_of_liability", "cap_multiple"): "liabilityCapMultiple",
    ("sla", "uptime_percent"): "slaUptimePercent",
    ("confidentiality", "survival_years"): "confidentialityPeriodYears",
    ("data_protection", "breach_notice_hours"): "breachNotificationHours",
    ("governing_law", "jurisdiction"): "governingLaw",
}
# Positions the playbook fixes for every deal (not negotiable through special terms).
FIXED_TERMS: dict[str, Any] = {
    "agreementTermMonths": 24,
    "subprocessorNoticeDays": 30,
    "personalDataCategories": "Contact details, account credentials and usage data of Customer's authorised users",
    "dataSubjectCategories": "Customer's employees, contractors and end users of the Service",
}


def region_default_law(facts: DealFacts) -> str:
    """The first approved governing law for the deal's region (from the risk rules)."""
    rules = load_risk_rules()
    rule = next(r for r in rules.rules if r.check == "governing_law_not_approved")
    return str(rule.params["approved"][facts.region][0])


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def playbook_terms(facts: DealFacts, choices: Sequence[ClauseChoice]) -> dict[str, tuple[Any, str]]:
    """Attribute -> (value, source clause id). Chosen clauses win over standard positions."""
    library = load_clause_library()
    terms: dict[str, tuple[Any, str]] = {}
    for clause_type, family in library.families.items():
        standard = family.standard
        for param_name, param in standard.parameters.items():
            attr = PARAMETER_ATTRIBUTES.get((clause_type, param_name))
            if attr is not None and param.default is not None:
                terms[attr] = (_number(param.default), f"{standard.id} v{standard.version} (standard)")
    # Payment terms on the Opportunity within the playbook's range count as the deal's request.
    terms["governingLaw"] = (region_default_law(facts), f"region default for {facts.region}")
    for choice in choices:
        if choice.request.clause_type == "governing_law" and not choice.within_playbook:
            continue  # a law we cannot paper keeps the region default; the risk rules flag the request
        for param_name, value in choice.values.items():
            attr = PARAMETER_ATTRIBUTES.get((choice.request.clause_type, param_name))
            if attr is not None:
                terms[attr] = (_number(value), f"{choice.clause_id} v{choice.clause_version}")
        if choice.request.clause_type == "auto_renewal" and choice.values.get("renewal_term_months") == 0:
            terms["autoRenewal"] = (False, f"{choice.clause_id} v{choice.clause_version}")
    terms.setdefault("autoRenewal", (True, "REN standard position"))
    if terms["autoRenewal"][0] is False:
        terms.pop("renewalTermMonths", None)
        terms.pop("renewalNoticeDays", None)
    for attr, value in FIXED_TERMS.items():
        terms.setdefault(attr, (value, "playbook fixed position"))
    return terms
