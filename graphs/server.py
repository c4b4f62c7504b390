"""Flow-facing routes, mounted into the LangGraph server via `http.app` in langgraph.json.

Each route validates a flat body, answers at once, and leaves the work to a background run that it starts
through the in-process LangGraph SDK client, so a Flow callout never waits on a model or on Ironclad.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.schema import Command
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.settings import get_settings
from graphs.auth import API_KEY_HEADER, ApiKeyProblem, check_api_key, configured_key
from graphs.event_ledger import EventLedger, LedgerEntry, thread_id_for
from graphs.flow_api import (
    CONTRACTING_STAGE,
    ApprovalAccepted,
    ApprovalSubmission,
    ErrorBody,
    ErrorField,
    EventAccepted,
    OpportunityEvent,
    PendingApproval,
    PlannedChange,
    RunStatus,
    SyncStatus,
)
from graphs.http_guard import ServerGuard
from graphs.openapi import build_openapi
from graphs.supervisor import correlation_id_for
from graphs.webhook_ledger import WebhookLedger, extraction_thread_id
from runtime.state import RunState, Task
from tools.ironclad.registration import SIGNED_CONTRACT_EVENTS
from tools.ironclad.webhooks import WebhookBodyError, WebhookVerificationError, WebhookVerifier
from tools.json_body import JsonBodyError, json_body

GRAPH_ID = "contractloop"
LEDGER_FILE = "flow_events.sqlite"
WEBHOOK_LEDGER_FILE = "ironclad_events.sqlite"
SIGNED_EVENTS = frozenset(SIGNED_CONTRACT_EVENTS)  # the events `serve` registers its webhook for
MAX_ERROR_CHARS = 2000
_OPEN_THREAD_STATES = {"busy", "interrupted"}
ModelT = TypeVar("ModelT", bound=BaseModel)
log = logging.getLogger(__name__)


class FlowProblem(Exception):
    """An answer other than success, rendered as ErrorBody with its HTTP status."""

    def __init__(self, status_code: int, error: str, detail: str, fields: list[ErrorField] | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.body = ErrorBody(error=error, detail=detail, fields=fields or [])


def _reply(model: BaseModel, status_code: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status_code)


def _require_key(request: Request) -> None:
    try:
        check_api_key(request.headers.get(API_KEY_HEADER))
    except ApiKeyProblem as problem:
        raise FlowProblem(problem.status_code, "unauthorized" if problem.status_code == 401 else "not_configured",
                          problem.detail) from None


async def _parse(request: Request, model: type[ModelT]) -> ModelT:
    raw = await request.body()
    try:
        data = json_body(raw)
    except JsonBodyError as exc:
        raise FlowProblem(422, "invalid_body", f"the body is not valid JSON: {exc}",
                          [ErrorField(field="body", message=str(exc))]) from None
    if not isinstance(data, dict):
        raise FlowProblem(422, "invalid_body", "the body must be a JSON object",
                          [ErrorField(field="body", message="must be a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_problem(exc) from None


def _validation_problem(exc: ValidationError) -> FlowProblem:
    fields = [ErrorField(field=".".join(str(p) for p in e["loc"]) or "body", message=e["msg"])
              for e in exc.errors(include_url=False)]
    named = ", ".join(sorted({f.field for f in fields}))
    return FlowProblem(422, "invalid_body", f"invalid field(s): {named}", fields)


class FlowService:
    """The routes' logic: ledger look-ups, thread inspection and run starts."""

    def __init__(self, ledger_path: Path) -> None:
        self._ledger_path = ledger_path
        self._ledger: EventLedger | None = None
        self._webhooks: WebhookLedger | None = None
        self._verifier: WebhookVerifier | None = None
        self._mapping_checked = False
        self._mapping_lock = asyncio.Lock()
        self._client: LangGraphClient | None = None
        # One request at a time per opportunity (or thread): the ledger check and the run start are one step.
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def open(self) -> None:
        self._ledger = await asyncio.to_thread(EventLedger, self._ledger_path)
        self._webhooks = await asyncio.to_thread(WebhookLedger, self._ledger_path.with_name(WEBHOOK_LEDGER_FILE))

    async def close(self) -> None:
        if self._ledger:
            await asyncio.to_thread(self._ledger.close)
        if self._webhooks:
            await asyncio.to_thread(self._webhooks.close)

    @property
    def ledger(self) -> EventLedger:
        if self._ledger is None:
            raise RuntimeError("the Flow service was not opened (lifespan did not run)")
        return self._ledger

    @property
    def client(self) -> LangGraphClient:
        if self._client is None:
            # No url: the SDK talks to this very server in-process (ASGI), through the same API-key auth.
            self._client = get_client(url=None, api_key=configured_key())
        return self._client

    # --- events ---------------------------------------------------------------------------------

    async def accept_event(self, event: OpportunityEvent) -> tuple[EventAccepted, int]:
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
        async with self._locks[f"opp:{event.opportunity_id[:15]}"]:
            latest = await asyncio.to_thread(self.ledger.latest_for, event.opportunity_id)
            if latest is None:
                return await self._start(event)
            seen = await asyncio.to_thread(self.ledger.find, event.opportunity_id, event.event_id)
            thread = await self._thread_or_none(latest.thread_id)
            if thread is None:
                # The ledger knows the opportunity but the server lost the thread (its state was wiped).
                return await self._start(event)
            if thread["status"] in _OPEN_THREAD_STATES:
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
            return _accepted(_status_of(thread), event, None, why), 200

    async def _record(self, event: OpportunityEvent, thread_id: str, seen: LedgerEntry | None) -> None:
        if seen is None:
            await asyncio.to_thread(self.ledger.record, event.opportunity_id, event.event_id, thread_id,
                                    event.requested_by)

    async def _redrive(self, event: OpportunityEvent, thread: dict[str, Any]) -> tuple[EventAccepted, int]:
        """Continue a failed run from its last checkpoint; finished steps (the launch) are not redone."""
        run = await self.client.runs.create(str(thread["thread_id"]), GRAPH_ID, input=None,
                                            multitask_strategy="reject", durability="sync")
        status = _status_of(thread).model_copy(update={"status": "retrying"})
        return _accepted(status, event, run["run_id"], "the earlier run failed; retrying it"), 202

    async def _start(self, event: OpportunityEvent) -> tuple[EventAccepted, int]:
        thread_id = thread_id_for(event.opportunity_id, event.event_id)
        task = Task(kind="draft_contract", event_id=event.event_id, opportunity_id=event.opportunity_id,
                    stage=event.stage, requested_by=event.requested_by)
        metadata = {"opportunity_id": event.opportunity_id, "event_id": event.event_id, "source": "flow"}
        await self.client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=metadata)
        try:
            run = await self.client.runs.create(
                thread_id, GRAPH_ID, input={"task": task.model_dump(mode="json", exclude_none=True)},
                multitask_strategy="reject", durability="sync", metadata=metadata,
            )
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 409:  # a run is already active on this thread: the event is known
                await asyncio.to_thread(self.ledger.record, event.opportunity_id, event.event_id, thread_id,
                                        event.requested_by)
                return await self._already_known(event, thread_id, "a run for this event is already active")
            raise
        await asyncio.to_thread(self.ledger.record, event.opportunity_id, event.event_id, thread_id,
                                event.requested_by)
        return EventAccepted(
            status="started", duplicate=False, thread_id=thread_id, run_id=run["run_id"],
            correlation_id=correlation_id_for(RunState(task=task)), opportunity_id=event.opportunity_id,
            message="run started; poll GET /flow/opportunities/{opportunity_id} for its status",
        ), 202

    async def _already_known(self, event: OpportunityEvent, thread_id: str, why: str) -> tuple[EventAccepted, int]:
        thread = await self._thread_or_none(thread_id)
        if thread is None:
            return await self._start(event)
        if thread["status"] == "error":
            return await self._redrive(event, thread)
        return _accepted(_status_of(thread), event, None, why), 200

    async def _check_mapping(self) -> None:
        """Before the first draft: the attribute mapping against the live Ironclad schemas and Salesforce
        describe. A renamed or retyped field refuses every event (503, naming it) instead of syncing null."""
        from agents.drafter.mapping import MappingError
        from agents.drafter.mapping_check import check_live_mapping
        from runtime.context import default_ironclad, default_salesforce

        async with self._mapping_lock:  # concurrent first events check once
            if self._mapping_checked:
                return
            try:
                await asyncio.to_thread(check_live_mapping, default_salesforce(), default_ironclad())
            except MappingError as exc:
                raise FlowProblem(503, "mapping_invalid", str(exc)[:MAX_ERROR_CHARS]) from None
            self._mapping_checked = True

    # --- Ironclad webhooks ------------------------------------------------------------------------

    async def verifier(self) -> WebhookVerifier:
        """The key from IRONCLAD_WEBHOOK_PUBLIC_KEY_FILE, else Ironclad's verification-key endpoint (cached)."""
        if self._verifier is None:
            settings = get_settings()
            if settings.ironclad_webhook_public_key_file:
                self._verifier = WebhookVerifier.from_settings(settings)
            else:
                from runtime.context import default_ironclad

                max_age = timedelta(hours=settings.ironclad_webhook_max_age_hours)
                self._verifier = await asyncio.to_thread(
                    lambda: WebhookVerifier.from_client(default_ironclad(), max_age))
        return self._verifier

    async def accept_webhook(self, headers: Any, body: bytes) -> tuple[dict[str, Any], int]:
        try:
            event = (await self.verifier()).verify(headers, body)
        except WebhookBodyError as exc:
            raise FlowProblem(400, "invalid_body", str(exc)) from None
        except WebhookVerificationError as exc:
            raise FlowProblem(401, "unauthorized", f"webhook rejected: {exc}") from None
        name, workflow_id = event.payload.event, event.payload.workflow_id
        if name not in SIGNED_EVENTS or not workflow_id:
            return {"status": "ignored", "event": name, "event_id": event.event_id}, 200
        assert self._webhooks is not None
        thread_id = extraction_thread_id(workflow_id)
        async with self._locks[f"workflow:{workflow_id}"]:
            # The thread, not the ledger, says whether this contract is being synced: an event recorded by a
            # server that died before its run was saved must start that run when Ironclad delivers it again.
            thread = await self._thread_or_none(thread_id)
            state = _run_state(_values(thread)) if thread else None
            if state is not None and state.status in ("completed", "awaiting_approval", "rejected") \
                    or (thread is not None and thread["status"] in _OPEN_THREAD_STATES):
                await asyncio.to_thread(self._webhooks.record, event.event_id, name, workflow_id)
                return {"status": "duplicate", "event": name, "event_id": event.event_id, "thread_id": thread_id,
                        "message": "this contract is already being synced"}, 200
            task = Task(kind="extract_executed_contract", event_id=event.event_id, workflow_id=workflow_id)
            metadata = {"workflow_id": workflow_id, "event_id": event.event_id, "source": "ironclad"}
            await self.client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=metadata)
            # A fresh start on the thread: an earlier event may have found no executed record yet.
            run_input = {"task": task.model_dump(mode="json", exclude_none=True), "status": "received",
                         "contract": None, "error": None, "decision": None}
            run = await self.client.runs.create(thread_id, GRAPH_ID, input=run_input, multitask_strategy="enqueue",
                                                durability="sync", metadata=metadata)
            # Only now, with the run stored, does the event count as seen.
            await asyncio.to_thread(self._webhooks.record, event.event_id, name, workflow_id)
        return {"status": "started", "event": name, "event_id": event.event_id, "thread_id": thread_id,
                "run_id": run["run_id"]}, 202

    async def sync_status(self, workflow_id: str) -> SyncStatus:
        thread_id = extraction_thread_id(workflow_id)
        thread = await self._thread_or_none(thread_id)
        if thread is None:
            raise FlowProblem(404, "not_found", f"no sync has been started for workflow {workflow_id}")
        flat = _status_of(thread)
        state = _run_state(_values(thread))
        contract = state.contract if state else None
        status = flat.status if flat.status in ("running", "failed", "awaiting_approval") else (
            state.status if state else "queued")
        return SyncStatus(
            status=status, thread_id=thread_id, workflow_id=workflow_id,
            record_id=contract.record_id if contract else None,
            record_name=contract.record_name if contract else None,
            opportunity_id=contract.opportunity_id if contract else None,
            engine=contract.engine if contract else None,
            review_reasons=contract.review_reasons if contract else [],
            changes=[PlannedChange(sobject=c.sobject, record=c.record, field=c.field,
                                   old=None if c.old is None else str(c.old), new=None if c.new is None else str(c.new),
                                   citation=c.citation) for c in (contract.changes if contract else [])],
            written_records=len(contract.results) if contract else 0,
            error=(state.error if state else None) or (await self._run_error(thread_id)
                                                       if thread["status"] == "error" else None),
        )

    # --- approvals ------------------------------------------------------------------------------

    async def submit_approval(self, submission: ApprovalSubmission) -> ApprovalAccepted:
        problems = submission.problems()
        if problems:
            fields = [ErrorField(field=name, message=msg) for name, msg in problems]
            raise FlowProblem(422, "invalid_body", f"invalid field(s): {', '.join(sorted({n for n, _ in problems}))}",
                              fields)
        try:
            resume = submission.to_resume()
        except ValidationError as exc:
            raise _validation_problem(exc) from None
        thread_id = await self._thread_for(submission.thread_id, submission.opportunity_id)
        async with self._locks[f"thread:{thread_id}"]:
            thread = await self._thread_or_none(thread_id)
            if thread is None:
                raise FlowProblem(404, "not_found", f"no run with thread_id {thread_id}")
            _check_same_opportunity(thread, submission.opportunity_id)
            interrupts = [i for group in (thread.get("interrupts") or {}).values() for i in group]
            if thread["status"] != "interrupted" or not interrupts:
                raise FlowProblem(409, "not_waiting",
                                  f"nothing is waiting for approval on thread {thread_id} "
                                  f"(status: {_status_of(thread).status})")
            value = resume.model_dump(mode="json", exclude_none=True)
            # One pending interrupt takes the plain value; several must be addressed by interrupt id.
            command: Command = {"resume": value if len(interrupts) == 1 else {i["id"]: value for i in interrupts}}
            try:
                run = await self.client.runs.create(
                    thread_id, GRAPH_ID, command=command, multitask_strategy="reject", durability="sync",
                    metadata={"source": "flow", "reviewer": submission.reviewer, "decision": submission.decision},
                )
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code == 409:
                    raise FlowProblem(409, "busy", "a decision for this run is already being processed") from None
                raise
        return ApprovalAccepted(status="resuming", thread_id=thread_id, run_id=run["run_id"],
                                opportunity_id=_values(thread).get("task", {}).get("opportunity_id"),
                                decision=submission.decision,
                                message="decision accepted; the run continues in the background")

    # --- status ---------------------------------------------------------------------------------

    async def status_for_opportunity(self, opportunity_id: str) -> RunStatus:
        return await self.status_for_thread(await self._thread_for(None, opportunity_id))

    async def status_for_thread(self, thread_id: str) -> RunStatus:
        thread = await self._thread_or_none(thread_id)
        if thread is None:
            raise FlowProblem(404, "not_found", f"no run with thread_id {thread_id}")
        status = _status_of(thread)
        if thread["status"] == "error" and not status.error:
            status = status.model_copy(update={"error": await self._run_error(thread_id)})
        return status

    # --- helpers --------------------------------------------------------------------------------

    async def _thread_for(self, thread_id: str | None, opportunity_id: str | None) -> str:
        if thread_id:
            return thread_id
        assert opportunity_id is not None
        latest = await asyncio.to_thread(self.ledger.latest_for, opportunity_id)
        if latest is None:
            raise FlowProblem(404, "not_found", f"no run has been started for opportunity {opportunity_id}")
        return latest.thread_id

    async def _thread_or_none(self, thread_id: str) -> dict[str, Any] | None:
        try:
            return dict(await self.client.threads.get(thread_id))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (404, 422):
                return None
            raise

    async def _run_error(self, thread_id: str) -> str:
        """The failing step and its exception, from the checkpoint's pending task (the run API masks it)."""
        try:
            state = await self.client.threads.get_state(thread_id)
        except httpx.HTTPStatusError as exc:  # the status route still answers `failed`, never 500
            return f"the run failed; its checkpoint could not be read back: {exc}"[:MAX_ERROR_CHARS]
        for task in state.get("tasks") or []:
            if task.get("error"):
                return f"{task['name']}: {task['error']}"[:MAX_ERROR_CHARS]
        return "the run failed; see the server log"


