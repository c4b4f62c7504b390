"""Review of an executed contract's write plan before it reaches Salesforce.

Policy (agents/extractor/policy.py) lists reasons to look; with none, the plan is applied as is.
Otherwise the run interrupts with the dry-run diff in the LangChain v1 human-in-the-loop shape: approve,
edit (field values by `Object.Field`, re-checked), or reject. A resume that does not validate is refused.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel

from core.approval_schemas import ActionRequest, ReviewConfig
from graphs.approval import ask_for_decision
from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import Decision, ExecutedContract, RunState
from tools.write_plan import check_allowed, diff

APPLY_ACTION = "apply_salesforce_write_plan"
AUTO_APPLIER = "policy:auto-apply"


class PlanReviewRequest(BaseModel):
    action_requests: list[ActionRequest]
    review_configs: list[ReviewConfig]
    workflow_id: str
    record_id: str | None
    opportunity_id: str | None
    correlation_id: str
    reasons: list[str]
    changes: list[dict[str, Any]]


def plan_gate(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    contract = state.contract
    assert contract is not None
    if services.salesforce(runtime.context).rollout.needs_person and contract.changes:
        # assisted mode: a person looks at every write plan, whatever the sync policy would do
        reasons = [*contract.review_reasons, "Assisted mode: a person reviews every write plan."]
        return {"contract": contract.model_copy(update={"review_reasons": reasons}), "status": "awaiting_approval",
                "log": [f"plan_review: waiting (assisted mode): {' '.join(reasons)}"]}
    if not contract.review_reasons or not contract.changes:  # nothing to look at when nothing would change
        _record_decision(state, AUTO_APPLIER, "approve", automatic=True)
        return {"decision": Decision(type="approve", by=AUTO_APPLIER, automatic=True,
                                     message="no review reasons under the sync policy"),
                "status": "approved", "log": ["plan_review: applied without review (policy)"]}
    _record_decision(state, "policy", "ask_human", automatic=True, reasons=contract.review_reasons)
    return {"status": "awaiting_approval", "log": [f"plan_review: waiting: {' '.join(contract.review_reasons)}"]}


def _record_decision(state: RunState, by: str, decision: str, **details: Any) -> None:
    audit_trail.record("decision", state.correlation_id, "contractloop", actor=by, subject="write plan review",
                       refs=audit_trail.run_refs(state), payload={"decision": decision, **details})


def review_request(state: RunState) -> PlanReviewRequest:
    contract = state.contract
    assert contract is not None
    changes = [c.model_dump(mode="json") for c in contract.changes]
    return PlanReviewRequest(
        action_requests=[ActionRequest(
            name=APPLY_ACTION, args={"changes": changes},
            description=f"Write the terms of {contract.record_name or contract.record_id} to Salesforce "
                        f"({len(changes)} field changes). Review because: {' '.join(contract.review_reasons)}")],
        review_configs=[ReviewConfig(action_name=APPLY_ACTION, allowed_decisions=["approve", "edit", "reject"])],
        workflow_id=contract.workflow_id, record_id=contract.record_id, opportunity_id=contract.opportunity_id,
        correlation_id=state.correlation_id, reasons=contract.review_reasons, changes=changes)


def await_plan_decision(state: RunState) -> dict[str, Any]:
    response = ask_for_decision(review_request(state).model_dump())
    if isinstance(response, str):  # nothing changes; the supervisor asks again
        return {"log": [f"plan_review: resume refused ({response}); still waiting"]}
    decision = response.decisions[0]
    _record_decision(state, response.reviewer, decision.type, message=decision.message)
    if decision.type == "edit":
        return _apply_edit(state, decision.edited_action.args if decision.edited_action else {}, response.reviewer)
    approved = decision.type == "approve"
    return {**({"contract": _reviewed(state.contract, response.reviewer)} if approved else {}),
            "decision": Decision(type=decision.type, by=response.reviewer, message=decision.message),
            "status": "approved" if approved else state.status,
            "log": [f"plan_review: {decision.type} by {response.reviewer}"]}


def _reviewed(contract: ExecutedContract | None, reviewer: str) -> ExecutedContract | None:
    """The plan a person approved: the values were looked at, so the insight no longer needs review (and the
    renewal planned from it is not held for it again). An unreadable copy keeps its flag: nothing was read."""
    if contract is None or contract.plan is None or contract.document_error:
        return contract
    operations = [op.model_copy(deep=True) for op in contract.plan.operations]
    for op in operations:
        if op.sobject == "Contract_Insight__c" and op.fields.get("Needs_Review__c") is True:
            op.fields["Needs_Review__c"] = False
            op.citations["Needs_Review__c"] = f"reviewed by {reviewer}"
    plan = contract.plan.model_copy(update={"operations": operations})
    return contract.model_copy(update={"plan": plan, "changes": diff(plan, contract.current)})


def _apply_edit(state: RunState, args: dict[str, Any], reviewer: str) -> dict[str, Any]:
    """`Object.Field: value` edits replace the plan's values; the edited plan is applied as approved."""

    contract = state.contract
    assert contract is not None and contract.plan is not None
    operations = [op.model_copy(deep=True) for op in contract.plan.operations]
    problems = []
    for name, value in args.items():
        sobject, _, field = name.partition(".")
        targets = [op for op in operations if op.sobject == sobject]
        if not field or not targets:
            problems.append(f"{name}: the plan writes no {sobject or name} record")
            continue
        for op in targets:
            op.fields[field] = value
            op.citations[field] = f"edited by {reviewer}"
    plan = contract.plan.model_copy(update={"operations": operations})
    if not problems:
        try:
            check_allowed(plan)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        return {"log": [f"plan_review: edit by {reviewer} refused: {'; '.join(problems)}"]}
    updated = _reviewed(contract.model_copy(update={"plan": plan}), reviewer)
    return {"contract": updated, "decision": Decision(type="approve", by=reviewer, message="approved with edits"),
            "status": "approved", "log": [f"plan_review: edited by {reviewer} ({', '.join(sorted(args))})"]}


def build_plan_gate() -> Any:
    return plan_gate


def build_await_plan_decision() -> Any:
    return await_plan_decision
