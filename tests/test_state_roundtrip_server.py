"""Every place a run stops, read back through the LangGraph server the way Studio and our Flow routes do.

`threads.get_state` and `get_history` rebuild the state model from the server's JSON decoding of the
checkpoint; each must answer for a draft waiting for approval, rejected, launched, failed at the
Salesforce write-back, and for an executed-contract sync waiting for plan review and completed, and the
Flow status routes must say which (a failure as `failed` with its error, never HTTP 500).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient

from runtime.state import RunState
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from tests.fixtures.server import FlowServer
from tools.ironclad import IroncladClient

pytestmark = pytest.mark.slow

SETTLED = {"awaiting_approval", "launched", "rejected", "failed", "completed"}
SIGNED = ["workflow_completed", "workflow_signature_packet_fully_signed"]


def _poll(http: httpx.Client, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 90,
          not_yet: int | None = None) -> dict:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = http.get(path)
        if response.status_code != not_yet:
            assert response.status_code == 200, response.text  # a status route never answers 500
            body = response.json()
            if done(body):
                return body
        time.sleep(0.3)
    raise AssertionError(f"{path} did not settle in {timeout:.0f} s; last: {body}")


def _sdk(flow_server: FlowServer) -> SyncLangGraphClient:
    return get_sync_client(url=flow_server.url, headers={"X-API-Key": flow_server.api_key})


def _read_back(flow_server: FlowServer, thread_id: str) -> tuple[RunState, dict[str, Any]]:
    """The state as get_state, get_history and the thread itself give it; all three must agree."""
    client = _sdk(flow_server)
    state = client.threads.get_state(thread_id, subgraphs=True)
    history = client.threads.get_history(thread_id, limit=100)
    thread = client.threads.get(thread_id)
    current = RunState.model_validate(state["values"])
    assert current == RunState.model_validate(thread["values"])
    assert history[0]["checkpoint"]["checkpoint_id"] == state["checkpoint"]["checkpoint_id"]
    assert RunState.model_validate(history[0]["values"]) == current
    written = [RunState.model_validate(h["values"]) for h in history if h["values"].get("task")]
    assert len(written) >= 2  # the input, then at least one step's checkpoint
    return current, dict(state)


def _contracting(flow_server: FlowServer) -> list[dict[str, Any]]:
    sf = flow_server.stack.salesforce.client()
    return sf.query("SELECT Id, Amount FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC")[
        "records"]


def _start(http: httpx.Client, opportunity_id: str) -> str:
    accepted = http.post("/flow/opportunity-events", json={"opportunity_id": opportunity_id, "stage": "Contracting",
                                                           "event_id": uuid.uuid4().hex})
    assert accepted.status_code == 202, accepted.text
    return str(accepted.json()["thread_id"])


def test_a_draft_reads_back_while_waiting_for_approval_and_once_rejected(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[0]  # the largest deal: Legal must approve
    path = f"/flow/opportunities/{opportunity['Id']}"
    with flow_server.http() as http:
        thread_id = _start(http, opportunity["Id"])
        waiting = _poll(http, path, lambda s: s["status"] in SETTLED)
        assert waiting["status"] == "awaiting_approval", waiting
        state, snapshot = _read_back(flow_server, thread_id)
        assert state.status == "awaiting_approval" and state.bundle and state.bundle.close_date
        assert snapshot["next"] == ["await_decision"] and snapshot["interrupts"]

        http.post("/flow/approvals", json={"thread_id": thread_id, "decision": "reject", "reviewer": "legal counsel",
                                           "message": "no uncapped liability"}).raise_for_status()
        rejected = _poll(http, path, lambda s: s["status"] in SETTLED - {"awaiting_approval"})
    assert rejected["status"] == "rejected", rejected
    state, snapshot = _read_back(flow_server, thread_id)
    assert (state.status, state.decision and state.decision.type, snapshot["next"]) == ("rejected", "reject", [])


def test_a_run_failing_at_the_salesforce_write_back_reports_failed_with_its_error(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[1]
    path = f"/flow/opportunities/{opportunity['Id']}"
    salesforce = flow_server.stack.salesforce
    with flow_server.http() as http:
        thread_id = _start(http, opportunity["Id"])
        assert _poll(http, path, lambda s: s["status"] in SETTLED)["status"] == "awaiting_approval"
        salesforce.inject("SERVER_UNAVAILABLE", count=200, path="/composite")  # the org is down for the write-back
        try:
            http.post("/flow/approvals", json={"thread_id": thread_id, "decision": "approve",
                                               "reviewer": "legal counsel"}).raise_for_status()
            failed = _poll(http, path, lambda s: s["status"] in SETTLED - {"awaiting_approval"})
            by_thread = http.get(f"/flow/threads/{thread_id}")
        finally:
            salesforce.faults.clear()
    assert failed["status"] == "failed", failed
    assert "SERVER_UNAVAILABLE" in failed["error"]  # the failing step's own error
    assert by_thread.status_code == 200 and by_thread.json()["status"] == "failed"
    state, snapshot = _read_back(flow_server, thread_id)
    assert state.decision and state.decision.type == "approve"
    assert [(t["name"], "SERVER_UNAVAILABLE" in (t.get("error") or "")) for t in snapshot["tasks"]] == [
        ("publisher", True)]


def test_a_launched_draft_and_its_executed_contract_sync_read_back_at_every_stop(flow_server: FlowServer) -> None:
    stack = flow_server.stack
    # A small deal on standard terms: approved automatically.
    opportunity_id = create_deal(stack.salesforce.store, DealSpec(
        account_name="Roundtrip Rivets Ltd", region="NA", deal_type="Expansion", payment_terms_days=30,
        governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=10)]))
    opportunity = stack.salesforce.client().Opportunity.get(opportunity_id)
    with flow_server.http() as http:
        thread_id = _start(http, opportunity["Id"])
        launched = _poll(http, f"/flow/opportunities/{opportunity['Id']}", lambda s: s["status"] in SETTLED)
        assert launched["status"] == "launched", launched
        state, _ = _read_back(flow_server, thread_id)
        assert state.launch and state.decision and state.decision.automatic

        # Salesforce now believes a far larger deal, so the signed contract's value needs a person's review.
        sf = stack.salesforce.client()
        for line in sf.query(f"SELECT Id, Quantity FROM OpportunityLineItem WHERE OpportunityId = '{opportunity_id}'")[
                "records"]:  # the Amount follows the line items
            sf.OpportunityLineItem.update(line["Id"], {"Quantity": line["Quantity"] * 3})
        assert sf.Opportunity.get(opportunity_id)["Amount"] > opportunity["Amount"] * 2
        ironclad = IroncladClient(stack.ironclad.base_url, stack.ironclad.client_id, stack.ironclad.client_secret,
                                  stack.ironclad.user_email)
        hook = ironclad.create_webhook(SIGNED, f"{flow_server.url}/ironclad/webhooks")
        try:
            workflow_id = launched["workflow_id"]
            httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{workflow_id}/complete",
                       timeout=30).raise_for_status()
            sync_path = f"/ironclad/workflows/{workflow_id}/sync"
            review = _poll(http, sync_path, lambda s: s["status"] in SETTLED, not_yet=404)  # until delivered
            assert review["status"] == "awaiting_approval", review
            assert any("differs from the Opportunity Amount" in r for r in review["review_reasons"])
            sync_state, snapshot = _read_back(flow_server, review["thread_id"])
            assert sync_state.contract and sync_state.contract.terms and sync_state.contract.plan
            assert snapshot["interrupts"]

            http.post("/flow/approvals", json={"thread_id": review["thread_id"], "decision": "approve",
                                               "reviewer": "sync reviewer"}).raise_for_status()
            done = _poll(http, sync_path, lambda s: s["status"] in SETTLED - {"awaiting_approval"})
        finally:
            ironclad.delete_webhook(hook.id)
    assert done["status"] == "completed", done
    sync_state, _ = _read_back(flow_server, review["thread_id"])
    assert sync_state.status == "completed" and sync_state.contract and sync_state.contract.results
