"""Named deal scenarios for the sandbox org: an Opportunity with its account, contacts, line items and
primary CPQ quote, built from one typed spec. The demo, the drafting eval and tests use it to put a
deal of a known shape into the org; prices come from the seeded standard price book."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from sandbox.salesforce.store import OrgStore

RECURRING_FAMILIES = {"Platform", "Add-ons", "Support"}


class ContactSpec(BaseModel):
    first_name: str
    last_name: str
    title: str
    role: str = "Decision Maker"
    primary: bool = False
    email: str | None = None


class LineSpec(BaseModel):
    product_code: str
    quantity: float = Field(gt=0)
    discount_percent: float = Field(0, ge=0, le=100)


class DealSpec(BaseModel):
    account_name: str
    region: str = Field(pattern="^(NA|EMEA|APAC|LATAM)$")
    billing_street: str = "1 Market Street"
    billing_city: str = "San Francisco"
    billing_state: str | None = "CA"
    billing_postal_code: str = "94105"
    billing_country: str = "United States"
    industry: str = "Technology"
    opportunity_name: str | None = None
    deal_type: str = "New Logo"
    stage: str = "Contracting"
    close_in_days: int = 14
    term_months: int = 12
    payment_terms_days: int | None = 30
    governing_law: str | None = None
    special_terms: str | None = None
    billing_frequency: str = "Annual"
    contacts: list[ContactSpec] = Field(default_factory=lambda: [
        ContactSpec(first_name="Dana", last_name="Reyes", title="Chief Financial Officer", role="Economic Buyer",
                    primary=True)])
    lines: list[LineSpec] = Field(min_length=1)


def create_deal(store: OrgStore, spec: DealSpec, today: date | None = None) -> str:
    """Insert the deal in one transaction; returns the Opportunity id."""
    today = today or date.today()
    close = today + timedelta(days=spec.close_in_days)
    domain = "".join(ch for ch in spec.account_name.lower() if ch.isalnum())[:20] + ".example.com"
    codes = ", ".join(f"'{line.product_code}'" for line in spec.lines)
    entries = {
        row["Product2"]["ProductCode"]: row
        for row in store.query(
            "SELECT Id, UnitPrice, Product2Id, Product2.ProductCode, Product2.Family, Product2.Name "
            f"FROM PricebookEntry WHERE Product2.ProductCode IN ({codes})").records
    }
    missing = [line.product_code for line in spec.lines if line.product_code not in entries]
    if missing:
        raise ValueError(f"unknown product codes {missing}")
    years = spec.term_months / 12
    with store.transaction():
        account_id = store.create("Account", {
            "Name": spec.account_name, "Region__c": spec.region, "Industry": spec.industry,
            "BillingStreet": spec.billing_street, "BillingCity": spec.billing_city,
            "BillingState": spec.billing_state, "BillingPostalCode": spec.billing_postal_code,
            "BillingCountry": spec.billing_country, "Website": f"https://www.{domain}"})
        contact_ids = [store.create("Contact", {
            "AccountId": account_id, "FirstName": c.first_name, "LastName": c.last_name, "Title": c.title,
            "Email": c.email or f"{c.first_name}.{c.last_name}@{domain}".lower()}) for c in spec.contacts]
        priced = []
        for line in spec.lines:
            entry = entries[line.product_code]
            recurring = entry["Product2"]["Family"] in RECURRING_FAMILIES
            unit = round(entry["UnitPrice"] * (years if recurring else 1) * (1 - line.discount_percent / 100), 2)
            priced.append((line, entry, unit))
        amount = round(sum(line.quantity * unit for line, _, unit in priced), 2)
        opportunity_id = store.create("Opportunity", {
            "Name": spec.opportunity_name or f"{spec.account_name} - {spec.deal_type}",
            "AccountId": account_id, "StageName": spec.stage, "CloseDate": close.isoformat(),
            "Type": "Renewal" if spec.deal_type == "Renewal" else (
                "Existing Business - Upgrade" if spec.deal_type == "Expansion" else "New Business"),
            "Region__c": spec.region, "Deal_Type__c": spec.deal_type, "Contract_Term_Months__c": spec.term_months,
            "Payment_Terms_Days__c": spec.payment_terms_days, "Governing_Law__c": spec.governing_law,
            "Special_Terms__c": spec.special_terms, "Pricebook2Id": store.standard_pricebook_id})
        for contact_id, c in zip(contact_ids, spec.contacts, strict=True):
            store.create("OpportunityContactRole", {"OpportunityId": opportunity_id, "ContactId": contact_id,
                                                    "Role": c.role, "IsPrimary": c.primary})
        for line, entry, unit in priced:
            store.create("OpportunityLineItem", {
                "OpportunityId": opportunity_id, "PricebookEntryId": entry["Id"], "Product2Id": entry["Product2Id"],
                "Quantity": line.quantity, "UnitPrice": unit, "Discount": line.discount_percent or None})
        start = close + timedelta(days=1)
        quote_id = store.create("SBQQ__Quote__c", {
            "SBQQ__Opportunity2__c": opportunity_id, "SBQQ__Account__c": account_id, "SBQQ__Primary__c": True,
            "SBQQ__Status__c": "Approved", "SBQQ__StartDate__c": start.isoformat(),
            "SBQQ__SubscriptionTerm__c": spec.term_months, "SBQQ__NetAmount__c": amount,
            "SBQQ__PaymentTerms__c": f"Net {spec.payment_terms_days}" if spec.payment_terms_days else None,
            "SBQQ__BillingFrequency__c": spec.billing_frequency, "SBQQ__PrimaryContact__c": contact_ids[0]})
        for line, entry, unit in priced:
            store.create("SBQQ__QuoteLine__c", {
                "SBQQ__Quote__c": quote_id, "SBQQ__Product__c": entry["Product2Id"],
                "SBQQ__ProductName__c": entry["Product2"]["Name"], "SBQQ__Quantity__c": line.quantity,
                "SBQQ__ListPrice__c": entry["UnitPrice"], "SBQQ__NetPrice__c": unit,
                "SBQQ__Discount__c": line.discount_percent or None})
    return opportunity_id
