"""Salesforce reads for a model: the deal in one query, and an object's field list.

Contact names, emails and the owner are left out: a model needs the deal's shape, not personal data.
"""

from __future__ import annotations

import json
from typing import Any

from langchain.tools import ToolRuntime, tool

from agents.agent_tools.tool_context import ToolContext, ToolUnavailable

DESCRIBABLE = frozenset({"Opportunity", "Account", "OpportunityLineItem", "Contract_Terms__c", "Contract_Obligation__c"})
MAX_FIELDS = 120


def _salesforce(runtime: ToolRuntime[ToolContext]) -> Any:
    if runtime.context is None or runtime.context.salesforce is None:
        raise ToolUnavailable("no Salesforce client in this run")
    return runtime.context.salesforce


@tool
def read_opportunity(runtime: ToolRuntime[ToolContext]) -> str:
    """Read this run's Opportunity: stage, amount, term, region, deal type, special terms, line items, the primary
    quote, and the contact roles (roles only). Takes no arguments; the Opportunity is the one being drafted."""
    context = runtime.context
    if context is None or not context.opportunity_id:
        raise ToolUnavailable("this run has no Opportunity")
    bundle = _salesforce(runtime).read_opportunity_bundle(context.opportunity_id)
    view = bundle.model_dump(mode="json", exclude={"owner_name", "owner_email", "contacts", "last_modified"})
    view["account"] = {k: v for k, v in view["account"].items() if not k.startswith("billing_street")}
    view["contact_roles"] = [{"role": c.role, "title": c.title, "is_primary": c.is_primary} for c in bundle.contacts]
    return json.dumps(view)


@tool
def describe_fields(sobject: str, runtime: ToolRuntime[ToolContext]) -> str:
    """List the fields of a Salesforce object (name, label, type, picklist values). `sobject` is one of
    Opportunity, Account, OpportunityLineItem, Contract_Terms__c, Contract_Obligation__c."""
    if sobject not in DESCRIBABLE:
        return json.dumps({"error": f"{sobject!r} is not describable here; use one of {sorted(DESCRIBABLE)}"})
    described = _salesforce(runtime).describe(sobject)
    fields = [{"name": f.get("name"), "label": f.get("label"), "type": f.get("type"),
               **({"picklist": [p.get("value") for p in f.get("picklistValues") or []]}
                  if f.get("picklistValues") else {})}
              for f in described.get("fields", [])[:MAX_FIELDS]]
    return json.dumps({"sobject": sobject, "fields": fields})
