"""A server killed (SIGKILL) right after it accepted a signed-contract webhook loses no contract: once it is
back, Ironclad's redelivery of the same event gets the contract synced into Salesforce."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from contractloop.commands.serve import LangGraphServer
from sandbox.ironclad.webhooks import compact_json
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from sandbox.stack import SandboxStack
from tests.support.polling import poll

pytestmark = pytest.mark.slow


def test_a_webhook_accepted_by_a_server_killed_at_once_is_synced_after_the_restart(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(16)
    with SandboxStack(tmp_path / "sandbox", opportunities=20, sf_port=None, ironclad_port=None, fresh=True) as stack:
        env = {**stack.env(), "CONTRACTLOOP_API_KEY": key, "CONTRACTLOOP_DATA_DIR": str(tmp_path / "data")}
        opp_id = create_deal(stack.salesforce.store, DealSpec(
            account_name="Killjoy Kettles", region="NA", deal_type="Expansion", governing_law="State of New York",
            lines=[LineSpec(product_code="PLT-STD", quantity=10)]))
        first = LangGraphServer(tmp_path / "langgraph", env, jobs=2).start()
        try:
            with httpx.Client(base_url=first.url, headers={"X-API-Key": key}, timeout=30) as http:
                http.post("/flow/opportunity-events", json={"opportunity_id": opp_id, "stage": "Contracting",
                                                            "event_id": "evt-kill"}).raise_for_status()
                launched = poll(http, f"/flow/opportunities/{opp_id}", lambda s: s["status"] in ("launched", "failed"))
                assert launched["status"] == "launched", launched
                workflow_id = launched["workflow_id"]
                httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{workflow_id}/complete",
                           timeout=30).raise_for_status()
                body = compact_json({"companyID": stack.ironclad.company_id,
                                     "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                                     "webhookID": "hook-kill", "payload": {"event": "workflow_completed",
                                                                         "workflowID": workflow_id}})
                event_id = str(uuid.uuid4())
                headers = stack.ironclad.services.signer.headers(event_id, body)
                accepted = http.post("/ironclad/webhooks", content=body, headers=headers)
                assert accepted.status_code == 202, accepted.text
        finally:
            assert first._process is not None
            first._process.kill()  # no shutdown: whatever was not yet saved is gone
            first._process.wait()

        with LangGraphServer(tmp_path / "langgraph", env, jobs=2) as second, \
                httpx.Client(base_url=second.url, headers={"X-API-Key": key}, timeout=30) as http:
            redelivered = http.post("/ironclad/webhooks", content=body, headers=headers)
            assert redelivered.status_code in (200, 202), redelivered.text
            sync = poll(http, f"/ironclad/workflows/{workflow_id}/sync",
                         lambda s: s["status"] in ("completed", "awaiting_approval", "failed"), timeout=90)
        assert sync["status"] in ("completed", "awaiting_approval"), sync
        rows = stack.salesforce.client().query(
            f"SELECT Id FROM Contract_Insight__c WHERE Opportunity__c = '{opp_id}'")["records"]
        assert len(rows) == (1 if sync["status"] == "completed" else 0)
