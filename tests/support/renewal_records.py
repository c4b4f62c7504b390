"""Contract insights put on file as the sync writes them, and the renewals the planner keeps for them."""

from __future__ import annotations

from typing import Any

from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from sandbox.stack import SandboxStack
from tests.fixtures.loop import Loop
from tools.salesforce import SalesforceClient
from tools.write_plan import WriteOp, WritePlan


def insight_on_file(loop: Loop, name: str, **terms: Any) -> str:
    """A deal, and the contract insight the sync would have written for its executed contract."""
    return insight_in_org(loop.stack, loop.salesforce, name, **terms)


def insight_in_org(stack: SandboxStack, salesforce: SalesforceClient, name: str, **terms: Any) -> str:
    opp_id = create_deal(stack.salesforce.store, DealSpec(account_name=name, region="NA",
                                                          lines=[LineSpec(product_code="PLT-STD", quantity=5)]))
    opp = salesforce.get("Opportunity", opp_id)
    fields = {"Opportunity__c": opp_id, "Account__c": opp["AccountId"], "Currency__c": "USD", **terms}
    key = f"ironclad-test-{opp_id}"
    salesforce.apply(WritePlan(correlation_id="test-insight", operations=[
        WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=key, fields=fields)]))
    return str(salesforce.query(f"SELECT Id FROM Contract_Insight__c WHERE External_Key__c = '{key}'")[0]["Id"])


def renewals_of(loop: Loop, insight_id: str) -> list[dict[str, Any]]:
    return loop.salesforce.query(
        "SELECT Id, Name, StageName, CloseDate, Amount, Type, ForecastCategoryName, Notice_Deadline__c, "
        "Renewal_Likelihood__c, Renewal_Likelihood_Reasons__c, Renewal_Of__c, Contractloop_Correlation_Id__c "
        f"FROM Opportunity WHERE Contract_Insight__c = '{insight_id}'")
