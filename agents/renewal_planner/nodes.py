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


def plan_renewals(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    task = state.task
    as_of = task.as_of or date.today()
    salesforce = services.salesforce(runtime.context)
    plans = plan_all(salesforce, read_portfolio(salesforce, insight_keys=task.contract_keys), as_of,
                     timedelta(days=task.horizon_days), load_renewal_rules(), state.correlation_id)
    changing = [p for p in plans if p.changes]
    run = RenewalRun(as_of=as_of, horizon_days=task.horizon_days, contracts=len(plans), plans=changing)
    return {"renewals": run, "status": "planned",
            "log": [f"renewal_planner: {len(plans)} contract(s) as of {as_of.isoformat()}, {len(changing)} with "
                    f"changes, {len(run.held)} held for approval"]}


def build_renewal_planner() -> Any:
    return plan_renewals
