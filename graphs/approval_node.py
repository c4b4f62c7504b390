"""The approval step: auto-approve by policy, or show the request in Salesforce and wait for a human.

Two top-level nodes so that resuming re-runs only the interrupt, and the run's state says
"awaiting_approval" while it waits: `approval_gate` (policy, and an idempotent upsert of a Salesforce Task
the reviewer can act on) and `await_decision` (the interrupt).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.drafter.redraft import redraft_for_edits
from agents.drafter.validation import validate_attributes
from agents.risk_reviewer.draft_facts import EDITED_BY
from core.approval_schemas import (
    LAUNCH_ACTION,
    ActionRequest,
    ApprovalRequest,
    ApprovalResponse,
    ReviewConfig,
)
from graphs.approval import ask_for_decision
from playbook_store.templates import load_templates
from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import AttributeValue, Decision, RunState
from tools.write_plan import WriteOp, WritePlan

AUTO_APPROVER = "policy:auto-approve"
ROLLOUT_DECIDER = "rollout"  # a decision the rollout mode or pilot made: nothing to ask a person


def approval_task_key(state: RunState) -> str:
    return f"{state.correlation_id}-approval"


def approval_gate(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Auto-approve within policy; otherwise make the pending approval visible in Salesforce (a Task on the
    Opportunity, upserted by key, so a re-review after an edit updates the same Task)."""
    assert state.review is not None and state.bundle is not None
    review = state.review
    rollout = services.ironclad(runtime.context).rollout
    refusal = rollout.launch_refusal([d.template_key for d in state.draft.documents]) if state.draft else None
    if refusal:  # read_only or outside the pilot: it will not launch, so no person is asked to approve it
        audit_trail.record_refusals(state.correlation_id, [refusal], "approval", audit_trail.run_refs(state))
        return {"decision": Decision(type="reject", by=ROLLOUT_DECIDER, automatic=True, message=refusal),
                "refusals": [refusal], "log": [f"approval: {refusal}; no approval asked"]}
    log: list[str] = []
    if review.approval.route == "auto_approve" and rollout.needs_person:
        log = ["approval: policy would auto-approve, but assisted mode asks a person on every deal"]
    elif review.approval.route == "auto_approve":
        decision = Decision(type="approve", by=AUTO_APPROVER, automatic=True,
                            message="; ".join(review.approval.reasons) or "within policy")
        _record_decision(state, decision.by, "approve", automatic=True, reasons=review.approval.reasons)
        return {"decision": decision, "status": "approved", "log": ["approval: auto-approved by policy"]}
    role = review.approval.approver_role or "legal"
    plan = WritePlan(
        correlation_id=state.correlation_id,
        summary="approval request",
        operations=[WriteOp(
            ref="approvalTask", action="upsert", sobject="Task", external_id=approval_task_key(state),
            fields={
                "Subject": f"[{role.replace('_', ' ').title()} approval] Contract for {state.bundle.name}",
                "WhatId": state.bundle.id,
                "Status": "Not Started",
                "Priority": "High",
                "Description": _task_description(state),
            } | ({"OwnerId": owner} if (owner := services.approver_user(runtime.context, role)) else {}),
        )],
    )
    results = services.salesforce(runtime.context).apply(plan)
    _record_decision(state, "policy", "ask_human", automatic=True, reasons=review.approval.reasons, role=role)
    audit_trail.record_plan(plan, results, "approval", audit_trail.run_refs(state))
    return {"approval_task_id": results[0].id, "status": "awaiting_approval",
            "log": [*log, f"approval: waiting for {role}; Salesforce Task {results[0].id}"]}


def await_decision(state: RunState) -> dict[str, Any]:
    """Interrupt with the request; a resume that does not validate is refused and nothing changes."""
    response = ask_for_decision(approval_request(state).model_dump())
    if isinstance(response, str):  # nothing changes; the supervisor asks again
        return {"log": [f"approval: resume refused ({response}); still waiting"]}
    decision = response.decisions[0]
    _record_decision(state, response.reviewer, decision.type, message=decision.message)
    if decision.type == "edit":
        return _apply_edit(state, decision.edited_action.args if decision.edited_action else {}, response)
    return {
        "decision": Decision(type=decision.type, by=response.reviewer, message=decision.message),
        "status": "approved" if decision.type == "approve" else state.status,
        "log": [f"approval: {decision.type} by {response.reviewer}" + (f": {decision.message}"
                                                                        if decision.message else "")],
    }