def _values(thread: dict[str, Any]) -> dict[str, Any]:
    values = thread.get("values")
    return values if isinstance(values, dict) else {}


def _check_same_opportunity(thread: dict[str, Any], opportunity_id: str | None) -> None:
    actual = _values(thread).get("task", {}).get("opportunity_id")
    if opportunity_id and actual and actual[:15] != opportunity_id[:15]:
        raise FlowProblem(422, "invalid_body", f"thread {thread['thread_id']} belongs to opportunity {actual}",
                          [ErrorField(field="opportunity_id", message="does not match the thread's opportunity")])


def _status_of(thread: dict[str, Any]) -> RunStatus:
    """Flatten a LangGraph thread into what a Flow reads."""
    values = _values(thread)
    state = _run_state(values)
    interrupts = [i for group in (thread.get("interrupts") or {}).values() for i in group]
    approval = _pending_approval(interrupts[0]["value"]) if interrupts else None
    if thread["status"] == "busy":
        status = "running"
    elif thread["status"] == "error":
        status = "failed"
    elif approval is not None:
        status = "awaiting_approval"
    else:
        status = state.status if state else "queued"
    launch = state.launch if state else None
    review = state.review if state else None
    decision = state.decision if state else None
    task = (state.task.opportunity_id if state else None) or (thread.get("metadata") or {}).get("opportunity_id")
    return RunStatus(
        status=status,
        thread_id=str(thread["thread_id"]),
        opportunity_id=task,
        correlation_id=(state.correlation_id if state else None)
        or _correlation_from_metadata(thread.get("metadata") or {}),
        workflow_id=launch.workflow_id if launch else None,
        workflow_link=launch.link if launch else None,
        workflow_status=launch.status if launch else None,
        addendum_workflow_ids=[a.workflow_id for a in state.addenda] if state else [],
        addendum_workflow_links=[a.link for a in state.addenda] if state else [],
        risk_score=review.assessment.score if review else None,
        risk_route=review.approval.route if review else None,
        risk_summary=review.summary() if review else None,
        decision=decision.type if decision else None,
        decided_by=decision.by if decision else None,
        approval=approval,
        error=state.error if state else values.get("error"),
        updated_at=str(thread.get("updated_at")) if thread.get("updated_at") else None,
    )


