"""POST /flow/opportunity-events: an Opportunity reached Contracting; start (or re-drive) its drafting run."""

from __future__ import annotations

import asyncio

import httpx

from agents.drafter.mapping import MappingError
from agents.drafter.mapping_check import check_live_mapping
from api.flow_payloads import CONTRACTING_STAGE, EventAccepted, OpportunityEvent, RunStatus
from api.ledger import LedgerEntry, Ledgers, thread_id_for
from api.problems import MAX_ERROR_CHARS, FlowProblem
from api.thread_status import status_of
from api.threads import GRAPH_ID, OPEN_THREAD_STATES, Threads
from core.salesforce_ids import record_key
from runtime.context import default_ironclad, default_salesforce
from runtime.correlation import correlation_id_for
from runtime.state import RunState, Task


class OpportunityEvents:
    def __init__(self, threads: Threads, ledgers: Ledgers) -> None:
        self._threads = threads
        self._ledgers = ledgers
        self._mapping_checked = False
        self._mapping_lock = asyncio.Lock()

    async def accept(self, event: OpportunityEvent) -> tuple[EventAccepted, int]:
        """One run at a time per Opportunity, and events after a failure re-drive the failed run.

        - a run still open (drafting, waiting for approval) takes every new event;
        - a run that crashed (a failed write-back, an outage) is re-driven from its last checkpoint by the next
          event, whatever its id, so the same run finishes what it started;
        - an event already received, or an older one sent again, answers with the latest run's status;
        - a new event after a run that ended starts a new run, whose drafter first looks in Ironclad for the
          Opportunity's agreement: a live one is adopted, never launched twice.
        """
        if event.stage != CONTRACTING_STAGE:
            return EventAccepted(status="ignored", duplicate=False, opportunity_id=event.opportunity_id,
                                 message=f"stage {event.stage!r} starts nothing; only {CONTRACTING_STAGE!r} does"), 200
        await self._check_mapping()
        async with self._threads.lock(f"opp:{record_key(event.opportunity_id)}"):
            latest = await asyncio.to_thread(self._ledgers.events.latest_for, event.opportunity_id)
            if latest is None:
                return await self._start(event)
            seen = await asyncio.to_thread(self._ledgers.events.find, event.opportunity_id, event.event_id)
            thread = await self._threads.get(latest.thread_id)
            if thread is None:
                # The ledger knows the opportunity but the server lost the thread (its state was wiped).
                return await self._start(event)
            if thread["status"] in OPEN_THREAD_STATES or await self._run_waiting(thread):
                why = "a run for this opportunity is still open; it handles this event"
            elif thread["status"] == "error":
                await self._record(event, latest.thread_id, seen)
                return await self._redrive(event, thread)
            elif seen is not None:
                why = "this event was already received" if seen.thread_id == latest.thread_id else \
                    "an older event sent again; this is the opportunity's latest run"
            else:
                return await self._start(event)
            await self._record(event, latest.thread_id, seen)
            return _accepted(status_of(thread), event, None, why), 200

    async def _run_waiting(self, thread: dict) -> bool:
        """A run created on the thread, not yet picked up or just picked up: the thread can still say idle (or error,
        for a re-drive), yet the run will handle this event. Found by the trust suite's burst of distinct events,
        which otherwise started a second thread (benchmarks/trust/idempotency.py)."""
        runs = await self._threads.client.runs.list(str(thread["thread_id"]), limit=5)
        return any(run.get("status") in ("pending", "running") for run in runs)

    async def _record(self, event: OpportunityEvent, thread_id: str, seen: LedgerEntry | None) -> None:
        if seen is None:
            await asyncio.to_thread(self._ledgers.events.record, event.opportunity_id, event.event_id, thread_id,
                                    event.requested_by)

    async def _redrive(self, event: OpportunityEvent, thread: dict) -> tuple[EventAccepted, int]:
        """Continue a failed run from its last checkpoint; finished steps (the launch) are not redone."""
        run = await self._threads.client.runs.create(str(thread["thread_id"]), GRAPH_ID, input=None,
                                                     multitask_strategy="reject", durability="sync")
        status = status_of(thread).model_copy(update={"status": "retrying"})
        return _accepted(status, event, run["run_id"], "the earlier run failed; retrying it"), 202

    async def _start(self, event: OpportunityEvent) -> tuple[EventAccepted, int]:
        thread_id = thread_id_for(event.opportunity_id, event.event_id)
        task = Task(kind="draft_contract", event_id=event.event_id, opportunity_id=event.opportunity_id,
                    stage=event.stage, requested_by=event.requested_by)
        metadata = {"opportunity_id": event.opportunity_id, "event_id": event.event_id, "source": "flow"}
        client = self._threads.client
        await client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=metadata)
        try:
            run = await client.runs.create(
                thread_id, GRAPH_ID, input={"task": task.model_dump(mode="json", exclude_none=True)},
                multitask_strategy="reject", durability="sync", metadata=metadata,
            )
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 409:  # a run is already active on this thread: the event is known
                await asyncio.to_thread(self._ledgers.events.record, event.opportunity_id, event.event_id, thread_id,
                                        event.requested_by)
                return await self._already_known(event, thread_id, "a run for this event is already active")
            raise
        await asyncio.to_thread(self._ledgers.events.record, event.opportunity_id, event.event_id, thread_id,
                                event.requested_by)
        return EventAccepted(
            status="started", duplicate=False, thread_id=thread_id, run_id=run["run_id"],
            correlation_id=correlation_id_for(RunState(task=task)), opportunity_id=event.opportunity_id,
            message="run started; poll GET /flow/opportunities/{opportunity_id} for its status",
        ), 202

    async def _already_known(self, event: OpportunityEvent, thread_id: str, why: str) -> tuple[EventAccepted, int]:
        thread = await self._threads.get(thread_id)
        if thread is None:
            return await self._start(event)
        if thread["status"] == "error":
            return await self._redrive(event, thread)
        return _accepted(status_of(thread), event, None, why), 200

    async def _check_mapping(self) -> None:
        """Before the first draft: the attribute mapping against the live Ironclad schemas and Salesforce
        describe. A renamed or retyped field refuses every event (503, naming it) instead of syncing null."""
        async with self._mapping_lock:  # concurrent first events check once
            if self._mapping_checked:
                return
            try:
                await asyncio.to_thread(check_live_mapping, default_salesforce(), default_ironclad())
            except MappingError as exc:
                raise FlowProblem(503, "mapping_invalid", str(exc)[:MAX_ERROR_CHARS]) from None
            self._mapping_checked = True


def _accepted(status: RunStatus, event: OpportunityEvent, run_id: str | None, why: str) -> EventAccepted:
    return EventAccepted(status=status.status, duplicate=True, thread_id=status.thread_id, run_id=run_id,
                         correlation_id=status.correlation_id, opportunity_id=event.opportunity_id, message=why)
