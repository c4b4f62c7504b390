"""What Salesforce holds for a whole batch of contracts, read in bulk: three SOQL queries in one Composite call.

- the Opportunities named by the workflows (with their Account's renewal fields, and contractloop's Tasks and
  Events on them as child subqueries),
- the Accounts whose Name equals a counterparty (case-insensitive, as SOQL compares text), with their Tasks
  and Events,
- the contract insights by external key, with their obligations.

Value lists are split so no SOQL statement outgrows a URL; more than five statements take another call.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from agents.extractor.context import ACTIVITY_FIELDS, EVENT_FIELDS, INSIGHT_FIELDS, OBLIGATION_FIELDS
from core.salesforce_ids import record_key
from tools.salesforce import SalesforceClient
from tools.salesforce.composite_calls import (
    MAX_QUERY_SUBREQUESTS,
    post_composite,
    query_more,
    query_page,
    query_subrequest,
)

MAX_SOQL_CHARS = 15_000  # query subrequests travel as GET URLs; stay well under Salesforce's URL limit
RENEWAL_FIELDS = "Contract_Expiration_Date__c, Auto_Renewal__c, Renewal_Notice_Days__c"
OPPORTUNITY_ID = re.compile(r"^006[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$")
_ACTIVITIES = (f"(SELECT {ACTIVITY_FIELDS} FROM Tasks WHERE Contractloop_Key__c LIKE 'ironclad-%'), "
               f"(SELECT {EVENT_FIELDS} FROM Events WHERE Contractloop_Key__c LIKE 'ironclad-%')")
_OPPORTUNITIES = ("SELECT Id, Name, Amount, OwnerId, AccountId, Ironclad_Status__c, Account.Id, Account.Name, "
                  "Account.OwnerId, " + ", ".join(f"Account.{f}" for f in RENEWAL_FIELDS.split(", ")) +
                  f", {_ACTIVITIES} FROM Opportunity WHERE Id IN ")
_ACCOUNTS = f"SELECT Id, Name, OwnerId, {RENEWAL_FIELDS}, {_ACTIVITIES} FROM Account WHERE Name IN "
_INSIGHTS = (f"SELECT {INSIGHT_FIELDS}, (SELECT {OBLIGATION_FIELDS} FROM Contract_Obligations__r) "
             "FROM Contract_Insight__c WHERE External_Key__c IN ")


class Holdings(BaseModel):
    """Rows as Salesforce returned them (child subqueries completed), indexed for lookup."""

    opportunities: dict[str, dict[str, Any]] = Field(default_factory=dict, description="By 15-char Id.")
    accounts_by_name: dict[str, list[dict[str, Any]]] = Field(default_factory=dict, description="By lower name.")
    insights: dict[str, dict[str, Any]] = Field(default_factory=dict, description="By External_Key__c.")
    api_calls: int = 0

    def opportunity(self, opportunity_id: str) -> dict[str, Any] | None:
        return self.opportunities.get(record_key(opportunity_id))

    def accounts_named(self, name: str) -> list[dict[str, Any]]:
        return self.accounts_by_name.get(name.strip().lower(), [])


def soql_literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{escaped}'"


def in_statements(prefix: str, values: list[str]) -> list[str]:
    """`prefix (...)` statements covering every value, each at most MAX_SOQL_CHARS long."""
    statements: list[str] = []
    chunk: list[str] = []
    size = len(prefix) + 2
    for literal in (soql_literal(v) for v in sorted(set(values))):
        if chunk and size + len(literal) + 2 > MAX_SOQL_CHARS:
            statements.append(f"{prefix}({', '.join(chunk)})")
            chunk, size = [], len(prefix) + 2
        chunk.append(literal)
        size += len(literal) + 2
    if chunk:
        statements.append(f"{prefix}({', '.join(chunk)})")
    return statements


def read_holdings(client: SalesforceClient, opportunity_ids: list[str], counterparties: list[str],
                  insight_keys: list[str]) -> Holdings:
    """Everything the batch's write plans are diffed against. Malformed Opportunity ids are left out (they
    would fail the whole query); callers treat them as not found."""
    calls_before = client.calls
    statements = [("opp", s) for s in in_statements(_OPPORTUNITIES, [i for i in opportunity_ids
                                                                       if OPPORTUNITY_ID.match(i)])]
    statements += [("acc", s) for s in in_statements(_ACCOUNTS, [n.strip() for n in counterparties if n.strip()])]
    statements += [("ins", s) for s in in_statements(_INSIGHTS, insight_keys)]
    holdings = Holdings()
    for start in range(0, len(statements), MAX_QUERY_SUBREQUESTS):
        group = statements[start:start + MAX_QUERY_SUBREQUESTS]
        subrequests = [query_subrequest(client, f"{kind}{start + n}", soql) for n, (kind, soql) in enumerate(group)]
        for (kind, _), result in zip(group, post_composite(client, subrequests), strict=True):
            for row in _all_rows(client, query_page(result)):
                _index(holdings, kind, row)
    holdings.api_calls = client.calls - calls_before
    return holdings


def _all_rows(client: SalesforceClient, page: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(page.get("records", []))
    while not page.get("done", True) and page.get("nextRecordsUrl"):
        page = query_more(client, page["nextRecordsUrl"])
        rows += page.get("records", [])
    for row in rows:
        _complete_children(client, row)
    return rows


def _complete_children(client: SalesforceClient, row: dict[str, Any]) -> None:
    """Child subquery results can be paged too; fetch the rest so no existing record is missed."""
    for value in row.values():
        if isinstance(value, dict) and isinstance(value.get("records"), list):
            while not value.get("done", True) and value.get("nextRecordsUrl"):
                more = query_more(client, value["nextRecordsUrl"])
                value["records"] += more.get("records", [])
                value["done"], value["nextRecordsUrl"] = more.get("done", True), more.get("nextRecordsUrl")
            for child in value["records"]:
                _complete_children(client, child)


def _index(holdings: Holdings, kind: str, row: dict[str, Any]) -> None:
    if kind == "opp":
        holdings.opportunities[record_key(str(row["Id"]))] = row
    elif kind == "acc":
        holdings.accounts_by_name.setdefault(str(row["Name"]).strip().lower(), []).append(row)
    else:
        holdings.insights[str(row["External_Key__c"])] = row


def children(row: dict[str, Any] | None, name: str) -> list[dict[str, Any]]:
    value = (row or {}).get(name)
    return list(value.get("records", [])) if isinstance(value, dict) else []


def plain(row: dict[str, Any] | None) -> dict[str, Any]:
    """The row's own fields, without `attributes` or relationship/child values."""
    return {k: v for k, v in (row or {}).items() if k != "attributes" and not isinstance(v, dict)}
