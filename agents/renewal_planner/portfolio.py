"""The executed contracts on file in Salesforce, read in bulk for renewal planning.

One SOQL query (and its `queryMore` pages, one API call per page) over the contract insights the sync wrote:
their terms, the account's signals and name by path, and as child subqueries the renewal Opportunity the
planner keeps for each, with the planner's Tasks and Events on it. So a scan over any number of contracts
costs a call per page, and the plan for each can be shown as a diff against what Salesforce holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from agents.extractor.context import ACTIVITY_FIELDS, EVENT_FIELDS
from runtime.renewals import ContractOnFile
from tools.salesforce.soql_rows import child_records, own_fields, soql_string

RENEWAL_FIELDS = ("Id, Contractloop_Renewal_Key__c, Name, AccountId, StageName, CloseDate, Amount, Type, "
                  "ForecastCategoryName, Renewal_Of__c, Contract_Insight__c, Renewal_Likelihood__c, "
                  "Renewal_Likelihood_Reasons__c, Notice_Deadline__c, OwnerId")
KEY_PREFIX = "renewal:"
CLOSED_STAGES = ("Closed Won", "Closed Lost")
PORTFOLIO_QUERY = (
    "SELECT Id, External_Key__c, Opportunity__c, Account__c, Effective_Date__c, Expiration_Date__c, "
    "Initial_Term_Months__c, Auto_Renewal__c, Renewal_Term_Months__c, Notice_Period_Days__c, "
    "Termination_For_Convenience__c, Total_Contract_Value__c, Currency__c, Needs_Review__c, "
    "Opportunity__r.Name, Opportunity__r.OwnerId, Opportunity__r.Amount, Account__r.Name, "
    "Account__r.Open_Support_Cases__c, Account__r.Usage_Trend__c, Account__r.Days_Payment_Late_Avg__c, "
    f"(SELECT {RENEWAL_FIELDS}, "
    f"(SELECT {ACTIVITY_FIELDS} FROM Tasks WHERE Contractloop_Key__c LIKE '{KEY_PREFIX}%'), "
    f"(SELECT {EVENT_FIELDS} FROM Events WHERE Contractloop_Key__c LIKE '{KEY_PREFIX}%') "
    "FROM Renewal_Opportunities__r) "
    "FROM Contract_Insight__c{where} ORDER BY Id"
)


class Querying(Protocol):
    def iter_query(self, soql: str) -> Iterator[dict[str, Any]]: ...


def parse_contract(row: dict[str, Any]) -> ContractOnFile:
    opportunity, account = row.get("Opportunity__r") or {}, row.get("Account__r") or {}
    renewals = [r for r in child_records(row, "Renewal_Opportunities__r")
                if str(r.get("Contractloop_Renewal_Key__c") or "").startswith(KEY_PREFIX)]
    # The renewal being worked is the open one (else the latest); earlier cycles are closed, and counted.
    open_ = [r for r in renewals if r.get("StageName") not in CLOSED_STAGES]
    closed = [r for r in renewals if r.get("StageName") in CLOSED_STAGES]
    renewal = open_[0] if open_ else (max(closed, key=lambda r: str(r.get("CloseDate"))) if closed else None)
    cases = account.get("Open_Support_Cases__c")
    return ContractOnFile(
        insight_id=row["Id"], insight_key=row.get("External_Key__c") or row["Id"],
        opportunity_id=row.get("Opportunity__c"), opportunity_name=opportunity.get("Name"),
        owner_id=opportunity.get("OwnerId"), opportunity_amount=opportunity.get("Amount"),
        account_id=row.get("Account__c"), account_name=account.get("Name"),
        effective_date=row.get("Effective_Date__c"), expiration_date=row.get("Expiration_Date__c"),
        initial_term_months=row.get("Initial_Term_Months__c"), auto_renewal=bool(row.get("Auto_Renewal__c")),
        renewal_term_months=row.get("Renewal_Term_Months__c"), notice_period_days=row.get("Notice_Period_Days__c"),
        termination_for_convenience=bool(row.get("Termination_For_Convenience__c")),
        total_contract_value=row.get("Total_Contract_Value__c"), currency=row.get("Currency__c"),
        needs_review=bool(row.get("Needs_Review__c")),
        open_support_cases=int(cases) if cases is not None else None, usage_trend=account.get("Usage_Trend__c"),
        days_payment_late=account.get("Days_Payment_Late_Avg__c"),
        renewal=own_fields(renewal) if renewal else None,
        renewals_closed=len(closed) - (0 if open_ or not closed else 1),
        tasks={t["Contractloop_Key__c"]: own_fields(t) for t in child_records(renewal, "Tasks")},
        events={e["Contractloop_Key__c"]: own_fields(e) for e in child_records(renewal, "Events")},
    )


def read_portfolio(salesforce: Querying, insight_ids: list[str] | None = None,
                   insight_keys: list[str] | None = None) -> Iterator[ContractOnFile]:
    """Every contract insight on file (or those named by Id or by external key), page by page."""
    where = ""
    for field, values in (("Id", insight_ids), ("External_Key__c", insight_keys)):
        if values is None:
            continue
        if not values:
            return
        quoted = ", ".join("'" + soql_string(v) + "'" for v in values)
        where = f" WHERE {field} IN ({quoted})"
    for row in salesforce.iter_query(PORTFOLIO_QUERY.format(where=where)):
        yield parse_contract(row)
