"""After the decision: launch the approved documents in Ironclad, then ONE Composite write to Salesforce.

Side effects happen only here, after approval, and both are idempotent: the launch is keyed by the
Opportunity (a retry, or another run for the same deal, finds the workflow already launched), and the write
is an update plus upserts. A write-back that fails on a transient Salesforce error is retried by this run.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agents.drafter.workflow_fields import workflow_fields, workflow_link
from graphs.approval_node import approval_task_key
from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import Launch, RunState
from runtime.transient_retry import TRANSIENT_RETRY
from tools.ironclad.idempotent import opportunity_launch_key
from tools.rollout_plan import narrow_plan
from tools.write_plan import WriteOp, WritePlan

SUMMARY_LIMIT = 32000
STATUS_LIMIT = 64  # Opportunity.Ironclad_Status__c


def launch_key(state: RunState, template_key: str) -> str:
    """One agreement per Opportunity; an addendum (e.g. the DPA) is keyed by its template beside it."""
    assert state.draft is not None and state.task.opportunity_id
    primary = state.draft.primary.template_key
    return opportunity_launch_key(state.task.opportunity_id, None if template_key == primary else template_key)


def launch(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Launch every approved document; the primary's workflow is the one the Opportunity links to."""
    assert state.draft is not None and state.decision is not None
    ironclad = services.ironclad(runtime.context)
    templates = [d.template_key for d in state.draft.documents]
    # The rollout is checked here, where launches happen, whatever decided: read_only and out-of-pilot deals
    # are not launched (the run ends not_launched, saying why); in assisted mode an automatic approval is
    # refused outright (the approval gate always asks a person there, so only a bypass gets this far).
    refusal = ironclad.rollout.launch_refusal(templates)
    if refusal:
        new = [] if refusal in state.refusals else [refusal]  # the approval gate may have refused it already
        audit_trail.record_refusals(state.correlation_id, new, "publisher", audit_trail.run_refs(state))
        return {"status": "not_launched", "refusals": new,
                "log": [f"publisher: {refusal}"]}
    if state.decision.type != "approve":
        return {}
    ironclad.rollout.check_launch(templates, automatic=state.decision.automatic)
    launches: list[Launch] = []
    for document in state.draft.documents:
        result = ironclad.launch_workflow_idempotent(document.template_id, document.launch_attributes(),
                                                     key=launch_key(state, document.template_key))
        wf = result.workflow
        launches.append(Launch(workflow_id=wf.id, ironclad_id=wf.ironclad_id, template_key=document.template_key,
                               link=workflow_link(ironclad.base_url, wf.id), status=wf.step, created=result.created))
        audit_trail.record("ironclad_launch", state.correlation_id, "ironclad", actor="publisher", subject=wf.id,
                           refs=[state.task.opportunity_id, wf.id],
                           payload={"template": document.template_key, "ironclad_id": wf.ironclad_id,
                                    "created": result.created, "step": wf.step,
                                    "decided_by": state.decision.by})
    lines = [f"publisher: {ln.template_key} workflow {ln.ironclad_id} ({ln.workflow_id}) "
             f"{'launched' if ln.created else 'already existed'}, step {ln.status}" for ln in launches]
    return {"launch": launches[0], "addenda": launches[1:], "log": lines}


def write_back(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One Composite call: the Opportunity's workflow fields and risk summary, and the approval Task closed."""
    assert state.review is not None and state.decision is not None and state.bundle is not None
    not_launched = state.status == "not_launched"
    approved = state.decision.type == "approve" and not not_launched
    fields: dict[str, Any] = {
        "Contract_Risk_Summary__c": _summary(state)[:SUMMARY_LIMIT],
        "Contract_Risk_Score__c": state.review.assessment.score,
    }
    if approved:
        assert state.launch is not None
        fields |= workflow_fields(state.launch)
    elif not_launched:  # where the Opportunity's status normally goes: why nothing was launched
        reason = state.refusals[-1] if state.refusals else "not launched"
        fields["Ironclad_Status__c"] = ("Not launched" + reason.removeprefix("not launched")[:STATUS_LIMIT])[
            :STATUS_LIMIT]
    else:
        fields["Ironclad_Status__c"] = "Rejected"
    ops = [WriteOp(ref="opportunity", action="update", sobject="Opportunity", record_id=state.bundle.id,
                   fields=fields)]
    if state.approval_task_id:
        ops.append(WriteOp(ref="approvalTask", action="upsert", sobject="Task", external_id=approval_task_key(state),
                           fields={"Status": "Completed",
                                   "Description": f"Decision: {state.decision.type} by {state.decision.by}."
                                                  + (f"\n{state.decision.message}" if state.decision.message else "")}))
    plan = WritePlan(correlation_id=state.correlation_id, operations=ops,
                     summary="launch outcome" if approved else "not launched" if not_launched else "rejection")
    salesforce = services.salesforce(runtime.context)
    allowed, refused = narrow_plan(plan, salesforce.rollout)  # read_only: the Opportunity is not written
    if allowed is not None:
        audit_trail.apply_recorded(salesforce, allowed, "publisher", audit_trail.run_refs(state))
    audit_trail.record_refusals(state.correlation_id, refused, "publisher", audit_trail.run_refs(state))
    status = "launched" if approved else "not_launched" if not_launched else "rejected"
    written = f"Opportunity {state.bundle.id} updated ({status}) in one call" if allowed is not None else \
        f"nothing written to Salesforce ({status}; the rollout mode refused it)"
    return {"status": status, "refusals": refused, "log": [f"publisher: {written}"]}


def _summary(state: RunState) -> str:
    assert state.review is not None and state.decision is not None and state.draft is not None
    decision = state.decision
    lines = [state.review.summary()]
    lines.append(f"Template: {' + '.join(d.template_key for d in state.draft.documents)} "
                 f"({' '.join(state.draft.selection.reasons)})")
    if state.draft.drafted_clauses:
        lines.append("Clauses: " + ", ".join(f"{c.clause_id} v{c.version}" for c in state.draft.drafted_clauses))
    if state.status == "not_launched" and state.refusals:
        lines.append(f"Rollout: {state.refusals[-1]}")
    lines.append(f"Decision: {decision.type} by {decision.by}" + (" (automatic)" if decision.automatic else "")
                 + (f": {decision.message}" if decision.message else ""))
    for addendum in state.addenda:
        lines.append(f"Addendum {addendum.template_key}: workflow {addendum.ironclad_id} {addendum.link}")
    if state.review.narrative:
        lines.append(f"Reviewer note: {state.review.narrative}")
    lines.append(f"contractloop correlation id: {state.correlation_id}")
    return "\n".join(lines)


def build_publisher() -> Any:
    builder = StateGraph(RunState, context_schema=Context)
    builder.add_node("launch", launch)
    builder.add_node("write_back", write_back, retry_policy=TRANSIENT_RETRY)
    builder.add_edge(START, "launch")
    builder.add_edge("launch", "write_back")
    builder.add_edge("write_back", END)
    return builder.compile(name="publisher")
