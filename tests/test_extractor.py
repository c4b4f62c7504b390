"""The offline engine on small contracts written here: values, and every citation verbatim at its span."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.contract_terms import ClauseFinding, LiabilityCap, Money, Obligation, Party
from extraction import Citation, Cited, ContractTerms, Extractor, OfflineExtractor, verified
from tools.documents import Document

SERVICES = """MASTER SERVICES AGREEMENT

This Master Services Agreement (the "Agreement") is entered into as of March 3, 2021 by and between Northwind Analytics, Inc., a Delaware corporation ("Provider"), and Blue Harbor Logistics LLC, a Texas limited liability company ("Customer").

1. Term. This Agreement shall commence on April 1, 2021 and shall continue in effect for a period of three (3) years. Thereafter, this Agreement shall automatically renew for successive one (1) year periods unless either party gives written notice of non-renewal at least ninety (90) days prior to the end of the then-current term.

2. Fees. Customer shall pay Provider an annual subscription fee of $120,000. The total contract value is $360,000. Payment terms are net thirty (30) days from the date of invoice.

3. Service Levels. Provider shall maintain availability of 99.9% uptime each calendar month. Provider shall respond to Severity 1 incidents within four (4) hours.

4. Termination for Convenience. Customer may terminate this Agreement for convenience upon sixty (60) days written notice.

5. Limitation of Liability. In no event shall either party's aggregate liability under this Agreement exceed the fees paid by Customer in the twelve (12) months preceding the claim.

6. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of New York, without regard to its conflict of laws principles.
"""

DISTRIBUTION = """DISTRIBUTION AGREEMENT

THIS AGREEMENT is made this 12th day of November, 2019 between Maple Leaf Foods Distribution Ltd., an Ontario corporation ("Distributor"), and Kestrel Snacks GmbH ("Supplier").

The term of this Agreement shall be five (5) years from the date hereof. This Agreement shall be governed by the laws of the Province of Ontario and the federal laws of Canada applicable therein. Supplier's total liability shall not exceed USD 500,000.
"""

EVERGREEN = """CONSULTING AGREEMENT

This Consulting Agreement is dated 05/05/98 between Orbit Labs Corp. ("Company") and Jane Q. Smith ("Consultant").

This Agreement shall become effective on the date hereof and shall continue until terminated by either party upon thirty (30) days written notice. Consultant shall deliver a written report to Company quarterly.
"""


def _extract(text: str) -> ContractTerms:
    document = Document.from_text(text)
    terms = OfflineExtractor().extract(document)
    _assert_citations_verbatim(terms, text)
    return terms


def _assert_citations_verbatim(terms: ContractTerms, text: str) -> None:
    citations: list[Citation] = []
    for name in ContractTerms.model_fields:
        value = getattr(terms, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ClauseFinding):
                citations.extend(item.citations)
            elif item is not None:
                citations.append(item.citation)
                if isinstance(getattr(item, "amount", None), Money):
                    citations.append(item.amount.citation)
    assert citations
    for citation in citations:
        assert text[citation.start:citation.end] == citation.quote
        assert citation.quote.strip() == citation.quote


def test_services_agreement_dates_term_renewal_and_notice():
    terms = _extract(SERVICES)
    assert [p.name for p in terms.parties] == ["Northwind Analytics, Inc.", "Blue Harbor Logistics LLC"]
    assert [p.role for p in terms.parties] == ["Provider", "Customer"]
    assert terms.agreement_date.value == date(2021, 3, 3)
    assert terms.initial_term.value == "P3Y"
    assert terms.expiration_date.value == date(2024, 4, 1)  # from the stated commencement, not the signing
    assert terms.renewal_term.value == "P1Y"
    assert terms.auto_renewal.value is True
    assert terms.notice_period_to_terminate_renewal.value == "P90D"
    assert "ninety (90) days" in terms.notice_period_to_terminate_renewal.citation.quote


def test_services_agreement_commercial_terms():
    terms = _extract(SERVICES)
    assert terms.governing_law.value == "New York"
    assert terms.payment_terms_net_days.value == 30
    assert terms.total_contract_value.amount == Decimal("360000")
    assert {f.amount for f in terms.fees} >= {Decimal("120000"), Decimal("360000")}
    assert terms.termination_for_convenience.value is True
    assert terms.liability_cap.kind == "fees_paid"
    sla = [o for o in terms.obligations if o.sla_percent is not None]
    assert sla and sla[0].sla_percent == Decimal("99.9") and sla[0].recurrence == "monthly"
    assert sla[0].obligated_party == "Northwind Analytics, Inc."
    response = [o for o in terms.obligations if "Severity 1" in o.description]
    assert response and response[0].due == "PT4H" and response[0].obligated_party == "Northwind Analytics, Inc."


def test_distribution_agreement_province_and_amount_cap():
    terms = _extract(DISTRIBUTION)
    assert terms.agreement_date.value == date(2019, 11, 12)
    assert terms.expiration_date.value == date(2024, 11, 12)
    assert terms.governing_law.value == "Ontario, Canada"
    assert terms.liability_cap.kind == "amount"
    assert terms.liability_cap.amount.amount == Decimal("500000")
    assert terms.liability_cap.amount.currency == "USD"
    assert terms.renewal_term is None and terms.notice_period_to_terminate_renewal is None


def test_evergreen_contract_is_perpetual_with_a_recurring_duty():
    terms = _extract(EVERGREEN)
    assert terms.agreement_date.value == date(1998, 5, 5)
    assert terms.expiration_date.value == "perpetual"
    assert terms.termination_for_convenience is None
    duty = [o for o in terms.obligations if o.recurrence == "quarterly"]
    assert duty and duty[0].obligated_party == "Jane Q. Smith"


def test_value_whose_quote_is_not_at_its_span_is_dropped():
    document = Document.from_text(SERVICES)
    start = SERVICES.index("New York")
    honest = Citation(page=1, start=start, end=start + 8, quote="New York")
    forged = Citation(page=1, start=start, end=start + 8, quote="Delaware")
    terms = ContractTerms(
        governing_law=Cited[str](value="Delaware", citation=forged),
        agreement_date=Cited[date](value=date(2021, 3, 3), citation=honest),
        parties=[Party(name="Ghost Corp", citation=forged)],
        liability_cap=LiabilityCap(kind="amount", citation=honest,
                                   amount=Money(amount=Decimal(1), currency="USD", citation=forged)),
        obligations=[Obligation(description="x", citation=honest)],
    )
    kept = verified(terms, document)
    assert kept.governing_law is None
    assert kept.parties == []
    assert kept.liability_cap is None
    assert kept.agreement_date is not None and len(kept.obligations) == 1


def test_offline_engine_satisfies_the_extractor_protocol():
    assert isinstance(OfflineExtractor(), Extractor)
