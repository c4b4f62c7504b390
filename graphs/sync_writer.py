"""Applying an approved write plan: ONE Composite call, or none when Salesforce already matches."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import RunState
from tools.rollout_plan import narrow_plan


def apply_plan(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    contract = state.contract
    assert contract is not None and contract.plan is not None and state.decision is not None
    if state.decision.type == "reject":
        return {"status": "rejected", "log": [f"crm_writer: nothing written (rejected by {state.decision.by}: "
                                              f"{state.decision.message})"]}
    if not contract.changes:
        return {"status": "completed", "log": ["crm_writer: Salesforce already holds these terms; nothing written"]}
    salesforce = services.salesforce(runtime.context)
    # The plan narrowed to what the rollout mode allows (read_only: the insight and its obligations, not the
    # Account or Opportunity fields), the rest recorded with the reason: the sync goes on instead of failing.
    plan, refused = narrow_plan(contract.plan, salesforce.rollout)
    audit_trail.record_refusals(state.correlation_id, refused, "crm_writer", audit_trail.run_refs(state))
    if plan is None:
        return {"status": "completed", "refusals": refused,
                "log": ["crm_writer: nothing written (the rollout mode refused every operation)"]}
    results = audit_trail.apply_recorded(salesforce, plan, "crm_writer", audit_trail.run_refs(state))
    created = sum(1 for r in results if r.created)
    changes = [c for c in contract.changes if c.ref in {op.ref for op in plan.operations}]
    return {"contract": contract.model_copy(update={"results": results, "changes": changes}), "status": "completed",
            "refusals": refused,
            "log": [f"crm_writer: {len(changes)} field changes written in one call "
                    f"({created} records created, {len(results) - created} updated)"
                    + (f"; {len(refused)} operation(s) refused by the rollout mode" if refused else "")]}


def build_sync_writer() -> Any:
    return apply_plan
