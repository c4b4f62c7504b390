"""The deals `contractloop demo` puts into the sandbox org: one of each shape a RevOps team meets daily."""

from __future__ import annotations

from sandbox.salesforce.deals import ContactSpec, DealSpec, LineSpec

DEMO_DEALS: list[tuple[str, DealSpec]] = [
    ("small expansion, standard terms: auto-approved Order Form", DealSpec(
        account_name="Harborline Logistics", region="NA", deal_type="Expansion", term_months=12,
        payment_terms_days=30, governing_law="State of New York",
        billing_street="88 Pier Avenue", billing_city="New York", billing_state="NY", billing_postal_code="10004",
        lines=[LineSpec(product_code="PLT-PRO", quantity=25), LineSpec(product_code="SUP-STD", quantity=1)],
        contacts=[ContactSpec(first_name="Maya", last_name="Okafor", title="VP Operations",
                              role="Decision Maker", primary=True)])),
    ("large EMEA new logo with special terms: MSA + DPA, waits for Legal", DealSpec(
        account_name="Kestrel Bank AG", region="EMEA", deal_type="New Logo", term_months=36,
        payment_terms_days=None, governing_law="Ireland",
        billing_street="Taunusanlage 12", billing_city="Frankfurt am Main", billing_state=None,
        billing_postal_code="60325", billing_country="Germany", industry="Banking",
        special_terms="Customer requests a liability cap of 2x annual fees and net 45 payment terms. "
                      "Breach notification within 48 hours.",
        lines=[LineSpec(product_code="PLT-ENT", quantity=150, discount_percent=10),
               LineSpec(product_code="ADD-ANL", quantity=150), LineSpec(product_code="PS-IMPL", quantity=1)],
        contacts=[ContactSpec(first_name="Jonas", last_name="Schmidt", title="Chief Financial Officer",
                              role="Economic Buyer", primary=True),
                  ContactSpec(first_name="Elena", last_name="Rossi", title="General Counsel", role="Legal")])),
]
