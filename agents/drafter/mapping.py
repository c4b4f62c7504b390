"""Mapping-as-code: where every Ironclad template attribute comes from.

Each attribute names the Salesforce fields it reads and explains itself, so a reviewer can trace every
launched value. `check_mapping` validates this table at start-up against the Ironclad workflow schemas and
Salesforce describe: a renamed or mistyped field fails loudly, and a required value never syncs as null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from playbook_store.models import DealFacts
from playbook_store.templates import ContractTemplate
from tools.salesforce.models import OpportunityBundle


class MappingError(ValueError):
    """The mapping cannot produce a valid value; the message names the attribute and the Salesforce field."""


@dataclass
class MappingInput:
    bundle: OpportunityBundle
    facts: DealFacts
    terms: dict[str, Any] = field(default_factory=dict)  # playbook positions: renewal, cap, SLA, law, ...
    negotiated_clauses: str = ""


@dataclass(frozen=True)
class AttributeSource:
    type: str  # the Ironclad attribute type this source produces
    reads: tuple[str, ...]  # Salesforce fields ("Object.Field") or playbook terms ("playbook:<name>")
    explain: str
    value: Callable[[MappingInput], Any]
    options: tuple[str, ...] = ()  # for selects: every value this source can produce
    uses: tuple[str, ...] = ()  # fields that select or filter (checked to exist, not type-matched)


def _sf(*fields: str) -> tuple[str, ...]:
    return fields


def _term(name: str) -> Callable[[MappingInput], Any]:
    return lambda m: m.terms.get(name)


def _primary(m: MappingInput) -> Any:
    contact = m.bundle.primary_contact
    if contact is None:
        raise MappingError("the Opportunity has no contact roles (OpportunityContactRole): no signer to name")
    return contact


def _billing_contact_email(m: MappingInput) -> str | None:
    billing = next((c for c in m.bundle.contacts if (c.role or "").lower().startswith("billing")), None)
    return billing.email if billing else None


def _address(m: MappingInput) -> dict[str, Any] | None:
    a = m.bundle.account
    if not (a.billing_street and a.billing_country):
        return None
    return {"lines": [line for line in a.billing_street.splitlines() if line.strip()][:4] or [a.billing_street],
            "locality": a.billing_city or "", "region": a.billing_state or "",
            "postcode": a.billing_postal_code or "", "country": a.billing_country}


def _effective_date(m: MappingInput) -> str | None:
    b = m.bundle
    start = (b.quote.start_date if b.quote and b.quote.start_date else None) or b.close_date
    return start.isoformat() if isinstance(start, date) else None


def _money(amount: float | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"currency": currency, "amount": round(float(amount), 2)}


def _products_summary(m: MappingInput) -> str | None:
    items = m.bundle.line_items
    if not items:
        return None
    return "; ".join(f"{li.product_name} × {li.quantity.normalize():f}" for li in items)


BILLING_FREQUENCY = {
    "Annual": "Annually in advance", "Quarterly": "Quarterly in advance", "Monthly": "Monthly in advance",
    "Semiannual": "Annually in advance", "Invoice Plan": "Upfront for the full term",
}
DATA_HOSTING = {"North America": "United States", "EMEA": "European Union", "APAC": "Australia",
                "LATAM": "United States"}
TRANSFER = {"European Union": "No restricted transfer", "United States": "EU-U.S. Data Privacy Framework",
            "Australia": "EU Standard Contractual Clauses (Module 2)"}


def _billing_frequency(m: MappingInput) -> str:
    raw = m.bundle.quote.billing_frequency if m.bundle.quote else None
    return BILLING_FREQUENCY.get(raw or "Annual", "Annually in advance")


def _hosting(m: MappingInput) -> str:
    if (m.bundle.account.billing_country or "").lower() in {"united kingdom", "uk", "gb"}:
        return "United Kingdom"
    return DATA_HOSTING[m.facts.region]


def _transfer(m: MappingInput) -> str:
    hosting = _hosting(m)
    if hosting == "United Kingdom":
        return "UK International Data Transfer Addendum"
    return TRANSFER.get(hosting, "EU Standard Contractual Clauses (Module 2)")


# Set at launch, not mapped: the typed Ironclad client writes the run's correlation key (per template) there.
LAUNCH_TIME_ATTRIBUTES = frozenset({"contractloopKey"})

ACCOUNT = "Account"
OPP = "Opportunity"

SOURCES: dict[str, AttributeSource] = {
    "salesforceOpportunityId": AttributeSource("string", _sf("Opportunity.Id"), "Opportunity Id",
                                               lambda m: m.bundle.id),
    "negotiatedClauses": AttributeSource("string", ("playbook:clauses",),
                                         "special terms drafted from approved playbook clauses",
                                         lambda m: m.negotiated_clauses or None),
    "counterpartyName": AttributeSource("string", _sf("Account.Name"), "Account name",
                                        lambda m: m.bundle.account.name or None),
    "counterpartyAddress": AttributeSource(
        "address", _sf("Account.BillingStreet", "Account.BillingCity", "Account.BillingState",
                       "Account.BillingPostalCode", "Account.BillingCountry"),
        "Account billing address", _address),
    "counterpartySignerName": AttributeSource("string", _sf("Contact.Name"), "primary contact role's name",
                                              lambda m: _primary(m).name or None,
                                              uses=_sf("OpportunityContactRole.IsPrimary")),
    "counterpartySignerTitle": AttributeSource("string", _sf("Contact.Title"), "primary contact role's title",
                                               lambda m: _primary(m).title),
    "counterpartySignerEmail": AttributeSource("email", _sf("Contact.Email"), "primary contact role's email",
                                               lambda m: _primary(m).email),
    "billingContactEmail": AttributeSource("email", _sf("Contact.Email"),
                                           "email of the contact whose role starts with 'Billing'",
                                           _billing_contact_email, uses=_sf("OpportunityContactRole.Role")),
    "effectiveDate": AttributeSource("date", _sf("SBQQ__Quote__c.SBQQ__StartDate__c", "Opportunity.CloseDate"),
                                     "primary quote start date, else the close date", _effective_date),
    "masterAgreementDate": AttributeSource(
        "date", _sf("SBQQ__Quote__c.SBQQ__StartDate__c", "Opportunity.CloseDate"),
        "effective date (the master agreement is signed alongside)", _effective_date),
    "region": AttributeSource("select", _sf("Opportunity.Region__c", "Account.Region__c"), "Opportunity region",
                              lambda m: m.facts.region, options=("North America", "EMEA", "APAC", "LATAM")),
    "initialTermMonths": AttributeSource("number", _sf("Opportunity.Contract_Term_Months__c",
                                                       "SBQQ__Quote__c.SBQQ__SubscriptionTerm__c"),
                                         "contract term in months", lambda m: m.facts.term_months),
    "contractTerm": AttributeSource("duration", _sf("Opportunity.Contract_Term_Months__c",
                                                    "SBQQ__Quote__c.SBQQ__SubscriptionTerm__c"),
                                    "contract term", lambda m: {"months": m.facts.term_months}),
    "productsSummary": AttributeSource("string", _sf("OpportunityLineItem.Quantity", "Product2.Name"),
                                       "line items", _products_summary),
    "totalContractValue": AttributeSource("monetaryAmount", _sf("Opportunity.Amount"), "Opportunity amount",
                                          lambda m: _money(m.facts.total_contract_value, m.facts.currency)),
    "annualContractValue": AttributeSource("monetaryAmount", _sf("Opportunity.Amount",
                                                                 "Opportunity.Contract_Term_Months__c"),
                                           "amount spread over the term in years",
                                           lambda m: _money(m.facts.effective_annual_value, m.facts.currency)),
    "discountPercent": AttributeSource("number", _sf("OpportunityLineItem.Discount",
                                                     "SBQQ__QuoteLine__c.SBQQ__Discount__c"),
                                       "largest line discount", lambda m: m.facts.max_discount_percent),
    "billingFrequency": AttributeSource(
        "select", _sf("SBQQ__Quote__c.SBQQ__BillingFrequency__c"), "primary quote billing frequency",
        _billing_frequency, options=tuple(sorted(set(BILLING_FREQUENCY.values())))),
    "paymentTermsDays": AttributeSource("number", ("playbook:payment_terms_days",),
                                        "payment terms (Opportunity / quote, within the playbook)",
                                        _term("paymentTermsDays")),
    "autoRenewal": AttributeSource("boolean", ("playbook:auto_renewal",), "playbook renewal position",
                                   _term("autoRenewal")),
    "renewalTermMonths": AttributeSource("number", ("playbook:auto_renewal",), "playbook renewal position",
                                         _term("renewalTermMonths")),
    "renewalNoticeDays": AttributeSource("number", ("playbook:auto_renewal",), "playbook renewal position",
                                         _term("renewalNoticeDays")),
    "liabilityCapMultiple": AttributeSource("number", ("playbook:limitation_of_liability",),
                                            "playbook liability position", _term("liabilityCapMultiple")),
    "slaUptimePercent": AttributeSource("number", ("playbook:sla",), "playbook SLA position",
                                        _term("slaUptimePercent")),
    "governingLaw": AttributeSource("select", _sf("Opportunity.Governing_Law__c"),
                                    "requested governing law if approved for the region, else the region default",
                                    _term("governingLaw")),
    "purpose": AttributeSource("string", _sf("Opportunity.Name"), "evaluation purpose",
                               lambda m: f"evaluating a potential business relationship concerning "
                                         f"{', '.join(m.facts.product_names) or 'our products'}"),
    "agreementTermMonths": AttributeSource("number", ("playbook:confidentiality",), "playbook NDA term",
                                           _term("agreementTermMonths")),
    "confidentialityPeriodYears": AttributeSource("number", ("playbook:confidentiality",),
                                                  "playbook confidentiality period",
                                                  _term("confidentialityPeriodYears")),
    "dataHostingRegion": AttributeSource("select", _sf("Opportunity.Region__c", "Account.BillingCountry"),
                                         "hosting region for the customer's region", _hosting,
                                         options=("United States", "European Union", "United Kingdom",
                                                  "Australia")),
    "transferMechanism": AttributeSource("select", _sf("Account.BillingCountry"), "transfer mechanism for hosting",
                                         _transfer, options=("No restricted transfer",
                                                             "EU-U.S. Data Privacy Framework",
                                                             "EU Standard Contractual Clauses (Module 2)",
                                                             "UK International Data Transfer Addendum")),
    "personalDataCategories": AttributeSource("string", ("playbook:data_protection",), "playbook DPA scope",
                                              _term("personalDataCategories")),
    "dataSubjectCategories": AttributeSource("string", ("playbook:data_protection",), "playbook DPA scope",
                                             _term("dataSubjectCategories")),
    "breachNotificationHours": AttributeSource("number", ("playbook:data_protection",),
                                               "playbook breach notification", _term("breachNotificationHours")),
    "subprocessorNoticeDays": AttributeSource("number", ("playbook:data_protection",),
                                              "playbook sub-processor notice", _term("subprocessorNoticeDays")),
}


def map_attributes(template: ContractTemplate, inp: MappingInput) -> dict[str, tuple[Any, str]]:
    """Attribute -> (value, provenance) for one template. Missing required values raise, naming the source."""
    out: dict[str, tuple[Any, str]] = {}
    for attr_id, spec in template.attributes.items():
        if attr_id in template.phrases or attr_id in LAUNCH_TIME_ATTRIBUTES:
            continue  # derived below from the value it depends on, or set at launch
        source = SOURCES.get(attr_id)
        if source is None:
            raise MappingError(f"template {template.key}: attribute {attr_id} has no mapping")
        value = source.value(inp)
        if value is None or value == "":
            if spec.required == "always":
                raise MappingError(
                    f"{template.key}.{attr_id} ({spec.display_name}) is required but "
                    f"{' / '.join(source.reads) or source.explain} is empty on Opportunity {inp.bundle.id}")
            continue
        out[attr_id] = (value, " + ".join(source.reads) or source.explain)
    plain = {k: v for k, (v, _) in out.items()}
    for phrase_id, text in template.derive_phrases(plain).items():
        out[phrase_id] = (text, f"phrase from {template.phrases[phrase_id].source}")
    return out
