"""Opportunity -> approved Ironclad draft, in-process: the supervisor graph over both sandboxes (offline engine)."""

from __future__ import annotations

import httpx
import pytest
from langgraph.types import Command

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tools.ironclad.idempotent import opportunity_launch_key

SMALL_EXPANSION = DealSpec(
    account_name="Harborline Logistics", region="NA", deal_type="Expansion", term_months=12, payment_terms_days=30,
    governing_law="New York", lines=[LineSpec(product_code="PLT-STD", quantity=20)])
LARGE_EMEA = DealSpec(
    account_name="Kestrel Bank AG", region="EMEA", billing_street="Taunusanlage 12", billing_city="Frankfurt",
    billing_state=None, billing_postal_code="60325", billing_country="Germany", deal_type="New Logo",
    term_months=36, payment_terms_days=None, governing_law="Ireland",
    special_terms="Customer requests a liability cap of 2x annual fees and net 45 payment terms.",
    lines=[LineSpec(product_code="PLT-ENT", quantity=150, discount_percent=10),
           LineSpec(product_code="PS-IMPL", quantity=1)])


def _opportunity(loop: Loop, opp_id: str) -> dict:
    return loop.salesforce.get("Opportunity", opp_id)


def test_small_deal_is_auto_approved_and_launched(loop: Loop) -> None:
    opp_id = loop.deal(SMALL_EXPANSION)
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": f"t-{opp_id}"}}
    loop.stack.salesforce.reset_usage()
    final = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    assert final["status"] == "launched", final.get("error")
    assert final["decision"].automatic and final["review"].approval.route == "auto_approve"
    assert final["draft"].primary.template_key == "order_form"
    assert loop.stack.salesforce.api_calls == 2  # one bundle read + one Composite write

    opp = _opportunity(loop, opp_id)
    assert opp["Ironclad_Workflow_Id__c"] == final["launch"].workflow_id
    assert opp["Ironclad_Workflow_Link__c"].endswith(final["launch"].workflow_id)
    assert opp["Ironclad_Status__c"] and opp["Contract_Risk_Summary__c"].startswith("Risk score")
    assert opp["Contractloop_Correlation_Id__c"] == final["correlation_id"]

    page = httpx.get(opp["Ironclad_Workflow_Link__c"], timeout=10)  # the link a rep clicks in Salesforce
    assert page.status_code == 200 and "Harborline Logistics" in page.text
    workflow = loop.ironclad.get_workflow(final["launch"].workflow_id)
    attrs = workflow.attributes
    assert attrs["counterpartyName"] == "Harborline Logistics"
    assert attrs["salesforceOpportunityId"] == opp_id
    assert attrs["totalContractValue"]["amount"] == pytest.approx(float(opp["Amount"]))


def test_same_event_again_creates_no_second_workflow(loop: Loop) -> None:
    opp_id = loop.deal(SMALL_EXPANSION.model_copy(update={"account_name": "Quayside Freight"}))
    graph, ctx = loop.graph()
    task = loop.draft_task(opp_id, event_id="evt-dup")
    first = graph.invoke(task, {"configurable": {"thread_id": "dup-1"}}, context=ctx)
    second = graph.invoke(task, {"configurable": {"thread_id": "dup-2"}}, context=ctx)
    assert first["status"] == "launched"
    # The second run finds the Opportunity's live agreement in Ironclad and adopts it: nothing is drafted.
    assert second["status"] == "launched" and second.get("draft") is None
    assert second["launch"].workflow_id == first["launch"].workflow_id and not second["launch"].created
    assert len(loop.ironclad.find_workflows_by_key(opportunity_launch_key(opp_id))) == 1


def test_a_cancelled_agreement_lets_the_next_run_launch_anew(loop: Loop) -> None:
    opp_id = loop.deal(SMALL_EXPANSION.model_copy(update={"account_name": "Withdrawn Wharf"}))
    graph, ctx = loop.graph()
    first = graph.invoke(loop.draft_task(opp_id, event_id="evt-a"), {"configurable": {"thread_id": "wd-1"}},
                         context=ctx)
    loop.ironclad.cancel_workflow(first["launch"].workflow_id, "customer withdrew; redraft")
    second = graph.invoke(loop.draft_task(opp_id, event_id="evt-b"), {"configurable": {"thread_id": "wd-2"}},
                          context=ctx)
    assert second["status"] == "launched" and second["launch"].created
    assert second["launch"].workflow_id != first["launch"].workflow_id
    live = [w for w in loop.ironclad.find_workflows_by_key(opportunity_launch_key(opp_id)) if w.status != "cancelled"]
    assert [w.id for w in live] == [second["launch"].workflow_id]
    assert loop.salesforce.get("Opportunity", opp_id)["Ironclad_Workflow_Id__c"] == second["launch"].workflow_id


