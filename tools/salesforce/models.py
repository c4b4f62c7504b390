"""Typed views of the Salesforce records contractloop reads. Field names are ours; `source` maps them back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from core.state_model import StateModel


class AccountInfo(StateModel):
    id: str
    name: str
    industry: str | None = None
    region: str | None = None
    billing_street: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_postal_code: str | None = None
    billing_country: str | None = None

    @property
    def billing_address(self) -> str:
        parts = [self.billing_street, self.billing_city, self.billing_state, self.billing_postal_code,
                 self.billing_country]
        return ", ".join(p for p in parts if p)


class ContactRole(StateModel):
    contact_id: str
    name: str
    email: str | None = None
    title: str | None = None
    role: str | None = None
    is_primary: bool = False


class LineItem(StateModel):
    id: str
    product_id: str | None = None
    product_name: str
    product_code: str | None = None
    product_family: str | None = None
    quantity: Decimal
    unit_price: Decimal
    list_price: Decimal | None = None
    total_price: Decimal
    discount_percent: Decimal | None = None


class QuoteLine(StateModel):
    id: str
    product_name: str | None = None
    quantity: Decimal | None = None
    list_price: Decimal | None = None
    net_price: Decimal | None = None
    discount_percent: Decimal | None = None
    net_total: Decimal | None = None


class PrimaryQuote(StateModel):
    id: str
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    subscription_term_months: int | None = None
    net_amount: Decimal | None = None
    grand_total: Decimal | None = None
    payment_terms: str | None = None
    billing_frequency: str | None = None
    lines: list[QuoteLine] = Field(default_factory=list)


class OpportunityBundle(StateModel):
    """Everything the drafter needs about one deal, read in one SOQL query."""

    id: str
    name: str
    stage: str
    amount: Decimal | None = None
    close_date: date | None = None
    type: str | None = None
    deal_type: str | None = None
    region: str | None = None
    contract_term_months: int | None = None
    payment_terms_days: int | None = None
    special_terms: str | None = None
    governing_law: str | None = None
    description: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    ironclad_workflow_id: str | None = None
    ironclad_status: str | None = None
    last_modified: str | None = None
    account: AccountInfo
    contacts: list[ContactRole] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    quote: PrimaryQuote | None = None

    @property
    def primary_contact(self) -> ContactRole | None:
        return next((c for c in self.contacts if c.is_primary), self.contacts[0] if self.contacts else None)

    @property
    def product_families(self) -> list[str]:
        return sorted({li.product_family for li in self.line_items if li.product_family})


class SalesforceUser(StateModel):
    """A Salesforce user, as `SalesforceClient.user_by_email` finds one: who is asking, for record access checks."""

    id: str = Field(description="the 18-character User id (005...)")
    name: str
    email: str
    is_active: bool
