"""A row lock or an outage that outlasts the clients' own retries runs the specialist again instead of failing
the run (runtime/transient_retry.py); a final error still fails it at once. In-process graph, real clients over
HTTP to the sandboxes, faults injected by the sandboxes."""

from __future__ import annotations

import pytest

from benchmarks.trust.harness import duplicated_workflows
from sandbox.ironclad.faults import FaultPlan
from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tools.salesforce.errors import RecordNotFound

DEAL = DealSpec(account_name="Retry Robotics", region="NA", deal_type="Expansion", payment_terms_days=30,
                governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=8)])


def _client_attempts(loop: Loop) -> int:
    return loop.salesforce.max_retries + 1


def test_an_outage_outlasting_the_salesforce_client_is_retried_by_the_graph(loop: Loop) -> None:
    opp_id = loop.deal(DEAL)
    graph, ctx = loop.graph()
    salesforce = loop.stack.salesforce
    # every attempt of the drafter's first read fails, and one more: only a second run of the node gets through
    salesforce.inject("SERVER_UNAVAILABLE", count=_client_attempts(loop) + 1, path="/query")
    try:
        result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"retry-{opp_id}"}},
                              context=ctx)
    finally:
        salesforce.faults.clear()
    assert result["status"] == "launched", result.get("error")
    assert salesforce.faults.injected().get("SERVER_UNAVAILABLE", 0) >= _client_attempts(loop) + 1


def test_ironclad_failing_a_launch_after_creating_it_still_leaves_one_workflow(loop: Loop) -> None:
    opp_id = loop.deal(DEAL.model_copy(update={"account_name": "Lost Answer Ltd"}))
    graph, ctx = loop.graph()
    faults = loop.stack.ironclad.services.faults
    # every launch is created and then answered 503, as many times as the client and the node try
    faults.set(FaultPlan(status=503, count=50, method="POST", path_prefix="/public/api/v1/workflows",
                         after_processing=True))
    try:
        result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"lost-{opp_id}"}},
                              context=ctx)
    finally:
        faults.set(None)
    assert result["status"] == "launched", result.get("error")
    workflows = [w for w in loop.stack.ironclad.services.store.all("workflow")
                 if str(w.get("attributes", {}).get("salesforceOpportunityId", ""))[:15] == opp_id[:15]]
    assert len(workflows) == 1 and duplicated_workflows(workflows) == 0
    assert loop.salesforce.get("Opportunity", opp_id)["Ironclad_Workflow_Id__c"] == workflows[0]["id"]


def test_a_final_error_fails_the_run_without_retrying(loop: Loop) -> None:
    graph, ctx = loop.graph()
    missing = "006000000000000AAA"  # no such Opportunity: Salesforce's answer will not change
    salesforce = loop.stack.salesforce
    salesforce.reset_usage()
    with pytest.raises(RecordNotFound):  # the server shows it as the run's error (status "failed")
        graph.invoke(loop.draft_task(missing), {"configurable": {"thread_id": "retry-missing"}}, context=ctx)
    assert salesforce.api_calls <= 2  # one read (and at most a login), not three runs of it
