"""Registering contractloop's webhook route with Ironclad, idempotently.

Ironclad must be told where to send signed-contract events (`POST /public/api/v1/webhooks`); without that a
contract signed in Ironclad never reaches contractloop. `register_webhook` lists the tenant's webhooks and reuses
the one already pointing at our route (or the one this installation registered before, if our URL changed:
a new tunnel, another port), fixing its events or status if needed, and creates one only when there is none.
Registering on every start therefore never duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from tools.ironclad.client import IroncladClient
from tools.ironclad.errors import IroncladNotFoundError, IroncladValidationError
from tools.ironclad.models import Webhook

WEBHOOK_ROUTE = "/ironclad/webhooks"
# The events that mean "this contract is executed"; the server's webhook route acts on these.
SIGNED_CONTRACT_EVENTS = ("workflow_completed", "workflow_signature_packet_fully_signed")
_PAGE_SIZE = 100


class Registration(BaseModel):
    webhook: Webhook
    action: Literal["created", "reused", "updated"]

    def describe(self) -> str:
        return f"{self.webhook.target_url} ({self.action} webhook {self.webhook.id}: {', '.join(self.webhook.events)})"


def webhook_url(public_url: str) -> str:
    """Where Ironclad should deliver: our webhook route under the URL Ironclad can reach us at."""
    return public_url.rstrip("/") + WEBHOOK_ROUTE


def all_webhooks(client: IroncladClient) -> list[Webhook]:
    hooks: list[Webhook] = []
    page = 0
    while True:
        batch = client.list_webhooks(page=page, page_size=_PAGE_SIZE)
        hooks.extend(batch)
        if len(batch) < _PAGE_SIZE:
            return hooks
        page += 1


def register_webhook(client: IroncladClient, target_url: str, *,
                     events: tuple[str, ...] = SIGNED_CONTRACT_EVENTS,
                     state_file: Path | None = None) -> Registration:
    """Make sure exactly one webhook delivers `events` to `target_url`, and return it.

    `state_file` remembers which webhook this installation owns, so that when `target_url` changes the old
    webhook is moved to the new URL instead of being left behind delivering into nothing."""
    owned = _remembered(state_file)
    hooks = all_webhooks(client)
    hook = next((h for h in hooks if h.target_url == target_url), None) \
        or next((h for h in hooks if owned and h.id == owned), None)
    if hook is None:
        try:
            registration = Registration(webhook=client.create_webhook(list(events), target_url), action="created")
        except IroncladValidationError:
            # Another process registered the same URL between our list and our create: use theirs.
            hook = next((h for h in all_webhooks(client) if h.target_url == target_url), None)
            if hook is None:
                raise
            registration = _reconcile(client, hook, target_url, events)
    else:
        registration = _reconcile(client, hook, target_url, events)
    _remember(state_file, registration.webhook)
    return registration


def _reconcile(client: IroncladClient, hook: Webhook, target_url: str, events: tuple[str, ...]) -> Registration:
    """Reuse `hook`, updating only what keeps it from delivering `events` to `target_url`."""
    missing = set(events) - set(hook.events)
    new_events = sorted(set(hook.events) | set(events)) if missing and "*" not in hook.events else None
    new_target = target_url if hook.target_url != target_url else None
    # Disabled by an admin, or by Ironclad itself after a long failure streak (e.g. while we were down).
    new_status = "enabled" if hook.status != "enabled" else None
    if new_events is None and new_target is None and new_status is None:
        return Registration(webhook=hook, action="reused")
    try:
        updated = client.update_webhook(hook.id, events=new_events, target_url=new_target, status=new_status)
    except IroncladNotFoundError:  # deleted meanwhile: register afresh
        return Registration(webhook=client.create_webhook(list(events), target_url), action="created")
    return Registration(webhook=updated, action="updated")


def _remembered(state_file: Path | None) -> str | None:
    if state_file is None or not state_file.is_file():
        return None
    try:
        return str(json.loads(state_file.read_text())["webhook_id"])
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: fall back to matching by URL alone


def _remember(state_file: Path | None, hook: Webhook) -> None:
    if state_file is None:
        return
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"webhook_id": hook.id, "target_url": hook.target_url}))
