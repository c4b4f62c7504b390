"""The renewal planner's step: read the contracts on file, plan each as of the task's date, keep the plans
that would change something. Nothing is written here: the writes wait for the renewal gate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from langgraph.runtime import Runtime

from agents.renewal_planner.portfolio import read_portfolio
from agents.renewal_planner.scan import plan_all
from playbook_store.loader import load_renewal_rules
from runtime import context as services
from runtime.context import Context
from runtime.renewals import RenewalRun
from runtime.state import RunState

# A contract just synced has its renewal planned whenever it falls due, as CPQ's renewal forecast creates the
# renewal Opportunity when a contract is activated; the scans keep it current from then on.
AFTER_SYNC_HORIZON_DAYS = 3660


def synced_insight_key(state: RunState) -> str | None:
    """The contract insight an executed-contract run's write plan upserts (its external key)."""
    plan = state.contract.plan if state.contract is not None else None
    return next((op.external_id for op in plan.operations if op.sobject == "Contract_Insight__c"), None) \
        if plan is not None else None


def plan_renewals(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    """A scan (`plan_renewals`), one contract (`plan_renewal`), or the contract an executed-contract run just
    wrote (its renewal planned with the new terms, as of today, over the default horizon)."""
    task = state.task
    keys, horizon_days, as_of = task.contract_keys, task.horizon_days, task.as_of or date.today()
    if task.kind == "extract_executed_contract":
        key, horizon_days = synced_insight_key(state), AFTER_SYNC_HORIZON_DAYS
        if key is None:
            return {"renewals": RenewalRun(as_of=as_of, horizon_days=horizon_days, contracts=0),
                    "log": ["renewal_planner: the write plan holds no contract insight; nothing to plan"]}
        keys = [key]
    salesforce = services.salesforce(runtime.context)
    plans = plan_all(salesforce, read_portfolio(salesforce, insight_keys=keys), as_of,
                     timedelta(days=horizon_days), load_renewal_rules(), state.correlation_id)
    changing = [p for p in plans if p.changes]
    run = RenewalRun(as_of=as_of, horizon_days=horizon_days, contracts=len(plans), plans=changing)
    return {"renewals": run, "status": "planned",
            "log": [f"renewal_planner: {len(plans)} contract(s) as of {as_of.isoformat()}, {len(changing)} with "
                    f"changes, {len(run.held)} held for approval"]}


def build_renewal_planner() -> Any:
    return plan_renewals
