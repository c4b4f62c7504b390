"""POST /ironclad/webhooks: a signed delivery says a contract was executed; start its sync to Salesforce.

No API key: Ironclad signs its deliveries, and only a verified delivery starts anything.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from api.ledger import Ledgers, extraction_thread_id
from api.problems import FlowProblem
from api.thread_status import run_state_of, values_of
from api.threads import GRAPH_ID, OPEN_THREAD_STATES, Threads
from core.settings import get_settings
from runtime import audit_trail
from runtime.context import default_ironclad
from runtime.correlation import correlation_id_for
from runtime.state import RunState, Task
from tools.ironclad.registration import SIGNED_CONTRACT_EVENTS
from tools.ironclad.webhooks import WebhookBodyError, WebhookVerificationError, WebhookVerifier

SIGNED_EVENTS = frozenset(SIGNED_CONTRACT_EVENTS)  # the events `serve` registers its webhook for


class SignedContracts:
    def __init__(self, threads: Threads, ledgers: Ledgers) -> None:
        self._threads = threads
        self._ledgers = ledgers
        self._verifier: WebhookVerifier | None = None

    async def verifier(self) -> WebhookVerifier:
        """The key from IRONCLAD_WEBHOOK_PUBLIC_KEY_FILE, else Ironclad's verification-key endpoint (cached)."""
        if self._verifier is None:
            settings = get_settings()
            if settings.ironclad_webhook_public_key_file:
                self._verifier = WebhookVerifier.from_settings(settings)
            else:
                max_age = timedelta(hours=settings.ironclad_webhook_max_age_hours)
                self._verifier = await asyncio.to_thread(
                    lambda: WebhookVerifier.from_client(default_ironclad(), max_age))
        return self._verifier

    async def accept(self, headers: Any, body: bytes) -> tuple[dict[str, Any], int]:
        try:
            event = (await self.verifier()).verify(headers, body)
        except WebhookBodyError as exc:
            raise FlowProblem(400, "invalid_body", str(exc)) from None
        except WebhookVerificationError as exc:
            raise FlowProblem(401, "unauthorized", f"webhook rejected: {exc}") from None
        name, workflow_id = event.payload.event, event.payload.workflow_id
        if name not in SIGNED_EVENTS or not workflow_id:
            return {"status": "ignored", "event": name, "event_id": event.event_id}, 200
        thread_id = extraction_thread_id(workflow_id)
        async with self._threads.lock(f"workflow:{workflow_id}"):
            # The thread, not the ledger, says whether this contract is being synced: an event recorded by a
            # server that died before its run was saved must start that run when Ironclad delivers it again.
            thread = await self._threads.get(thread_id)
            state = run_state_of(values_of(thread)) if thread else None
            if state is not None and state.status in ("completed", "awaiting_approval", "rejected") \
                    or (thread is not None and thread["status"] in OPEN_THREAD_STATES):
                await asyncio.to_thread(self._ledgers.webhooks.record, event.event_id, name, workflow_id)
                await asyncio.to_thread(_record_webhook, state.correlation_id if state else "", name,
                                        event.event_id, workflow_id, "duplicate")
                return {"status": "duplicate", "event": name, "event_id": event.event_id, "thread_id": thread_id,
                        "message": "this contract is already being synced"}, 200
            task = Task(kind="extract_executed_contract", event_id=event.event_id, workflow_id=workflow_id)
            metadata = {"workflow_id": workflow_id, "event_id": event.event_id, "source": "ironclad"}
            client = self._threads.client
            await client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=metadata)
            # A fresh start on the thread: an earlier event may have found no executed record yet.
            run_input = {"task": task.model_dump(mode="json", exclude_none=True), "status": "received",
                         "contract": None, "error": None, "decision": None}
            run = await client.runs.create(thread_id, GRAPH_ID, input=run_input, multitask_strategy="enqueue",
                                           durability="sync", metadata=metadata)
            # Only now, with the run stored, does the event count as seen.
            await asyncio.to_thread(self._ledgers.webhooks.record, event.event_id, name, workflow_id)
            # the run stamps the same id at intake (it is derived from the task)
            await asyncio.to_thread(_record_webhook, correlation_id_for(RunState(task=task)), name,
                                    event.event_id, workflow_id, "started")
        return {"status": "started", "event": name, "event_id": event.event_id, "thread_id": thread_id,
                "run_id": run["run_id"]}, 202


def _record_webhook(correlation_id: str, name: str, event_id: str, workflow_id: str, outcome: str) -> None:
    audit_trail.record("webhook_accepted", correlation_id, "ironclad", actor="ironclad webhook", subject=workflow_id,
                       refs=[workflow_id], payload={"event": name, "event_id": event_id, "outcome": outcome})