def _run_state(values: dict[str, Any]) -> RunState | None:
    """The graph's own state model; None before the first step has written anything."""
    if not values.get("task"):
        return None
    try:
        return RunState.model_validate(values)
    except ValidationError as exc:
        # Only a thread checkpointed by an older version of the state gets here; say so instead of hiding it.
        log.warning("thread state does not validate as RunState: %s", exc.errors(include_url=False)[:3])
        return None


def _correlation_from_metadata(metadata: dict[str, Any]) -> str | None:
    """Before the first step has run, the thread's metadata still names the event, and so its correlation id."""
    if not (metadata.get("opportunity_id") and metadata.get("event_id")):
        return None
    task = Task(kind="draft_contract", event_id=metadata["event_id"], opportunity_id=metadata["opportunity_id"])
    return correlation_id_for(RunState(task=task))


def _pending_approval(value: Any) -> PendingApproval | None:
    from core.approval_schemas import ApprovalRequest

    try:
        request = ApprovalRequest.model_validate(value)
    except ValidationError:
        return None
    action = request.action_requests[0]
    config = next((c for c in request.review_configs if c.action_name == action.name), None)
    return PendingApproval(
        approver_role=request.approver_role, risk_score=request.risk_score, risk_summary=request.risk_summary,
        action=action.name, description=action.description,
        allowed_decisions=list(config.allowed_decisions) if config else ["approve", "edit", "reject"],
        templates=[str(t) for t in action.args.get("templates", [])],
        clauses=[str(c) for c in action.args.get("clauses", [])],
        attributes_json=json.dumps(action.args.get("attributes", {}), sort_keys=True, default=str),
        addenda_json=json.dumps(action.args.get("addenda", {}), sort_keys=True, default=str),
        salesforce_task_id=request.salesforce_task_id, correlation_id=request.correlation_id,
    )


