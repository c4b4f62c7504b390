"""Rollout modes over both sandboxes: what each mode (and the pilot allow-list) refuses, in-process."""

from __future__ import annotations

import pytest
from langgraph.types import Command

from core.rollout import Mode, Rollout, RolloutRefused
from core.settings import settings_from
from graphs.checkpointer import sqlite_checkpointer
from graphs.supervisor import build_graph
from runtime.context import Context
from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tools.ironclad import IroncladClient
from tools.ironclad.idempotent import opportunity_launch_key
from tools.salesforce import SalesforceClient
from tools.write_plan import WriteOp, WritePlan

SMALL = DealSpec(account_name="Modeline Freight", region="NA", deal_type="Expansion", term_months=12,
                 payment_terms_days=30, governing_law="New York", lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def _graph(loop: Loop, mode: Mode, pilot: str = "") -> tuple[object, Context, SalesforceClient, IroncladClient]:
    settings = settings_from(loop.stack.env(), contractloop_mode=mode.value, contractloop_pilot_templates=pilot)
    sf, ironclad = SalesforceClient.from_settings(settings), IroncladClient.from_settings(settings)
    graph = build_graph(checkpointer=sqlite_checkpointer(loop.checkpoints))
    return graph, Context(salesforce=sf, ironclad=ironclad, offline=True, auto_write_confidence=0.0), sf, ironclad


def _snapshot(loop: Loop) -> dict[str, set[tuple]]:
    """(Id, SystemModstamp) of every record of every object: what changed between two snapshots."""
    store = loop.stack.salesforce.store
    tables = [r[0] for r in store.sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    snap = {}
    for table in tables:
        try:
            snap[table] = set(store.sql(f'SELECT Id, SystemModstamp FROM "{table}"'))
        except Exception:  # noqa: BLE001 - bookkeeping tables without those columns
            continue
    return snap


def _changed(before: dict[str, set[tuple]], after: dict[str, set[tuple]]) -> set[str]:
    return {table for table, rows in after.items() if rows != before.get(table, set())}


def test_read_only_launches_nothing_and_writes_only_insights(loop: Loop) -> None:
    opp_id = loop.deal(SMALL)
    graph, ctx, sf, _ = _graph(loop, Mode.READ_ONLY)
    before = _snapshot(loop)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"ro-{opp_id}"}}, context=ctx)
    assert result["status"] == "not_launched", result.get("error")
    assert any("read_only" in r for r in result["refusals"])
    assert loop.ironclad.find_workflows_by_key(opportunity_launch_key(opp_id)) == []
    assert _changed(before, _snapshot(loop)) == set()  # no Opportunity field, no Task
    # A contract signed in Ironclad (launched by a person there) syncs in read_only: the insight only.
    _, workflow_id = loop.signed_workflow(SMALL.model_copy(update={"account_name": "Modeline Signed"}))
    before = _snapshot(loop)
    synced = graph.invoke({"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id,
                                    "event_id": "ro-sync"}}, {"configurable": {"thread_id": f"ro-{workflow_id}"}},
                          context=ctx)
    assert synced["status"] == "completed", synced.get("error")
    assert _changed(before, _snapshot(loop)) <= {"Contract_Insight__c", "Contract_Obligation__c"}
    assert "Contract_Insight__c" in _changed(before, _snapshot(loop)) or synced["contract"].results
    assert any("Opportunity" in r for r in synced["refusals"])
    # A direct attempt to write the Opportunity is refused before any call.
    plan = WritePlan(correlation_id="direct-attempt-1", operations=[WriteOp(
        ref="opp", action="update", sobject="Opportunity", record_id=opp_id, fields={"Ironclad_Status__c": "x"})])
    with pytest.raises(RolloutRefused, match="read_only"):
        sf.apply(plan)
    with pytest.raises(RolloutRefused):
        sf.composite({"compositeRequest": [{"method": "PATCH", "url": f"/services/data/v59.0/sobjects/Task/{opp_id}",
                                            "body": {"Subject": "x"}}]})


def test_assisted_asks_a_person_even_when_policy_would_auto_approve(loop: Loop) -> None:
    opp_id = loop.deal(SMALL.model_copy(update={"account_name": "Assisted Anchors"}))
    graph, ctx, _, ironclad = _graph(loop, Mode.ASSISTED)
    config = {"configurable": {"thread_id": f"as-{opp_id}"}}
    result = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    assert "__interrupt__" in result and result["review"].approval.route == "auto_approve"
    assert loop.ironclad.find_workflows_by_key(opportunity_launch_key(opp_id)) == []
    final = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "pat"}), config, context=ctx)
    assert final["status"] == "launched" and final["decision"].by == "pat"
    with pytest.raises(RolloutRefused, match="assisted"):  # an automatic approval is refused at the launch
        ironclad.rollout.check_launch(["order_form"], automatic=True)


def test_bidirectional_policy_decides(loop: Loop) -> None:
    opp_id = loop.deal(SMALL.model_copy(update={"account_name": "Bidirectional Barges"}))
    graph, ctx, _, _ = _graph(loop, Mode.BIDIRECTIONAL)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"bi-{opp_id}"}}, context=ctx)
    assert result["status"] == "launched" and result["decision"].automatic
    assert result["refusals"] == []


def test_a_template_outside_the_pilot_is_not_launched(loop: Loop) -> None:
    opp_id = loop.deal(SMALL.model_copy(update={"account_name": "Pilotless Ports"}))
    graph, ctx, _, _ = _graph(loop, Mode.BIDIRECTIONAL, pilot="nda")
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"pi-{opp_id}"}}, context=ctx)
    assert result["status"] == "not_launched"
    assert "template order_form is outside the pilot" in result["refusals"][0]
    assert loop.ironclad.find_workflows_by_key(opportunity_launch_key(opp_id)) == []
    status = loop.salesforce.get("Opportunity", opp_id)["Ironclad_Status__c"]
    assert status.startswith("Not launched: template order_form is outside the pilot")


def test_rollout_checks_are_pure() -> None:
    ro = Rollout(mode=Mode.READ_ONLY)
    assert ro.write_refusal("Contract_Insight__c") is None and ro.write_refusal("Account")
    assert Rollout().launch_refusal(["msa"]) is None
    assert Rollout(pilot_templates=frozenset({"msa"})).launch_refusal(["msa", "dpa"])
    with pytest.raises(RolloutRefused):
        ro.check_subrequests([{"method": "PATCH", "url": "/services/data/v59.0/composite/sobjects/Task/Key__c",
                               "body": {"records": [{"attributes": {"type": "Task"}}]}}])
    ro.check_subrequests([{"method": "GET", "url": "/services/data/v59.0/sobjects/Account/001"}])
