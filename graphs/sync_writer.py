"""Applying an approved write plan: ONE Composite call, or none when Salesforce already matches."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import RunState


def apply_plan(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    contract = state.contract
    assert contract is not None and contract.plan is not None and state.decision is not None
    if state.decision.type == "reject":
        return {"status": "rejected", "log": [f"crm_writer: nothing written (rejected by {state.decision.by}: "
                                              f"{state.decision.message})"]}
    if not contract.changes:
        return {"status": "completed", "log": ["crm_writer: Salesforce already holds these terms; nothing written"]}
    results = services.salesforce(runtime.context).apply(contract.plan)
    audit_trail.record_plan(contract.plan, results, "crm_writer", audit_trail.run_refs(state))
    created = sum(1 for r in results if r.created)
    return {"contract": contract.model_copy(update={"results": results}), "status": "completed",
            "log": [f"crm_writer: {len(contract.changes)} field changes written in one call "
                    f"({created} records created, {len(results) - created} updated)"]}


def build_sync_writer() -> Any:
    return apply_plan
