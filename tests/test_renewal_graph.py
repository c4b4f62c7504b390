"""The renewal planner as a specialist of the supervisor graph: a plan_renewals task plans the contracts on
file, writes what the playbook allows, and stops at the approval interrupt for the renewals it holds; the
checkpointed state survives the wait (SQLite), and a retried task writes nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Command
from pydantic import ValidationError

from runtime.state import Task
from tests.fixtures.loop import Loop
from tests.support.openai_stub import OpenAIStub, tool_call
from tests.support.renewal_records import insight_on_file, renewals_of
from tests.test_graph_extract import ORDER


def _task(keys: list[str], event_id: str) -> dict[str, Any]:
    return {"task": {"kind": "plan_renewals", "event_id": event_id, "as_of": "2026-12-01", "horizon_days": 180,
                     "contract_keys": keys}}


def _key(loop: Loop, insight_id: str) -> str:
    return str(loop.salesforce.query(f"SELECT External_Key__c FROM Contract_Insight__c WHERE Id = '{insight_id}'")
               [0]["External_Key__c"])


def test_renewals_the_playbook_allows_are_written_and_the_held_one_waits_for_a_person(loop: Loop) -> None:
    small = insight_on_file(loop, "Graph Small Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                            Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=24000,
                            Initial_Term_Months__c=12)
    large = insight_on_file(loop, "Graph Large Co", Expiration_Date__c="2027-04-30", Auto_Renewal__c=True,
                            Renewal_Term_Months__c=12, Notice_Period_Days__c=90, Total_Contract_Value__c=900000,
                            Initial_Term_Months__c=12)
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": "renewals-1"}}

    paused = graph.invoke(_task([_key(loop, small), _key(loop, large)], "scan-1"), config, context=ctx)

    assert "__interrupt__" in paused and paused["status"] == "awaiting_approval"
    request = paused["__interrupt__"][0].value
    assert [h["account"] for h in request["held"]] == ["Graph Large Co"]
    assert any("at or above 250,000" in r for r in request["held"][0]["reasons"])
    assert not renewals_of(loop, small) and not renewals_of(loop, large)  # nothing before the decision

    done = graph.invoke(Command(resume={"decisions": [{"type": "reject", "message": "not this year"}],
                                        "reviewer": "revops@example.com"}), config, context=ctx)

    assert done["status"] == "completed" and done["renewals"].written == 1
    assert [r["CloseDate"] for r in renewals_of(loop, small)] == ["2027-03-31"]
    assert not renewals_of(loop, large)  # rejected: the held renewal is not written
    assert any("1 held plan(s) not written" in line for line in done["log"])


def test_an_approved_hold_is_written_and_a_retried_task_writes_nothing_twice(loop: Loop) -> None:
    large = insight_on_file(loop, "Graph Approved Co", Expiration_Date__c="2027-05-20", Auto_Renewal__c=True,
                            Renewal_Term_Months__c=12, Notice_Period_Days__c=30, Total_Contract_Value__c=600000,
                            Initial_Term_Months__c=12)
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": "renewals-2"}}
    graph.invoke(_task([_key(loop, large)], "scan-2"), config, context=ctx)
    done = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "cfo@example.com"}), config,
                        context=ctx)
    assert done["status"] == "completed" and done["renewal_decision"].by == "cfo@example.com"
    (renewal,) = renewals_of(loop, large)
    assert renewal["Contractloop_Correlation_Id__c"] == done["correlation_id"]

    # The same task again on a new thread (a retried trigger): the plan is up to date, nothing to approve.
    again = graph.invoke(_task([_key(loop, large)], "scan-2"), {"configurable": {"thread_id": "renewals-2b"}},
                         context=ctx)
    assert again["status"] == "completed" and again["renewals"].plans == []
    assert len(renewals_of(loop, large)) == 1


def test_a_resume_that_does_not_validate_is_refused_and_the_run_keeps_waiting(loop: Loop) -> None:
    large = insight_on_file(loop, "Graph Refused Co", Expiration_Date__c="2027-05-15", Auto_Renewal__c=True,
                            Renewal_Term_Months__c=12, Total_Contract_Value__c=700000, Initial_Term_Months__c=12)
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": "renewals-3"}}
    graph.invoke(_task([_key(loop, large)], "scan-3"), config, context=ctx)

    still = graph.invoke(Command(resume={"decisions": [{"type": "maybe"}]}), config, context=ctx)

    assert "__interrupt__" in still and still["status"] == "awaiting_approval"
    assert any("resume refused" in line for line in still["log"])
    assert not renewals_of(loop, large)


def test_plan_renewal_plans_the_one_contract_it_names(loop: Loop) -> None:
    one = insight_on_file(loop, "Graph One Co", Expiration_Date__c="2027-02-28", Auto_Renewal__c=True,
                          Renewal_Term_Months__c=12, Notice_Period_Days__c=30, Total_Contract_Value__c=12000,
                          Initial_Term_Months__c=12)
    other = insight_on_file(loop, "Graph Other Co", Expiration_Date__c="2027-02-27", Auto_Renewal__c=True,
                            Renewal_Term_Months__c=12, Total_Contract_Value__c=12000, Initial_Term_Months__c=12)
    graph, ctx = loop.graph()
    task = {"task": {"kind": "plan_renewal", "event_id": "one-1", "as_of": "2026-12-01",
                     "contract_keys": [_key(loop, one)]}}
    done = graph.invoke(task, {"configurable": {"thread_id": "renewal-one"}}, context=ctx)
    assert done["status"] == "completed" and done["renewals"].contracts == 1
    assert [r["CloseDate"] for r in renewals_of(loop, one)] == ["2027-02-28"] and not renewals_of(loop, other)


@pytest.mark.parametrize("keys", [None, [], ["a", "b"]])
def test_plan_renewal_needs_exactly_one_contract(keys: list[str] | None) -> None:
    with pytest.raises(ValidationError, match="exactly one insight key"):
        Task(kind="plan_renewal", event_id="e", contract_keys=keys)


def _sync_waiting_for_review(loop: Loop, account: str) -> tuple[str, Any, Any, dict[str, Any], dict[str, Any]]:
    """A signed contract whose sync plan waits for a person: the rep changed the amount after signature.
    (opportunity id, graph, context, run config, the paused result)."""
    opp_id, workflow_id = loop.signed_workflow(ORDER.model_copy(update={"account_name": account}))
    loop.stack.salesforce.store.insert_many("OpportunityLineItem", [{
        "OpportunityId": opp_id, "PricebookEntryId": loop.salesforce.query(
            "SELECT Id FROM PricebookEntry WHERE Product2.ProductCode = 'SUP-PRM'")[0]["Id"],
        "Quantity": 1, "UnitPrice": 5000}])
    graph, ctx = loop.graph()
    config = {"configurable": {"thread_id": f"review-{workflow_id}"}}
    paused = graph.invoke({"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id,
                                    "event_id": f"evt-{workflow_id}"}}, config, context=ctx)
    assert paused["__interrupt__"][0].value["action_requests"][0]["name"] == "apply_salesforce_write_plan"
    return opp_id, graph, ctx, config, paused


def test_a_rejected_sync_plans_no_renewal(loop: Loop) -> None:
    _, graph, ctx, config, _ = _sync_waiting_for_review(loop, "Rejected Sync Co")
    done = graph.invoke(Command(resume={"decisions": [{"type": "reject", "message": "wrong paper"}],
                                        "reviewer": "legal@example.com"}), config, context=ctx)
    assert done["status"] == "rejected" and done.get("renewals") is None
    assert not any(line.startswith("renewal_planner") for line in done["log"])


def test_a_sync_a_person_approved_plans_its_renewal_without_asking_again(loop: Loop) -> None:
    opp_id, graph, ctx, config, _ = _sync_waiting_for_review(loop, "Approved Sync Co")
    done = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "legal@example.com"}),
                        config, context=ctx)
    # the person reviewed the terms: the insight no longer needs review, and its renewal is written at once
    assert done["status"] == "completed" and "__interrupt__" not in done
    [insight] = loop.salesforce.query("SELECT Id, Needs_Review__c FROM Contract_Insight__c "
                                      f"WHERE Opportunity__c = '{opp_id}'")
    assert insight["Needs_Review__c"] is False
    [renewal] = renewals_of(loop, insight["Id"])
    assert renewal["CloseDate"] == done["renewals"].plans[0].schedule.renewal_date.isoformat()
    assert renewal["Contractloop_Correlation_Id__c"] == done["correlation_id"]


def test_the_model_explains_the_likelihood_from_the_facts_and_a_rescan_keeps_it(
        loop: Loop, openai_stub: OpenAIStub, stub_chat_model) -> None:
    insight = insight_on_file(loop, "Graph Explained Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                              Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=24000,
                              Initial_Term_Months__c=12)
    explanation = ("It renews by itself unless notice is given by 2027-01-30, so it is likely (85%). "
                   "Watch usage before the notice deadline.")
    openai_stub.script(tool_call("read_renewal_facts", {}), tool_call("SubmitExplanation", {"text": explanation}))
    graph, ctx = loop.graph(model=stub_chat_model)
    done = graph.invoke(_task([_key(loop, insight)], "explain-1"), {"configurable": {"thread_id": "explain-1"}},
                        context=ctx)
    assert done["status"] == "completed"
    [renewal] = renewals_of(loop, insight)
    reasons = renewal["Renewal_Likelihood_Reasons__c"]
    assert reasons.startswith(explanation + "\n\n") and "renews automatically unless notice is given" in reasons
    assert renewal["CloseDate"] == "2027-03-31"  # the model writes words, never the date
    # the facts the model read name no contact
    facts = next(m["content"] for m in openai_stub.requests[1]["messages"] if m["role"] == "tool")
    assert "Graph Explained Co" in facts and "@" not in facts

    # a rescan with the same reasons keeps the explanation and asks no model
    asked = len(openai_stub.requests)
    again = graph.invoke(_task([_key(loop, insight)], "explain-2"), {"configurable": {"thread_id": "explain-2"}},
                         context=ctx)
    assert again["renewals"].plans == [] and len(openai_stub.requests) == asked


def test_an_explanation_with_an_invented_date_is_refused_and_the_reasons_stand(
        loop: Loop, openai_stub: OpenAIStub, stub_chat_model) -> None:
    insight = insight_on_file(loop, "Graph Invented Co", Expiration_Date__c="2027-04-30", Auto_Renewal__c=True,
                              Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=24000,
                              Initial_Term_Months__c=12)
    wrong = "Give notice by February 1, 2027 or it renews at a 7% uplift."
    openai_stub.script(tool_call("read_renewal_facts", {}), tool_call("SubmitExplanation", {"text": wrong}),
                       tool_call("SubmitExplanation", {"text": wrong}))
    graph, ctx = loop.graph(model=stub_chat_model)
    done = graph.invoke(_task([_key(loop, insight)], "invent-1"), {"configurable": {"thread_id": "invent-1"}},
                        context=ctx)
    [renewal] = renewals_of(loop, insight)
    assert renewal["Renewal_Likelihood_Reasons__c"] == "\n".join(done["renewals"].plans[0].likelihood.reasons)
    feedback = openai_stub.requests[-1]["messages"][-1]["content"]
    assert "2027-02-01" in feedback and "numbers the facts do not hold: 7" in feedback
    assert any("1 explanation(s) refused" in line for line in done["log"])
