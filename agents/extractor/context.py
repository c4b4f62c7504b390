"""Where an executed contract belongs in Salesforce, and what Salesforce holds for it today.

Read in ONE SOQL query on the Opportunity (account fields by path; the contract insight, its obligations,
and contractloop's Tasks and Events as child subqueries), so the write plan can be shown as a diff.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from tools.salesforce.soql_rows import child_records, own_fields, soql_string

INSIGHT_FIELDS = ("Id, External_Key__c, Opportunity__c, Account__c, Ironclad_Record_Id__c, Agreement_Date__c, "
                  "Effective_Date__c, Expiration_Date__c, Initial_Term_Months__c, Auto_Renewal__c, "
                  "Renewal_Term_Months__c, Notice_Period_Days__c, Termination_For_Convenience__c, Governing_Law__c, "
                  "Payment_Terms_Days__c, Total_Contract_Value__c, Currency__c, Liability_Cap__c, Citations__c, "
                  "Clauses_Present__c, Clauses__c, Needs_Review__c")
OBLIGATION_FIELDS = ("Id, External_Key__c, Contract_Insight__c, Account__c, Description__c, Obligated_Party__c, "
                     "Due_Date__c, Recurrence__c, Is_SLA__c, Citation__c")
ACTIVITY_FIELDS = "Id, Contractloop_Key__c, Subject, WhatId, OwnerId, ActivityDate, Status, Priority, Description"
EVENT_FIELDS = ("Id, Contractloop_Key__c, Subject, WhatId, OwnerId, ActivityDate, IsAllDayEvent, DurationInMinutes, "
                "Description")


class SalesforceSnapshot(BaseModel):
    """Current values of every record a contract's write plan may touch, keyed by external key."""

    opportunity: dict[str, Any] = Field(default_factory=dict)
    account: dict[str, Any] = Field(default_factory=dict)
    insight: dict[str, Any] | None = None
    obligations: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    events: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ContractContext(BaseModel):
    ironclad_record_id: str
    workflow_id: str | None = None
    opportunity_id: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    opportunity_amount: Decimal | None = None
    snapshot: SalesforceSnapshot = Field(default_factory=SalesforceSnapshot)

    @property
    def key(self) -> str:
        """Prefix of every external key this contract writes: re-running it upserts the same records."""
        return f"ironclad-{self.ironclad_record_id}"


def snapshot_query(opportunity_id: str, key: str) -> str:
    like = soql_string(key) + "%"
    return (
        "SELECT Id, Name, Amount, OwnerId, AccountId, Ironclad_Status__c, Ironclad_Workflow_Link__c, "
        "Contract_Risk_Summary__c, Account.Id, "
        "Account.Name, Account.Industry, Account.BillingCountry, "
        "Account.Contract_Expiration_Date__c, Account.Auto_Renewal__c, Account.Renewal_Notice_Days__c, "
        f"(SELECT {INSIGHT_FIELDS}, (SELECT {OBLIGATION_FIELDS} FROM Contract_Obligations__r) "
        f"FROM Contract_Insights__r WHERE External_Key__c = '{soql_string(key)}'), "
        f"(SELECT {ACTIVITY_FIELDS} FROM Tasks WHERE Contractloop_Key__c LIKE '{like}'), "
        f"(SELECT {EVENT_FIELDS} FROM Events WHERE Contractloop_Key__c LIKE '{like}') "
        f"FROM Opportunity WHERE Id = '{soql_string(opportunity_id)}'"
    )


def parse_snapshot(record: dict[str, Any]) -> SalesforceSnapshot:
    insights = child_records(record, "Contract_Insights__r")
    insight = insights[0] if insights else None
    return SalesforceSnapshot(
        opportunity=own_fields(record),
        account=own_fields(record.get("Account") or {}),
        insight=own_fields(insight) if insight else None,
        obligations={o["External_Key__c"]: own_fields(o) for o in child_records(insight or {}, "Contract_Obligations__r")},
        tasks={t["Contractloop_Key__c"]: own_fields(t) for t in child_records(record, "Tasks")},
        events={e["Contractloop_Key__c"]: own_fields(e) for e in child_records(record, "Events")},
    )
