"""Ironclad -> contractloop over HTTP: signed webhooks start one extraction run per executed contract;
forged or unsigned deliveries start nothing; replays change nothing in Salesforce."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from tests.fixtures.server import FlowServer
from tests.support.polling import poll
from tests.support.renewal_records import insight_in_org
from tools.ironclad import IroncladClient

SIGNED = ["workflow_completed", "workflow_signature_packet_fully_signed"]


@pytest.fixture(scope="module")
def executed(flow_server: FlowServer) -> dict[str, Any]:
    """A deal drafted and launched through the Flow API, then signed in Ironclad with our webhook registered."""
    stack = flow_server.stack
    opp_id = create_deal(stack.salesforce.store, DealSpec(
        account_name="Webhook Wharf Ltd", region="NA", deal_type="Expansion", payment_terms_days=30,
        governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=10)]))
    ironclad = IroncladClient(stack.ironclad.base_url, stack.ironclad.client_id, stack.ironclad.client_secret,
                              stack.ironclad.user_email)
    with flow_server.http() as http:
        http.post("/flow/opportunity-events", json={"opportunity_id": opp_id, "stage": "Contracting",
                                                    "event_id": f"e-{uuid.uuid4().hex}"}).raise_for_status()
        status = poll(http, f"/flow/opportunities/{opp_id}", lambda s: s["status"] in ("launched", "failed"))
        assert status["status"] == "launched", status
        hook = ironclad.create_webhook(SIGNED, f"{flow_server.url}/ironclad/webhooks")
        workflow_id = status["workflow_id"]
        httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{workflow_id}/complete", timeout=30)
        sync = poll(http, f"/ironclad/workflows/{workflow_id}/sync",
                     lambda s: s["status"] in ("completed", "awaiting_approval", "failed"))
        if sync["status"] == "awaiting_approval":
            http.post("/flow/approvals", json={"thread_id": sync["thread_id"], "decision": "approve",
                                               "reviewer": "sync reviewer"}).raise_for_status()
            sync = poll(http, f"/ironclad/workflows/{workflow_id}/sync",
                         lambda s: s["status"] in ("completed", "failed"))
    ironclad.delete_webhook(hook.id)
    return {"opp_id": opp_id, "workflow_id": workflow_id, "sync": sync, "ironclad": ironclad}


def _counts(flow_server: FlowServer) -> dict[str, int]:
    store = flow_server.stack.salesforce.store
    return {obj: store.count(obj) for obj in ("Contract_Insight__c", "Contract_Obligation__c", "Task", "Event")}


def test_a_signed_webhook_syncs_the_executed_contract(flow_server: FlowServer, executed: dict[str, Any]) -> None:
    sync = executed["sync"]
    assert sync["status"] == "completed", sync
    assert sync["changes"] and sync["written_records"] >= 2
    attempts = [a for a in flow_server.stack.ironclad.delivery_attempts() if a.target_url.endswith("/webhooks")]
    assert any(a.status_code in (200, 202) for a in attempts)
    sf = flow_server.stack.salesforce.client()
    rows = sf.query(f"SELECT Ironclad_Record_Id__c, Citations__c FROM Contract_Insight__c "
                    f"WHERE Opportunity__c = '{executed['opp_id']}'")["records"]
    assert len(rows) == 1 and rows[0]["Ironclad_Record_Id__c"] == sync["record_id"]
    assert json.loads(rows[0]["Citations__c"])  # every value carries its citation


def _delivery(flow_server: FlowServer, workflow_id: str, event_id: str, event: str = "workflow_completed",
              signer: Any = None, timestamp: str | None = None) -> tuple[dict[str, str], str]:
    ic = flow_server.stack.ironclad
    timestamp = timestamp or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps({"companyID": ic.company_id, "timestamp": timestamp, "webhookID": "hook-test",
                       "payload": {"event": event, "workflowID": workflow_id}}, separators=(",", ":"))
    return (signer or ic.services.signer).headers(event_id, body), body


def test_forged_and_unsigned_deliveries_are_refused_and_start_nothing(flow_server: FlowServer,
                                                                      executed: dict[str, Any]) -> None:
    from sandbox.ironclad.webhooks import WebhookSigner

    unknown_workflow = uuid.uuid4().hex[:24]
    with httpx.Client(base_url=flow_server.url, timeout=30) as raw:
        headers, body = _delivery(flow_server, unknown_workflow, "evt-forged", signer=WebhookSigner())
        assert raw.post("/ironclad/webhooks", content=body, headers=headers).status_code == 401
        assert raw.post("/ironclad/webhooks", content=body,
                        headers={"Content-Type": "application/json"}).status_code == 401
        headers, body = _delivery(flow_server, unknown_workflow, "evt-altered")
        tampered = body.replace(unknown_workflow, executed["workflow_id"])
        assert raw.post("/ironclad/webhooks", content=tampered, headers=headers).status_code == 401
    with flow_server.http() as http:
        assert http.get(f"/ironclad/workflows/{unknown_workflow}/sync").status_code == 404


def test_replayed_deliveries_change_nothing(flow_server: FlowServer, executed: dict[str, Any]) -> None:
    before = _counts(flow_server)
    event_ids = {a.event_id for a in flow_server.stack.ironclad.delivery_attempts()
                 if a.event == "workflow_completed"}
    with httpx.Client(base_url=flow_server.url, timeout=30) as raw:
        for event_id in event_ids:  # Ironclad retrying a delivery it already made
            headers, body = _delivery(flow_server, executed["workflow_id"], event_id)
            answer = raw.post("/ironclad/webhooks", content=body, headers=headers)
            assert answer.status_code == 200 and answer.json()["status"] == "duplicate"
        headers, body = _delivery(flow_server, executed["workflow_id"], f"evt-{uuid.uuid4().hex}")
        answer = raw.post("/ironclad/webhooks", content=body, headers=headers)  # a new event, same contract
        assert answer.status_code == 200 and answer.json()["status"] == "duplicate"
        headers, body = _delivery(flow_server, executed["workflow_id"], "evt-launch", event="workflow_launched")
        assert raw.post("/ironclad/webhooks", content=body, headers=headers).json()["status"] == "ignored"
    assert _counts(flow_server) == before


def test_a_stale_or_future_signed_delivery_is_refused(flow_server: FlowServer, executed: dict[str, Any]) -> None:
    with httpx.Client(base_url=flow_server.url, timeout=30) as raw:
        for when, word in (("2019-04-07T21:36:52.776Z", "stale"), ("2099-01-01T00:00:00.000Z", "future")):
            headers, body = _delivery(flow_server, executed["workflow_id"], f"evt-{word}", timestamp=when)
            answer = raw.post("/ironclad/webhooks", content=body, headers=headers)
            assert answer.status_code == 401 and word in answer.json()["detail"], answer.text


def _launched_and_signed_without_a_webhook(flow_server: FlowServer, name: str) -> str:
    """A deal launched through the Flow API and signed in Ironclad while no webhook was registered."""
    stack = flow_server.stack
    opp_id = create_deal(stack.salesforce.store, DealSpec(
        account_name=f"{name} {uuid.uuid4().hex[:6]}", region="NA", deal_type="Expansion",
        governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=10)]))
    with flow_server.http() as http:
        http.post("/flow/opportunity-events", json={"opportunity_id": opp_id, "stage": "Contracting",
                                                    "event_id": f"e-{uuid.uuid4().hex}"}).raise_for_status()
        status = poll(http, f"/flow/opportunities/{opp_id}", lambda s: s["status"] in ("launched", "failed"))
    assert status["status"] == "launched", status
    httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{status['workflow_id']}/complete",
               timeout=30).raise_for_status()
    return str(status["workflow_id"])


def test_a_delivery_recorded_by_a_server_that_died_before_its_run_is_synced_when_redelivered(
        flow_server: FlowServer) -> None:
    from pathlib import Path

    from api.ledger import WebhookLedger

    workflow_id = _launched_and_signed_without_a_webhook(flow_server, "Lost Letter Ltd")
    event_id = f"evt-{uuid.uuid4().hex}"
    # What a server that recorded the event, then died before storing its run, left behind.
    ledger = WebhookLedger(Path(flow_server.server.env["CONTRACTLOOP_DATA_DIR"]) / "ironclad_events.sqlite")
    ledger.record(event_id, "workflow_completed", workflow_id)
    ledger.close()
    with httpx.Client(base_url=flow_server.url, timeout=30) as raw:
        headers, body = _delivery(flow_server, workflow_id, event_id)  # Ironclad's redelivery
        answer = raw.post("/ironclad/webhooks", content=body, headers=headers)
    assert answer.status_code == 202 and answer.json()["status"] == "started", answer.text
    with flow_server.http() as http:
        sync = poll(http, f"/ironclad/workflows/{workflow_id}/sync",
                     lambda s: s["status"] in ("completed", "awaiting_approval", "failed"))
    assert sync["status"] in ("completed", "awaiting_approval"), sync


def test_a_renewal_scan_on_the_server_s_cron_plans_the_contract(flow_server: FlowServer) -> None:
    """The schedule trigger: a cron on the LangGraph server's own API (`POST /runs/crons`, what the README's
    `crons.create` sends) runs the plan_renewals task; here every two seconds (croniter's seconds field) so the
    test need not wait for a minute boundary, deleted once it has run."""
    from core.settings import Settings
    from tools.salesforce import SalesforceClient

    settings = Settings(_env_file=None, **{k.lower(): v for k, v in flow_server.stack.env().items()})  # type: ignore[call-arg]
    sf = SalesforceClient.from_settings(settings)
    insight = insight_in_org(flow_server.stack, sf, "Cron Renewal Co", Expiration_Date__c="2027-03-31",
                             Auto_Renewal__c=True, Renewal_Term_Months__c=12, Notice_Period_Days__c=60,
                             Total_Contract_Value__c=24000, Initial_Term_Months__c=12)
    key = sf.query(f"SELECT External_Key__c FROM Contract_Insight__c WHERE Id = '{insight}'")[0]["External_Key__c"]
    with flow_server.http() as http:
        cron = http.post("/runs/crons", json={
            "assistant_id": "contractloop", "schedule": "* * * * * */2",
            "input": {"task": {"kind": "plan_renewals", "event_id": "nightly-renewal-scan", "as_of": "2026-12-01",
                               "horizon_days": 180, "contract_keys": [key]}}})
        assert cron.status_code == 200, cron.text
        try:
            deadline = time.monotonic() + 60
            while not (renewals := sf.query(f"SELECT Id, CloseDate FROM Opportunity "
                                            f"WHERE Contract_Insight__c = '{insight}'")):
                assert time.monotonic() < deadline, "the cron's scan did not run in 60 s"
                time.sleep(0.5)
        finally:
            http.delete(f"/runs/crons/{cron.json()['cron_id']}")
    time.sleep(3)  # a run the cron started meanwhile finds the plan up to date: still one renewal
    assert [r["CloseDate"] for r in sf.query(f"SELECT CloseDate FROM Opportunity "
                                             f"WHERE Contract_Insight__c = '{insight}'")] == ["2027-03-31"]
    assert len(renewals) == 1
