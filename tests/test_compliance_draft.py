"""Required clauses checked on the draft before launch: a regulated deal whose paper lacks one cannot be approved
by policy, and the approver is told which clause is missing; a clause the draft carries is attested."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop

SMALL = DealSpec(account_name="Cedar Clinics", region="NA", deal_type="Expansion", term_months=12,
                 payment_terms_days=30, governing_law="New York", industry="Healthcare",
                 lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def _review(loop: Loop, spec: DealSpec) -> dict[str, Any]:
    opp_id = loop.deal(spec)
    graph, ctx = loop.graph()
    return graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"c-{opp_id}"}}, context=ctx)


def _ids(state: dict[str, Any]) -> set[str]:
    return {f.rule_id for f in state["review"].assessment.findings}


def test_a_healthcare_deal_without_a_baa_waits_for_legal_naming_the_missing_clause(loop: Loop) -> None:
    state = _review(loop, SMALL)
    assert state["status"] == "awaiting_approval"  # the same deal in Technology is auto-approved
    assert "COMPLIANCE-HEALTHCARE-BAA" in _ids(state)
    assert state["review"].approval.route == "legal"
    finding = next(f for f in state["review"].assessment.findings if f.rule_id == "COMPLIANCE-HEALTHCARE-BAA")
    assert finding.message.startswith("Healthcare deal: no Business Associate Agreement (BAA) found")
    assert any("missing Business Associate Agreement (BAA)" in line for line in state["log"])


def test_the_same_deal_outside_a_regulated_industry_has_no_compliance_finding(loop: Loop) -> None:
    state = _review(loop, SMALL.model_copy(update={"account_name": "Cedar Software", "industry": "Technology"}))
    assert state["status"] == "launched" and not any(i.startswith("COMPLIANCE") for i in _ids(state))


EU_RETAIL = SMALL.model_copy(update={
    "account_name": "Liffey Retail Ltd", "industry": "Retail", "region": "EMEA", "billing_country": "Ireland",
    "billing_city": "Dublin", "billing_state": None, "governing_law": "Ireland"})


def test_an_eu_new_logo_drafted_with_its_dpa_has_the_dpa_attested(loop: Loop) -> None:
    state = _review(loop, EU_RETAIL.model_copy(update={"deal_type": "New Logo", "account_name": "Liffey New Ltd"}))
    assert [d.template_key for d in state["draft"].documents] == ["msa", "dpa"]
    assert "COMPLIANCE-EU_PERSONAL_DATA-DPA" not in _ids(state)
    assert any("eu_personal_data): 1 of 1 required clause(s) in the draft" in line for line in state["log"])


def test_an_eu_expansion_on_an_order_form_is_told_its_dpa_is_missing(loop: Loop) -> None:
    state = _review(loop, EU_RETAIL)
    assert [d.template_key for d in state["draft"].documents] == ["order_form"]
    assert "COMPLIANCE-EU_PERSONAL_DATA-DPA" in _ids(state)


def test_a_bank_without_a_security_addendum_is_told_so(loop: Loop) -> None:
    state = _review(loop, SMALL.model_copy(update={"account_name": "Granite Bank", "industry": "Banking"}))
    assert "COMPLIANCE-FINANCIAL_SERVICES-SECURITY_ADDENDUM" in _ids(state)
    assert state["review"].approval.route == "legal"
