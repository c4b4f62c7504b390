"""The renewal planner's step: read the contracts on file, plan each as of the task's date, keep the plans
that would change something. Nothing is written here: the writes wait for the renewal gate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.runtime import Runtime

from agents.renewal_planner.explanation import explain, explains_anew, with_explanation
from agents.renewal_planner.portfolio import read_portfolio
from agents.renewal_planner.scan import plan_all
from playbook_store.loader import load_renewal_rules
from runtime import context as services
from runtime.context import Context
from runtime.renewals import RenewalPlan, RenewalRun
from runtime.state import RunState

# A contract just synced has its renewal planned whenever it falls due, as CPQ's renewal forecast creates the
# renewal Opportunity when a contract is activated; the scans keep it current from then on.
AFTER_SYNC_HORIZON_DAYS = 3660
# Model explanations per run: each is one agent run (two model calls or more).
MAX_EXPLAINED = 50


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
    log: list[str] = []
    model = services.model(runtime.context)
    if model is not None:
        changing, log = _explained(model, changing)
    run = RenewalRun(as_of=as_of, horizon_days=horizon_days, contracts=len(plans), plans=changing)
    return {"renewals": run, "status": "planned",
            "log": [f"renewal_planner: {len(plans)} contract(s) as of {as_of.isoformat()}, {len(changing)} with "
                    f"changes, {len(run.held)} held for approval", *log]}


def _explained(model: BaseChatModel, plans: list[RenewalPlan]) -> tuple[list[RenewalPlan], list[str]]:
    """The model explains the likelihood of the plans whose reasons change, up to `MAX_EXPLAINED` a run (a large
    scan's others keep the reasons alone until a later run explains them)."""
    due = [i for i, p in enumerate(plans) if explains_anew(p)][:MAX_EXPLAINED]
    refused: list[str] = []  # why, per refused explanation (the audit log keeps it)
    for i in due:
        text, problems = explain(model, plans[i])
        if text is None:
            refused.append(f"{plans[i].contract.insight_id}: {'; '.join(problems)}")
            continue
        plans[i] = with_explanation(plans[i], text)
    if not due:
        return plans, []
    note = f"; {len(refused)} explanation(s) refused, the reasons stand alone ({' | '.join(refused)})" \
        if refused else ""
    return plans, [f"renewal_planner: the model explained {len(due) - len(refused)} likelihood(s){note}"]


def build_renewal_planner() -> Any:
    return plan_renewals
