"""The renewal gate: plans the playbook holds (a high value, terms that were reviewed at sync) wait for a
person; the rest go through. Then the writer sends them in bulk.

The interrupt is the same human-in-the-loop shape as the other approvals: approve writes the held plans too,
reject writes only those nobody had to approve. A resume that does not validate is refused.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel

from agents.renewal_planner.scan import write_plans
from core.approval_schemas import ActionRequest, ReviewConfig
from graphs.approval import ask_for_decision
from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import Decision, RunState

APPLY_ACTION = "write_renewal_plans"
AUTO_APPLIER = "policy:auto-apply"


class RenewalReviewRequest(BaseModel):
    action_requests: list[ActionRequest]
    review_configs: list[ReviewConfig]
    correlation_id: str
    held: list[dict[str, Any]]


def renewal_gate(state: RunState) -> dict[str, Any]:
    run = state.renewals
    assert run is not None
    if not run.held:
        return {"renewal_decision": Decision(type="approve", by=AUTO_APPLIER, automatic=True,
                                     message="no renewal the playbook holds for approval"),
                "status": "approved", "log": ["renewal_review: written without review (policy)"]}
    return {"status": "awaiting_approval",
            "log": [f"renewal_review: waiting: {len(run.held)} renewal(s) held for approval"]}


def review_request(state: RunState) -> RenewalReviewRequest:
    run = state.renewals
    assert run is not None
    held = [{"insight_id": p.contract.insight_id, "account": p.contract.account_name, "outcome": p.outcome,
             "reasons": p.approval_reasons, "amount": str(p.amount) if p.amount is not None else None,
             "changes": [c.model_dump(mode="json") for c in p.changes]} for p in run.held]
    return RenewalReviewRequest(
        action_requests=[ActionRequest(
            name=APPLY_ACTION, args={"held": held},
            description=f"Write {len(held)} renewal plan(s) the playbook holds for approval (renewal Opportunity, "
                        "quote, deadline Tasks and Event, email sequence). Reject writes only the others.")],
        review_configs=[ReviewConfig(action_name=APPLY_ACTION, allowed_decisions=["approve", "reject"])],
        correlation_id=state.correlation_id, held=held)


def await_renewal_decision(state: RunState) -> dict[str, Any]:
    response = ask_for_decision(review_request(state).model_dump())
    if isinstance(response, str):
        return {"log": [f"renewal_review: resume refused ({response}); still waiting"]}
    decision = response.decisions[0]
    if decision.type == "edit":
        return {"log": ["renewal_review: edits are not taken here (approve or reject); still waiting"]}
    return {"renewal_decision": Decision(type=decision.type, by=response.reviewer, message=decision.message),
            "status": "approved", "log": [f"renewal_review: {decision.type} by {response.reviewer}"]}


def write_renewals(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    run, decision = state.renewals, state.renewal_decision
    assert run is not None and decision is not None
    rollout = services.salesforce(runtime.context).rollout
    refused = sorted({reason for plan in run.plans if plan.plan for op in plan.plan.operations
                      if (reason := rollout.write_refusal(op.sobject))})
    if refused:  # read_only: renewals are planned (shown in the run) but nothing of them is written
        refusals = [f"renewal plans: {r}" for r in refused]
        audit_trail.record_refusals(state.correlation_id, refusals, "renewal_writer")
        return {"status": "completed", "refusals": refusals,
                "log": [f"renewal_writer: nothing written ({len(run.plans)} plan(s); the rollout mode refused them)"]}
    approved_held = decision.type == "approve" and not decision.automatic
    written, failures, calls = write_plans(services.salesforce(runtime.context), run.plans, approved_held)
    updated = run.model_copy(update={"written": written,
                                     "failures": [f"{f.sobject} {f.contract} {f.ref}: {f.errors}" for f in failures]})
    return {"renewals": updated, "status": "failed" if failures else "completed",
            "error": f"{len(failures)} renewal record(s) failed" if failures else None,
            "log": [f"renewal_writer: {written} renewal plan(s) written in {calls} call(s)"
                    + ("" if approved_held or not run.held else f"; {len(run.held)} held plan(s) not written")]}


def build_renewal_gate() -> Any:
    return renewal_gate


def build_await_renewal_decision() -> Any:
    return await_renewal_decision


def build_renewal_writer() -> Any:
    return write_renewals
