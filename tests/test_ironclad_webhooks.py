"""Webhooks end to end: registration rules, signed deliveries to a local receiver verified by our verifier,
forged/altered/unsigned deliveries rejected, retries with the same event id, and auto-disable."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest

from sandbox.ironclad import IroncladSandbox, WebhookPolicy
from tests.fixtures.ironclad import ORDER_FORM_TEMPLATE_ID, WebhookReceiver, client_for, order_form_attributes
from tools.ironclad import IroncladValidationError, WebhookVerificationError, WebhookVerifier

FAST_RETRIES = WebhookPolicy(max_retries=3, base_delay_seconds=0.05, backoff_factor=2.0, timeout_seconds=2.0,
                             disable_after_failures=4, disable_after_seconds=0.0)


def _events(receiver: WebhookReceiver) -> list[str]:
    return [json.loads(d.body)["payload"]["event"] for d in receiver.received]


def test_webhook_registration_rules(ironclad_client: Any, ironclad_webhook_receiver: WebhookReceiver) -> None:
    hook = ironclad_client.create_webhook(["workflow_completed"], ironclad_webhook_receiver.url)
    assert hook.status == "enabled" and hook.target_url == ironclad_webhook_receiver.url
    with pytest.raises(IroncladValidationError, match="already exists"):
        ironclad_client.create_webhook(["workflow_launched"], ironclad_webhook_receiver.url)
    with pytest.raises(IroncladValidationError) as err:
        ironclad_client.create_webhook(["workflow_signed"], "http://127.0.0.1:9/other")
    assert err.value.param == "events"
    updated = ironclad_client.update_webhook(hook.id, events=["workflow_completed", "workflow_launched"],
                                             status="disabled")
    assert updated.status == "disabled" and set(updated.events) == {"workflow_completed", "workflow_launched"}
    assert hook.id in {h.id for h in ironclad_client.list_webhooks()}
    ironclad_client.delete_webhook(hook.id)
    assert hook.id not in {h.id for h in ironclad_client.list_webhooks()}


def test_lifecycle_events_arrive_signed_and_verify(ironclad_sandbox: IroncladSandbox,
                                                   ironclad_webhook_receiver: WebhookReceiver) -> None:
    with client_for(ironclad_sandbox) as client:
        hook = client.create_webhook(["workflow_launched", "workflow_approval_status_changed",
                                      "workflow_signature_packet_fully_signed", "workflow_completed"],
                                     ironclad_webhook_receiver.url)
        verifier = WebhookVerifier.from_client(client)
        workflow = client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        httpx.post(f"{ironclad_sandbox.base_url}/_sandbox/workflows/{workflow.id}/complete").raise_for_status()
        ironclad_webhook_receiver.wait_for(lambda got: "workflow_completed" in [json.loads(d.body)["payload"]["event"]
                                                                       for d in got])
        client.delete_webhook(hook.id)

    verified = [verifier.verify(d.headers, d.body) for d in ironclad_webhook_receiver.received]
    # Deliveries run concurrently, so (as with Ironclad) arrival order is not guaranteed.
    assert sorted(e.payload.event for e in verified) == sorted([
        "workflow_launched", "workflow_approval_status_changed", "workflow_approval_status_changed",
        "workflow_signature_packet_fully_signed", "workflow_completed"])
    assert {e.payload.workflow_id for e in verified} == {workflow.id}
    assert {e.webhook_id for e in verified} == {hook.id}
    assert {e.company_id for e in verified} == {ironclad_sandbox.company_id}
    assert len({e.event_id for e in verified}) == len(verified)
    approvals = [json.loads(d.body)["payload"] for d in ironclad_webhook_receiver.received]
    legal = next(p for p in approvals if p.get("approvalID") == "legal")
    assert (legal["approvalName"], legal["status"], legal["userEmail"]) == (
        "Legal", "approved", "legal@contractloop.example")


def test_forged_altered_and_unsigned_deliveries_are_rejected(ironclad_sandbox: IroncladSandbox,
                                                             ironclad_webhook_receiver: WebhookReceiver) -> None:
    with client_for(ironclad_sandbox) as client:
        hook = client.create_webhook(["workflow_launched"], ironclad_webhook_receiver.url)
        client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        ironclad_webhook_receiver.wait_for(lambda got: len(got) >= 1)
        client.delete_webhook(hook.id)
    verifier = WebhookVerifier(ironclad_sandbox.verification_key_pem)
    genuine = ironclad_webhook_receiver.received[0]
    assert verifier.verify(genuine.headers, genuine.body).payload.event == "workflow_launched"

    # Re-formatted JSON (a proxy pretty-printed it) still verifies: the signature covers JSON.stringify(body).
    pretty = json.dumps(json.loads(genuine.body), indent=2).encode()
    assert verifier.verify(genuine.headers, pretty).event_id == genuine.headers["x-ironclad-webhook-event-id"]

    altered = genuine.body.replace(b"workflow_launched", b"workflow_completed")
    with pytest.raises(WebhookVerificationError, match="forged or altered"):
        verifier.verify(genuine.headers, altered)
    replayed_as_other_event = {**genuine.headers, "x-ironclad-webhook-event-id": "another-event"}
    with pytest.raises(WebhookVerificationError):
        verifier.verify(replayed_as_other_event, genuine.body)
    with pytest.raises(WebhookVerificationError, match="unsigned"):
        verifier.verify({"content-type": "application/json"}, genuine.body)

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    event_id, nonce = "forged-1", "abc"
    forged_sig = impostor.sign((event_id + genuine.body.decode() + nonce).encode(), padding.PKCS1v15(),
                               hashes.SHA256())
    forged_headers = {"X-Ironclad-Webhook-Event-Id": event_id, "X-Ironclad-Webhook-Verification": json.dumps(
        {"nonce": nonce, "signAlgorithm": "RSA-SHA256", "encoding": "base64",
         "signature": base64.b64encode(forged_sig).decode()})}
    with pytest.raises(WebhookVerificationError):
        verifier.verify(forged_headers, genuine.body)


def test_failed_deliveries_are_retried_with_the_same_event_id(make_ironclad_sandbox: Any,
                                                              ironclad_webhook_receiver: WebhookReceiver) -> None:
    sandbox = make_ironclad_sandbox(webhooks=FAST_RETRIES)
    ironclad_webhook_receiver.statuses = [500, 503]
    with client_for(sandbox) as client:
        hook = client.create_webhook(["workflow_launched"], ironclad_webhook_receiver.url)
        client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        ironclad_webhook_receiver.wait_for(lambda got: [d.status for d in got] == [500, 503, 200])
        assert len({d.headers["x-ironclad-webhook-event-id"] for d in ironclad_webhook_receiver.received}) == 1
        # The sandbox records an attempt once the receiver's answer is back, a moment after the receiver saw it.
        deadline = time.monotonic() + 10
        while len(attempts := sandbox.delivery_attempts()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [a.status_code for a in attempts] == [500, 503, 200]
        assert attempts[2].started - attempts[1].started >= attempts[1].started - attempts[0].started  # backoff
        assert client.get_webhook(hook.id).consecutive_failure_count == 0


def test_webhook_is_disabled_by_system_after_repeated_failures(make_ironclad_sandbox: Any,
                                                               ironclad_webhook_receiver: WebhookReceiver) -> None:
    sandbox = make_ironclad_sandbox(webhooks=FAST_RETRIES)
    ironclad_webhook_receiver.statuses = [500] * 50
    with client_for(sandbox) as client:
        hook = client.create_webhook(["workflow_launched"], ironclad_webhook_receiver.url)
        client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        ironclad_webhook_receiver.wait_for(lambda got: len(got) >= 4)
        disabled = client.get_webhook(hook.id)
        assert disabled.status == "disabledBySystem", [a.status_code for a in sandbox.delivery_attempts()]
        assert disabled.consecutive_failure_count >= 4
        # A disabled registration receives nothing more; re-enabling resets its failure streak.
        second = client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        time.sleep(0.3)
        assert all(json.loads(d.body)["payload"]["workflowID"] != second.id for d in ironclad_webhook_receiver.received)
        reenabled = client.update_webhook(hook.id, status="enabled")
        assert (reenabled.status, reenabled.consecutive_failure_count) == ("enabled", 0)


def test_gone_receiver_disables_its_webhook(make_ironclad_sandbox: Any, ironclad_webhook_receiver: WebhookReceiver) -> None:
    sandbox = make_ironclad_sandbox(webhooks=FAST_RETRIES)
    ironclad_webhook_receiver.statuses = [410]
    with client_for(sandbox) as client:
        hook = client.create_webhook(["workflow_launched"], ironclad_webhook_receiver.url)
        client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        ironclad_webhook_receiver.wait_for(lambda got: len(got) == 1)
        ironclad_webhook_receiver.wait_for(lambda got: client.get_webhook(hook.id).status == "disabled", timeout=3)
        client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        time.sleep(0.3)
        assert [a.status_code for a in sandbox.delivery_attempts()] == [410]
