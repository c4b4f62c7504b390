"""From the Salesforce bundle to the playbook's `DealFacts`: the one place CRM vocabulary is translated."""

from __future__ import annotations

import re
from decimal import Decimal

from playbook_store.jurisdictions import supported_jurisdictions
from playbook_store.models import DealFacts, DealType, Region, TermRequest, TextSpan
from tools.salesforce.models import OpportunityBundle

REGION_BY_PICKLIST: dict[str, Region] = {"NA": "North America", "EMEA": "EMEA", "APAC": "APAC", "LATAM": "LATAM"}
DEAL_TYPE_BY_PICKLIST: dict[str, DealType] = {
    "New Logo": "new_business", "Expansion": "expansion", "Renewal": "renewal", "Evaluation": "evaluation",
}
DEAL_TYPE_BY_OPPORTUNITY_TYPE: dict[str, DealType] = {
    "New Business": "new_business", "Existing Business - Upgrade": "expansion", "Renewal": "renewal",
}
# Products that process the customer's personal data on its behalf (so a DPA is needed).
DATA_PROCESSING_FAMILIES = {"Platform", "Add-ons"}
_NET_DAYS = re.compile(r"net\s*(\d{1,3})", re.IGNORECASE)
# "State of California", "Province of Ontario", "The Netherlands", "New South Wales, Australia" -> template names.
_LAW_QUALIFIER = re.compile(r"^(?:the\s+)?(?:(?:state|commonwealth|province|republic|kingdom)\s+of\s+)?(?:the\s+)?",
                            re.IGNORECASE)


def canonical_jurisdiction(raw: str | None) -> str | None:
    """A CRM governing-law value in the templates' vocabulary (unknown names pass through, to be flagged)."""
    if not raw or not raw.strip():
        return None
    name = _LAW_QUALIFIER.sub("", raw.strip())
    supported = {j.lower(): j for j in supported_jurisdictions()}
    if name.lower() in supported:
        return supported[name.lower()]
    head = name.split(",")[0].strip()  # "New South Wales, Australia"
    return supported.get(head.lower(), name)


class FactsError(ValueError):
    """The Opportunity lacks something the playbook cannot decide without; names the Salesforce field."""


def region_of(bundle: OpportunityBundle) -> Region:
    for value in (bundle.region, bundle.account.region):
        if value in REGION_BY_PICKLIST:
            return REGION_BY_PICKLIST[value]
    raise FactsError("Opportunity.Region__c (and Account.Region__c) is empty or unknown: "
                     f"{bundle.region!r}; expected one of {sorted(REGION_BY_PICKLIST)}")


def deal_type_of(bundle: OpportunityBundle) -> DealType:
    if bundle.deal_type in DEAL_TYPE_BY_PICKLIST:
        return DEAL_TYPE_BY_PICKLIST[bundle.deal_type]
    if bundle.type in DEAL_TYPE_BY_OPPORTUNITY_TYPE:
        return DEAL_TYPE_BY_OPPORTUNITY_TYPE[bundle.type]
    raise FactsError(f"Opportunity.Deal_Type__c {bundle.deal_type!r} and Type {bundle.type!r} give no deal type")


def payment_terms_days_of(bundle: OpportunityBundle) -> int | None:
    if bundle.payment_terms_days is not None:
        return bundle.payment_terms_days
    if bundle.quote and bundle.quote.payment_terms:
        if bundle.quote.payment_terms.lower().startswith("due on receipt"):
            return 0
        match = _NET_DAYS.search(bundle.quote.payment_terms)
        if match:
            return int(match.group(1))
    return None


def term_months_of(bundle: OpportunityBundle) -> int:
    if bundle.contract_term_months:
        return bundle.contract_term_months
    if bundle.quote and bundle.quote.subscription_term_months:
        return bundle.quote.subscription_term_months
    return 12


def total_value_of(bundle: OpportunityBundle) -> Decimal:
    if bundle.amount is not None:
        return bundle.amount
    if bundle.quote and bundle.quote.net_amount is not None:
        return bundle.quote.net_amount
    return sum((li.total_price for li in bundle.line_items), Decimal(0))


def max_discount_of(bundle: OpportunityBundle) -> float | None:
    discounts = [li.discount_percent for li in bundle.line_items if li.discount_percent is not None]
    if bundle.quote:
        discounts += [ql.discount_percent for ql in bundle.quote.lines if ql.discount_percent is not None]
    return float(max(discounts)) if discounts else None


def deal_facts(bundle: OpportunityBundle) -> DealFacts:
    """Facts from CRM fields only; special-terms requests are merged in by the playbook's parser."""
    deal_type = deal_type_of(bundle)
    families = bundle.product_families
    return DealFacts(
        opportunity_id=bundle.id,
        account_name=bundle.account.name,
        opportunity_name=bundle.name or "",
        region=region_of(bundle),
        deal_type=deal_type,
        has_existing_msa=deal_type in ("expansion", "renewal"),
        total_contract_value=float(total_value_of(bundle)),
        term_months=term_months_of(bundle),
        product_families=families,
        product_names=[li.product_name for li in bundle.line_items],
        payment_terms_days=payment_terms_days_of(bundle),
        max_discount_percent=max_discount_of(bundle),
        governing_law_requested=canonical_jurisdiction(bundle.governing_law),
        special_terms=bundle.special_terms or "",
        data_processing=bool(DATA_PROCESSING_FAMILIES & set(families)),
    )


def crm_requests(facts: DealFacts) -> list[TermRequest]:
    """Structured CRM fields that ask for non-standard terms, as playbook requests.

    They come before special-terms requests so that, as in `apply_requests`, a CRM field wins over free
    text. Their span has no offsets into the special terms; its text names the Salesforce field.
    """
    requests = []
    if facts.payment_terms_days is not None:
        text = f"Opportunity.Payment_Terms_Days__c = {facts.payment_terms_days}"
        requests.append(TermRequest(clause_type="payment_terms", parameter="days", value=facts.payment_terms_days,
                                    span=TextSpan(start=0, end=0, text=text)))
    if facts.governing_law_requested:
        text = f"Opportunity.Governing_Law__c = {facts.governing_law_requested}"
        requests.append(TermRequest(clause_type="governing_law", parameter="jurisdiction",
                                    value=facts.governing_law_requested, span=TextSpan(start=0, end=0, text=text)))
    return requests
