"""Before drafting: does this Opportunity already have a live agreement in Ironclad?

Ironclad is the source of truth, not the Opportunity's Ironclad_Workflow_Id__c: a write-back that failed
(a row lock, an outage) leaves Salesforce blank while the workflow is live, and a person may have cancelled
a workflow that Salesforce still names. So we look the agreement up by the Opportunity's launch key (and
by the id Salesforce holds, for one launched before keys were per Opportunity or by hand). A live one ends
the run as `launched` with that workflow, and Salesforce is told about it if it does not know; no second
draft, no second approval, no second workflow.
"""

from __future__ import annotations

from typing import Any

from agents.drafter.workflow_fields import workflow_fields, workflow_link
from playbook_store.templates import template_by_id
from runtime import audit_trail
from runtime.state import Launch
from tools.ironclad.client import IroncladClient
from tools.ironclad.errors import IroncladNotFoundError
from tools.ironclad.idempotent import find_standing, opportunity_launch_key
from tools.ironclad.models import Workflow
from tools.salesforce.client import SalesforceClient
from tools.salesforce.models import OpportunityBundle
from tools.write_plan import WriteOp, WritePlan


def live_workflow(ironclad: IroncladClient, bundle: OpportunityBundle) -> Workflow | None:
    keyed = find_standing(ironclad, opportunity_launch_key(bundle.id))
    if keyed is not None:
        return keyed
    if bundle.ironclad_workflow_id:
        try:
            named = ironclad.get_workflow(bundle.ironclad_workflow_id)
        except IroncladNotFoundError:
            return None
        return named if named.status != "cancelled" else None
    return None


def adopt_workflow(salesforce: SalesforceClient, ironclad: IroncladClient, bundle: OpportunityBundle,
                   workflow: Workflow, correlation_id: str) -> dict[str, Any]:
    """The run's outcome for an Opportunity whose agreement exists: that workflow, recorded in Salesforce."""
    launch = Launch(workflow_id=workflow.id, ironclad_id=workflow.ironclad_id,
                    template_key=template.key if (template := template_by_id(workflow.template)) else workflow.template,
                    link=workflow_link(ironclad.base_url, workflow.id), status=workflow.step, created=False)
    log = [f"drafter: Opportunity {bundle.id} already has Ironclad workflow {workflow.ironclad_id} "
           f"({workflow.id}, {workflow.status}); nothing drafted or launched"]
    if bundle.ironclad_workflow_id != workflow.id:
        plan = WritePlan(correlation_id=correlation_id, summary="existing workflow recorded", operations=[
            WriteOp(ref="opportunity", action="update", sobject="Opportunity", record_id=bundle.id,
                    fields=workflow_fields(launch))])
        refusal = salesforce.rollout.write_refusal("Opportunity", workflow_fields(launch))
        if refusal:  # read_only: the workflow is adopted in the run, not recorded on the Opportunity
            audit_trail.record_refusals(correlation_id, [refusal], "drafter", [bundle.id, workflow.id])
            return {"bundle": bundle, "launch": launch, "status": "launched", "refusals": [refusal], "log": log}
        audit_trail.apply_recorded(salesforce, plan, "drafter", [bundle.id, workflow.id])
        log.append(f"drafter: Salesforce did not hold workflow {workflow.id}; recorded it on the Opportunity")
    return {"bundle": bundle, "launch": launch, "status": "launched", "log": log}