def test_large_deal_waits_for_approval_then_launches(loop: Loop) -> None:
    opp_id = loop.deal(LARGE_EMEA)
    graph, ctx = loop.graph()
    legal_user = loop.salesforce.query("SELECT Id FROM User WHERE IsActive = true ORDER BY CreatedDate DESC LIMIT 1")
    ctx.approvers = {"legal": legal_user[0]["Id"]}  # the Task is assigned to whoever holds the approver role
    config = {"configurable": {"thread_id": f"t-{opp_id}"}}
    result = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    request = result["__interrupt__"][0].value
    assert request["approver_role"] == "legal"
    assert request["action_requests"][0]["name"] == "launch_ironclad_workflow"
    assert "msa" in request["action_requests"][0]["args"]["templates"]
    assert graph.get_state(config).next  # paused at the approval
    task = loop.salesforce.get("Task", request["salesforce_task_id"])
    assert task["WhatId"] == opp_id and task["Status"] == "Not Started" and "Legal" in task["Subject"]
    assert task["OwnerId"] == legal_user[0]["Id"]
    assert _opportunity(loop, opp_id)["Ironclad_Workflow_Id__c"] is None  # nothing launched before the decision

    # A resume that is not a decision changes nothing: the run asks the same question again.
    refused = graph.invoke(Command(resume={"decisions": [{"type": "maybe"}], "reviewer": "x"}), config, context=ctx)
    assert refused["__interrupt__"][0].value["correlation_id"] == request["correlation_id"]
    state = graph.get_state(config)
    assert state.values["status"] == "awaiting_approval" and state.values.get("decision") is None
    assert "resume refused" in state.values["log"][-1]

    final = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "lee@legal"}), config,
                         context=ctx)
    assert final["status"] == "launched" and final["decision"].by == "lee@legal"
    opp = _opportunity(loop, opp_id)
    assert opp["Ironclad_Workflow_Id__c"] == final["launch"].workflow_id
    assert "lee@legal" in opp["Contract_Risk_Summary__c"]
    assert loop.salesforce.get("Task", request["salesforce_task_id"])["Status"] == "Completed"
    assert [d.template_key for d in final["addenda"]] == ["dpa"]
    workflow = loop.ironclad.get_workflow(final["launch"].workflow_id)
    assert workflow.attributes["liabilityCapMultiple"] == 2
    assert workflow.attributes["paymentTermsDays"] == 45
    assert "Limitation of Liability" in workflow.attributes["negotiatedClauses"]


def test_rejection_is_written_to_the_opportunity(loop: Loop) -> None:
    opp_id = loop.deal(LARGE_EMEA.model_copy(update={"account_name": "Fjordline Insurance"}))
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": f"t-{opp_id}"}}
    graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    final = graph.invoke(Command(resume={"decisions": [{"type": "reject", "message": "Cap too high for a bank"}],
                                         "reviewer": "lee@legal"}), config, context=ctx)
    assert final["status"] == "rejected"
    opp = _opportunity(loop, opp_id)
    assert opp["Ironclad_Status__c"] == "Rejected" and opp["Ironclad_Workflow_Id__c"] is None
    assert "Cap too high for a bank" in opp["Contract_Risk_Summary__c"]


def test_edit_is_validated_re_reviewed_and_launched(loop: Loop) -> None:
    opp_id = loop.deal(LARGE_EMEA.model_copy(update={"account_name": "Nordwind Energie"}))
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": f"t-{opp_id}"}}
    graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    # An invalid edit changes nothing and asks again.
    again = graph.invoke(Command(resume={"decisions": [{"type": "edit", "edited_action": {
        "name": "launch_ironclad_workflow", "args": {"paymentTermsDays": "soon"}}}], "reviewer": "ann"}), config,
        context=ctx)
    assert "__interrupt__" in again and "refused" in again["log"][-1]
    edited = graph.invoke(Command(resume={"decisions": [{"type": "edit", "edited_action": {
        "name": "launch_ironclad_workflow", "args": {"liabilityCapMultiple": 3}}}], "reviewer": "ann"}), config,
        context=ctx)
    request = edited["__interrupt__"][0].value  # re-reviewed: a 3x cap is still for legal
    assert request["action_requests"][0]["args"]["attributes"]["liabilityCapMultiple"] == 3
    final = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "lee@legal"}), config,
                         context=ctx)
    assert final["status"] == "launched"
    assert loop.ironclad.get_workflow(final["launch"].workflow_id).attributes["liabilityCapMultiple"] == 3


def test_an_edit_redrafts_the_clause_that_states_the_edited_term(loop: Loop) -> None:
    opp_id = loop.deal(LARGE_EMEA.model_copy(update={"account_name": "Consistent Terms GmbH"}))
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": f"t-{opp_id}"}}
    first = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    assert "net 45" in first["__interrupt__"][0].value["action_requests"][0]["args"]["attributes"]["negotiatedClauses"]
    edited = graph.invoke(Command(resume={"decisions": [{"type": "edit", "edited_action": {
        "name": "launch_ironclad_workflow", "args": {"paymentTermsDays": 30}}}], "reviewer": "ann"}), config,
        context=ctx)
    args = edited["__interrupt__"][0].value["action_requests"][0]["args"]
    clauses = args["attributes"]["negotiatedClauses"]
    assert args["attributes"]["paymentTermsDays"] == 30
    assert "net 45" not in clauses and "Payment Terms" not in clauses  # standard net 30 is in the body already
    assert "Limitation of Liability" in clauses  # the untouched request keeps its clause
    assert not any(c.startswith("PAY-") for c in args["clauses"])