def _apply_edit(state: RunState, args: dict[str, Any], response: ApprovalResponse) -> dict[str, Any]:
    """Edited attributes replace the draft's; validation and review run again before anything launches.

    `attr` edits the primary document; `template.attr` (e.g. `dpa.breachNotificationHours`) an addendum.
    """
    assert state.draft is not None
    documents = {d.template_key: d for d in state.draft.documents}
    primary = state.draft.primary.template_key
    edits: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name, value in args.items():
        key, _, attr = name.rpartition(".")
        key = key or primary
        if key not in documents:
            problems.append(f"{name}: the draft has no {key} document")
            continue
        edits.setdefault(key, {})[attr] = value
    updated = []
    templates = load_templates()
    for document in state.draft.documents:
        changes = edits.get(document.template_key)
        if not changes:
            updated.append(document)
            continue
        attributes = dict(document.attributes)
        for attr, value in changes.items():
            attributes[attr] = AttributeValue(value=value, source=f"{EDITED_BY}{response.reviewer}")
        template = templates[document.template_key]
        values = {k: v.value for k, v in attributes.items()}
        try:
            for phrase_id, text in template.derive_phrases(values).items():
                attributes[phrase_id] = AttributeValue(value=text, source="phrase after edit")
        except ValueError as exc:
            problems.append(str(exc))
        problems += [f"{document.template_key}: {p}" for p in validate_attributes(
            template, {k: v.value for k, v in attributes.items()})]
        updated.append(document.model_copy(update={"attributes": attributes}))
    if problems:
        # An invalid edit changes nothing; the same request is shown again.
        return {"log": [f"approval: edit by {response.reviewer} refused: {'; '.join(problems)}"]}
    draft, notes = redraft_for_edits(state.draft.model_copy(update={"documents": updated}),
                                     edits.get(primary, {}), response.reviewer)
    return {"draft": draft, "review": None, "decision": None, "status": "drafted",
            "log": [f"approval: edited by {response.reviewer} ({', '.join(sorted(args))}); re-reviewing",
                    *(f"approval: {note}" for note in notes)]}


def _record_decision(state: RunState, by: str, decision: str, **details: Any) -> None:
    audit_trail.record("decision", state.correlation_id, "contractloop", actor=by, subject="launch approval",
                       refs=audit_trail.run_refs(state), payload={"decision": decision, **details})


def approval_request(state: RunState) -> ApprovalRequest:
    assert state.draft is not None and state.review is not None
    draft, review = state.draft, state.review
    return ApprovalRequest(
        action_requests=[ActionRequest(
            name=LAUNCH_ACTION,
            args={"templates": [d.template_key for d in draft.documents],
                  "attributes": draft.primary.launch_attributes(),
                  "addenda": {d.template_key: d.launch_attributes() for d in draft.documents[1:]},
                  "clauses": [f"{c.clause_id} v{c.version}" for c in draft.drafted_clauses]},
            description=f"Launch the {' + '.join(d.template_key for d in draft.documents)} workflow(s) in Ironclad "
                        f"for {state.bundle.name if state.bundle else state.task.opportunity_id}.\n{review.summary()}",
        )],
        review_configs=[ReviewConfig(action_name=LAUNCH_ACTION, allowed_decisions=["approve", "edit", "reject"])],
        opportunity_id=state.task.opportunity_id or "",
        correlation_id=state.correlation_id,
        approver_role=review.approval.approver_role or "legal",
        risk_score=review.assessment.score,
        risk_summary=review.summary(),
        salesforce_task_id=state.approval_task_id,
    )


def _task_description(state: RunState) -> str:
    assert state.review is not None and state.draft is not None
    lines = [
        f"contractloop run {state.correlation_id} needs a decision before the Ironclad workflow launches.",
        f"Templates: {' + '.join(d.template_key for d in state.draft.documents)} "
        f"({' '.join(state.draft.selection.reasons)})",
        state.review.summary(),
        "Decide with POST /flow/approvals (approve, edit or reject) or in LangGraph Studio.",
    ]
    return "\n".join(lines)[:32000]


def build_approval() -> Any:
    return approval_gate


def build_await_decision() -> Any:
    return await_decision