def _accepted(status: RunStatus, event: OpportunityEvent, run_id: str | None, why: str) -> EventAccepted:
    return EventAccepted(status=status.status, duplicate=True, thread_id=status.thread_id, run_id=run_id,
                         correlation_id=status.correlation_id, opportunity_id=event.opportunity_id, message=why)


def build_app(ledger_path: Path | None = None) -> Starlette:
    settings = get_settings()
    service = FlowService(ledger_path or settings.contractloop_data_dir / LEDGER_FILE)

    async def opportunity_events(request: Request) -> JSONResponse:
        _require_key(request)
        body, code = await service.accept_event(await _parse(request, OpportunityEvent))
        return _reply(body, code)

    async def approvals(request: Request) -> JSONResponse:
        _require_key(request)
        return _reply(await service.submit_approval(await _parse(request, ApprovalSubmission)), 202)

    async def opportunity_status(request: Request) -> JSONResponse:
        _require_key(request)
        return _reply(await service.status_for_opportunity(request.path_params["opportunity_id"]))

    async def thread_status(request: Request) -> JSONResponse:
        _require_key(request)
        return _reply(await service.status_for_thread(request.path_params["thread_id"]))

    async def ironclad_webhook(request: Request) -> JSONResponse:
        # No API key: Ironclad signs its deliveries, and only a verified delivery starts anything.
        # The body is capped by ServerGuard before it is read.
        body, code = await service.accept_webhook(request.headers, await request.body())
        return JSONResponse(body, status_code=code)

    async def sync_status(request: Request) -> JSONResponse:
        _require_key(request)
        return _reply(await service.sync_status(request.path_params["workflow_id"]))

    async def openapi(request: Request) -> JSONResponse:
        # An admin downloads it with the key to register the External Service.
        _require_key(request)
        return JSONResponse(build_openapi(str(request.base_url).rstrip("/")))

    async def problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FlowProblem)
        return _reply(exc.body, exc.status_code)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.open()
        yield
        await service.close()

    return Starlette(
        routes=[
            Route("/flow/opportunity-events", opportunity_events, methods=["POST"]),
            Route("/flow/approvals", approvals, methods=["POST"]),
            Route("/flow/opportunities/{opportunity_id}", opportunity_status, methods=["GET"]),
            Route("/flow/threads/{thread_id}", thread_status, methods=["GET"]),
            Route("/flow/openapi.json", openapi, methods=["GET"]),
            Route("/ironclad/webhooks", ironclad_webhook, methods=["POST"]),
            Route("/ironclad/workflows/{workflow_id}/sync", sync_status, methods=["GET"]),
        ],
        exception_handlers={FlowProblem: problem},
        lifespan=lifespan,
        # LangGraph runs user middleware outermost, so this guards its own routes as well as ours.
        middleware=[Middleware(ServerGuard, allowed_origins=settings.contractloop_cors_origins,
                               small_body_limit=settings.contractloop_max_body_bytes,
                               large_body_limit=settings.contractloop_max_api_body_bytes)],
    )


app = build_app()
