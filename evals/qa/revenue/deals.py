"""The revenue eval's portfolio: nine closed deals of the shapes a revenue team signs, as sandbox deal specs.

Varied on purpose: counterparties with legal suffixes ("Inc.", "GmbH", "Ltd", "Pty Ltd", "S.A.") that people
drop when they ask; payment terms net 30 / 45 / 60 (none on an NDA); governing laws of four regions; terms of
12 to 36 months; liability caps the playbook allows (1x standard, 1.5x, 2x, 3x); renewals standard, 24-month or
none; convenience termination; two NDAs. Every term comes from the deal's CRM fields and special terms through
the drafter's playbook, exactly as a deal in the sandbox org would be papered.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from sandbox.salesforce.deals import ContactSpec, DealSpec, LineSpec

# The org's "today" when the deals are created: effective dates follow from it and each deal's close_in_days.
PORTFOLIO_TODAY = date(2025, 1, 15)


class PortfolioDeal(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="the contracts' ids start with it")
    spec: DealSpec


PORTFOLIO_DEALS: list[PortfolioDeal] = [
    PortfolioDeal(key="harborline", spec=DealSpec(
        account_name="Harborline Logistics Inc.", region="NA", deal_type="Expansion", term_months=12,
        close_in_days=20, payment_terms_days=30, governing_law="State of New York",
        billing_street="88 Pier Avenue", billing_city="New York", billing_state="NY", billing_postal_code="10004",
        lines=[LineSpec(product_code="PLT-PRO", quantity=25), LineSpec(product_code="SUP-STD", quantity=1)],
        contacts=[ContactSpec(first_name="Maya", last_name="Okafor", title="VP Operations", primary=True)])),
    PortfolioDeal(key="kestrel", spec=DealSpec(
        account_name="Kestrel Bank AG", region="EMEA", deal_type="New Logo", term_months=36, close_in_days=35,
        payment_terms_days=None, governing_law="Ireland", industry="Banking",
        billing_street="Taunusanlage 12", billing_city="Frankfurt am Main", billing_state=None,
        billing_postal_code="60325", billing_country="Germany",
        special_terms="Customer requests a liability cap of 2x annual fees and net 45 payment terms. "
                      "Breach notification within 48 hours.",
        lines=[LineSpec(product_code="PLT-ENT", quantity=150, discount_percent=10),
               LineSpec(product_code="ADD-ANL", quantity=150), LineSpec(product_code="PS-IMPL", quantity=1)],
        contacts=[ContactSpec(first_name="Jonas", last_name="Schmidt", title="Chief Financial Officer",
                              role="Economic Buyer", primary=True)])),
    PortfolioDeal(key="nordwind", spec=DealSpec(
        account_name="Nordwind Maschinenbau GmbH", region="EMEA", deal_type="Evaluation", close_in_days=10,
        payment_terms_days=None, governing_law="Germany", industry="Manufacturing",
        billing_street="Hafenstrasse 3", billing_city="Hamburg", billing_state=None, billing_postal_code="20457",
        billing_country="Germany", lines=[LineSpec(product_code="PLT-PRO", quantity=40)],
        contacts=[ContactSpec(first_name="Anna", last_name="Weber", title="Head of Procurement", primary=True)])),
    PortfolioDeal(key="pemberton", spec=DealSpec(
        account_name="Pemberton & Rowe Ltd", region="EMEA", deal_type="New Logo", term_months=24, close_in_days=45,
        payment_terms_days=60, governing_law="England and Wales", industry="Professional Services",
        billing_street="14 Bread Street", billing_city="London", billing_state=None, billing_postal_code="EC4M 9BE",
        billing_country="United Kingdom",
        special_terms="Customer may terminate for convenience on 90 days' notice.",
        lines=[LineSpec(product_code="PLT-STD", quantity=60), LineSpec(product_code="SUP-PRM", quantity=1)],
        contacts=[ContactSpec(first_name="Oliver", last_name="Hastings", title="Finance Director", primary=True)])),
    PortfolioDeal(key="solace", spec=DealSpec(
        account_name="Solace Health Systems, Inc.", region="NA", deal_type="New Logo", term_months=12,
        close_in_days=60, payment_terms_days=45, governing_law="State of California", industry="Healthcare",
        billing_street="2200 Mission College Blvd", billing_city="Santa Clara", billing_state="CA",
        billing_postal_code="95054",
        special_terms="No auto-renewal. Liability cap of 1.5x annual fees.",
        lines=[LineSpec(product_code="PS-IMPL", quantity=1), LineSpec(product_code="SUP-STD", quantity=1),
               LineSpec(product_code="PS-TRN", quantity=4)],
        contacts=[ContactSpec(first_name="Priya", last_name="Raman", title="CIO", primary=True)])),
    PortfolioDeal(key="tidewater", spec=DealSpec(
        account_name="Tidewater Analytics LLC", region="NA", deal_type="Evaluation", close_in_days=5,
        payment_terms_days=None, governing_law="Delaware", billing_street="401 Harbor Road",
        billing_city="Wilmington", billing_state="DE", billing_postal_code="19801",
        lines=[LineSpec(product_code="ADD-ANL", quantity=10)],
        contacts=[ContactSpec(first_name="Sam", last_name="Castillo", title="Director of Data", primary=True)])),
    PortfolioDeal(key="maplestone", spec=DealSpec(
        account_name="Maplestone Retail Corp.", region="NA", deal_type="Renewal", term_months=24, close_in_days=75,
        payment_terms_days=60, billing_street="75 King Street West", billing_city="Chicago", billing_state="IL",
        billing_postal_code="60601", industry="Retail",
        special_terms="Renewal term of 24 months.",
        lines=[LineSpec(product_code="PLT-ENT", quantity=80), LineSpec(product_code="SUP-PRM", quantity=1)],
        contacts=[ContactSpec(first_name="Grace", last_name="Liu", title="VP Finance", primary=True)])),
    PortfolioDeal(key="aurora", spec=DealSpec(
        account_name="Aurora Pacific Pty Ltd", region="APAC", deal_type="New Logo", term_months=12,
        close_in_days=90, payment_terms_days=30, governing_law="New South Wales",
        billing_street="1 Macquarie Place", billing_city="Sydney", billing_state="NSW", billing_postal_code="2000",
        billing_country="Australia",
        special_terms="Liability capped at 3x annual fees.",
        lines=[LineSpec(product_code="PLT-PRO", quantity=30)],
        contacts=[ContactSpec(first_name="Liam", last_name="Nguyen", title="COO", primary=True)])),
    PortfolioDeal(key="brightwater", spec=DealSpec(
        account_name="Brightwater Foods S.A.", region="LATAM", deal_type="New Logo", term_months=12,
        close_in_days=100, payment_terms_days=30, governing_law="State of New York", industry="Food & Beverage",
        billing_street="Avenida Paulista 1000", billing_city="Sao Paulo", billing_state=None,
        billing_postal_code="01310-100", billing_country="Brazil",
        lines=[LineSpec(product_code="PS-MIG", quantity=1), LineSpec(product_code="SUP-STD", quantity=1)],
        contacts=[ContactSpec(first_name="Rafael", last_name="Costa", title="Head of IT", primary=True)])),
]
