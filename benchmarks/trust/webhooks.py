"""Webhooks: a forged signature, an altered body and a stale timestamp are refused (401) and start nothing; a
replayed genuine delivery changes nothing. Over HTTP to the Flow server's /ironclad/webhooks, signed with the
Ironclad sandbox's key (the genuine ones) or another key (the forged one)."""

from __future__ import annotations

import time
import uuid

import httpx

from benchmarks.trust.harness import Harness, event, poll, settle, signed_delivery
from benchmarks.trust.registry import Figure, Scenario, equal, info
from sandbox.ironclad.webhooks import WebhookSigner
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal

SYNC_SETTLED = ("completed", "awaiting_approval", "failed")


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    assert harness is not None
    flow, started = harness.flow, time.monotonic()
    opp_id = create_deal(flow.stack.salesforce.store, DealSpec(
        account_name=f"Webhook Trust {uuid.uuid4().hex[:6]} Ltd", region="NA", deal_type="Expansion",
        payment_terms_days=30, governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=10)]))
    with flow.http() as http, flow.raw() as raw:
        http.post("/flow/opportunity-events", json=event(opp_id)).raise_for_status()
        launched = settle(http, opp_id)
        workflow_id = str(launched["workflow_id"])
        httpx.post(f"{flow.stack.ironclad.base_url}/_sandbox/workflows/{workflow_id}/complete",
                   timeout=30).raise_for_status()

        headers, body = signed_delivery(flow, workflow_id, "evt-forged", signer=WebhookSigner())
        forged = raw.post("/ironclad/webhooks", content=body, headers=headers).status_code
        headers, body = signed_delivery(flow, "0" * 24, "evt-altered")
        altered = raw.post("/ironclad/webhooks", content=body.replace("0" * 24, workflow_id),
                           headers=headers).status_code
        headers, body = signed_delivery(flow, workflow_id, "evt-stale", timestamp="2019-04-07T21:36:52.776Z")
        stale = raw.post("/ironclad/webhooks", content=body, headers=headers).status_code
        unsigned = raw.post("/ironclad/webhooks", content=body, headers={"Content-Type": "application/json"}).status_code
        started_by_rejected = int(http.get(f"/ironclad/workflows/{workflow_id}/sync").status_code != 404)

        headers, body = signed_delivery(flow, workflow_id, f"evt-{uuid.uuid4().hex}")
        genuine = raw.post("/ironclad/webhooks", content=body, headers=headers).status_code
        poll(http, f"/ironclad/workflows/{workflow_id}/sync", lambda s: s.get("status") in SYNC_SETTLED)
        store = flow.stack.salesforce.store
        before = {o: store.count(o) for o in ("Contract_Insight__c", "Contract_Obligation__c", "Task")}
        replay = raw.post("/ironclad/webhooks", content=body, headers=headers)
        after = {o: store.count(o) for o in before}
    return [equal("forged signature: HTTP status", forged, 401),
            equal("altered body: HTTP status", altered, 401),
            equal("stale timestamp: HTTP status", stale, 401),
            equal("unsigned: HTTP status", unsigned, 401),
            equal("syncs started by rejected deliveries", started_by_rejected, 0),
            equal("genuine delivery: HTTP status", genuine, 202),
            equal("replayed delivery: answer", f"{replay.status_code} {replay.json().get('status')}", "200 duplicate"),
            equal("Salesforce records created by the replay", sum(after.values()) - sum(before.values()), 0),
            info("seconds", round(time.monotonic() - started, 1))]


SCENARIO = Scenario(name="webhooks",
                    proves="forged, altered, stale and unsigned webhooks are refused and start nothing; "
                           "a replay changes nothing",
                    runner=run, needs_server=True)
