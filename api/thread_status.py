"""What a Flow reads about a run: a LangGraph thread flattened into `RunStatus`."""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError

from api.flow_payloads import PendingApproval, RunStatus
from core.approval_schemas import ApprovalRequest
from runtime.correlation import correlation_id_for
from runtime.state import RunState, Task

log = logging.getLogger(__name__)


def values_of(thread: dict[str, Any]) -> dict[str, Any]:
    values = thread.get("values")
    return values if isinstance(values, dict) else {}


def pending_interrupts(thread: dict[str, Any]) -> list[dict[str, Any]]:
    """The thread's pending interrupts, across its tasks."""
    return [i for group in (thread.get("interrupts") or {}).values() for i in group]


def status_of(thread: dict[str, Any]) -> RunStatus:
    """Flatten a LangGraph thread into what a Flow reads."""
    values = values_of(thread)
    state = run_state_of(values)
    interrupts = pending_interrupts(thread)
    approval = pending_approval(interrupts[0]["value"]) if interrupts else None
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
        or correlation_from_metadata(thread.get("metadata") or {}),
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
        refusals=state.refusals if state else [],
        document_error=state.inbound.review.document_error if state and state.inbound else None,
        error=state.error if state else values.get("error"),
        updated_at=str(thread.get("updated_at")) if thread.get("updated_at") else None,
    )


def run_state_of(values: dict[str, Any]) -> RunState | None:
    """The graph's own state model; None before the first step has written anything."""
    if not values.get("task"):
        return None
    try:
        return RunState.model_validate(values)
    except ValidationError as exc:
        # Only a thread checkpointed by an older version of the state gets here; say so instead of hiding it.
        log.warning("thread state does not validate as RunState: %s", exc.errors(include_url=False)[:3])
        return None


def correlation_from_metadata(metadata: dict[str, Any]) -> str | None:
    """Before the first step has run, the thread's metadata still names the event, and so its correlation id."""
    if not (metadata.get("opportunity_id") and metadata.get("event_id")):
        return None
    task = Task(kind="draft_contract", event_id=metadata["event_id"], opportunity_id=metadata["opportunity_id"])
    return correlation_id_for(RunState(task=task))


def pending_approval(value: Any) -> PendingApproval | None:
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
