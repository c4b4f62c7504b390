"""Where an executed contract belongs in Salesforce, and what Salesforce holds for it today.

Read in ONE SOQL query on the Opportunity (account fields by path; the contract insight, its obligations,
and contractloop's Tasks and Events as child subqueries), so the write plan can be shown as a diff.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

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


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def snapshot_query(opportunity_id: str, key: str) -> str:
    like = _quote(key) + "%"
    return (
        "SELECT Id, Name, Amount, OwnerId, AccountId, Ironclad_Status__c, Account.Id, "
        "Account.Contract_Expiration_Date__c, Account.Auto_Renewal__c, Account.Renewal_Notice_Days__c, "
        f"(SELECT {INSIGHT_FIELDS}, (SELECT {OBLIGATION_FIELDS} FROM Contract_Obligations__r) "
        f"FROM Contract_Insights__r WHERE External_Key__c = '{_quote(key)}'), "
        f"(SELECT {ACTIVITY_FIELDS} FROM Tasks WHERE Contractloop_Key__c LIKE '{like}'), "
        f"(SELECT {EVENT_FIELDS} FROM Events WHERE Contractloop_Key__c LIKE '{like}') "
        f"FROM Opportunity WHERE Id = '{_quote(opportunity_id)}'"
    )


def _children(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = record.get(name)
    return list(value.get("records", [])) if isinstance(value, dict) else []


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "attributes" and not isinstance(v, dict)}


def parse_snapshot(record: dict[str, Any]) -> SalesforceSnapshot:
    insights = _children(record, "Contract_Insights__r")
    insight = insights[0] if insights else None
    return SalesforceSnapshot(
        opportunity=_plain(record),
        account=_plain(record.get("Account") or {}),
        insight=_plain(insight) if insight else None,
        obligations={o["External_Key__c"]: _plain(o) for o in _children(insight or {}, "Contract_Obligations__r")},
        tasks={t["Contractloop_Key__c"]: _plain(t) for t in _children(record, "Tasks")},
        events={e["Contractloop_Key__c"]: _plain(e) for e in _children(record, "Events")},
    )
