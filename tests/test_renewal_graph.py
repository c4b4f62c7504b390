"""The renewal planner as a specialist of the supervisor graph: a plan_renewals task plans the contracts on
file, writes what the playbook allows, and stops at the approval interrupt for the renewals it holds; the
checkpointed state survives the wait (SQLite), and a retried task writes nothing twice."""

from __future__ import annotations

from typing import Any

from langgraph.types import Command

from tests.fixtures.loop import Loop
from tests.support.renewal_records import insight_on_file, renewals_of


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
