"""`register_webhook` (what `serve` and the demo call at start) against the Ironclad sandbox over HTTP: one
webhook however often it runs, an existing one reused and repaired, a moved URL followed, never a duplicate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sandbox.ironclad import IroncladSandbox
from tests.fixtures.ironclad import client_for
from tools.ironclad import IroncladClient
from tools.ironclad.registration import SIGNED_CONTRACT_EVENTS, register_webhook, webhook_url


@pytest.fixture
def tenant(make_ironclad_sandbox: Callable[..., IroncladSandbox]) -> Iterator[IroncladClient]:
    sandbox = make_ironclad_sandbox()
    with client_for(sandbox) as client:
        yield client


def test_registering_again_and_again_keeps_one_webhook(tenant: IroncladClient) -> None:
    target = webhook_url("http://127.0.0.1:2024/")
    assert target == "http://127.0.0.1:2024/ironclad/webhooks"
    actions = [register_webhook(tenant, target).action for _ in range(3)]
    assert actions == ["created", "reused", "reused"]
    [hook] = tenant.list_webhooks()
    assert hook.target_url == target and set(hook.events) == set(SIGNED_CONTRACT_EVENTS)


def test_an_existing_webhook_is_repaired_not_duplicated(tenant: IroncladClient) -> None:
    target = "https://contracts.example.com/ironclad/webhooks"
    other = tenant.create_webhook(["workflow_launched"], "https://someone-else.example.com/hook")
    ours = tenant.create_webhook(["workflow_completed"], target)  # e.g. registered by hand, one event short
    tenant.update_webhook(ours.id, status="disabled")
    registration = register_webhook(tenant, target)
    assert registration.action == "updated" and registration.webhook.id == ours.id
    assert registration.webhook.status == "enabled"
    assert set(registration.webhook.events) == set(SIGNED_CONTRACT_EVENTS)
    assert {h.id for h in tenant.list_webhooks()} == {other.id, ours.id}  # someone else's is left alone


def test_a_moved_url_moves_the_webhook_this_installation_owns(tenant: IroncladClient, tmp_path: Path) -> None:
    state = tmp_path / "ironclad-webhook.json"
    first = register_webhook(tenant, "https://old-tunnel.example.com/ironclad/webhooks", state_file=state)
    moved = register_webhook(tenant, "https://new-tunnel.example.com/ironclad/webhooks", state_file=state)
    assert (first.action, moved.action) == ("created", "updated") and moved.webhook.id == first.webhook.id
    assert [h.target_url for h in tenant.list_webhooks()] == ["https://new-tunnel.example.com/ironclad/webhooks"]
    tenant.delete_webhook(moved.webhook.id)  # deleted in Ironclad meanwhile: registered afresh
    again = register_webhook(tenant, "https://new-tunnel.example.com/ironclad/webhooks", state_file=state)
    assert again.action == "created" and len(tenant.list_webhooks()) == 1
