"""What a renewal carries over from the deal that was signed, and what the planner already wrote besides the
renewal itself: read for a page of contracts at a time, three queries a page whatever its size.

- the original Opportunity's line items (the signed pricing the renewal quote starts from), contact roles (who
  joins the renewal's email sequence) and deal type (which paper it was: NDA, MSA, Order Form);
- the renewal quote and its lines, and the campaign members, under the planner's keys (for the diff);
- the email-sequence Campaigns by key (read once per scan).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, Field

from playbook_store.renewal_rules import AgreementType
from tools.salesforce.soql_rows import child_records, own_fields, soql_in

QUOTE_KEY_PREFIX = "renewal-quote:"
# The paper a deal of each type was signed on (the drafter's selection rules: an evaluation is an NDA, a new
# logo signs the MSA, an expansion or renewal an Order Form under it).
AGREEMENT_BY_DEAL_TYPE: dict[str, AgreementType] = {"Evaluation": "nda", "New Logo": "msa", "Expansion": "order_form",
                                                    "Renewal": "order_form"}
IN_CHUNK = 500


def quote_key(insight_key: str, cycle: int = 0) -> str:
    """The renewal quote of a contract's renewal cycle (0 = the first), keyed like the renewal itself."""
    return f"{QUOTE_KEY_PREFIX}{insight_key}" + (f":{cycle + 1}" if cycle else "")  # ids per IN (...) list, well inside SOQL's 100,000-character limit


class Querying(Protocol):
    def query(self, soql: str) -> list[dict[str, Any]]: ...


class SignedLine(BaseModel):
    product_id: str | None = None
    product_name: str | None = None
    quantity: float
    unit_price: Decimal | None = None
    list_price: Decimal | None = None
    discount: float | None = None


class DealDetails(BaseModel):
    agreement_type: AgreementType = "other"
    lines: list[SignedLine] = Field(default_factory=list)
    contact_ids: list[str] = Field(default_factory=list)  # primary first
    quote: dict[str, Any] | None = None
    quote_lines: dict[str, dict[str, Any]] = Field(default_factory=dict)


class PageDetails(BaseModel):
    deals: dict[str, DealDetails] = Field(default_factory=dict)  # by insight key
    members: dict[str, dict[str, Any]] = Field(default_factory=dict)  # the sequences' members, by member key


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i:i + IN_CHUNK] for i in range(0, len(values), IN_CHUNK)]


def read_campaigns(salesforce: Querying, keys: Iterable[str]) -> dict[str, str]:
    """Campaign key -> Id, for the sequences the playbook names."""
    rows = salesforce.query(f"SELECT Id, Contractloop_Key__c FROM Campaign WHERE Contractloop_Key__c IN ({soql_in(keys)})")
    return {str(r["Contractloop_Key__c"]): str(r["Id"]) for r in rows}


def read_details(salesforce: Querying, deals: dict[str, str | None], campaign_ids: Iterable[str],
                 on_file: dict[str, int] | None = None) -> PageDetails:
    """Details per insight key (`deals`: insight key -> original Opportunity id), and the members the
    sequence campaigns already have among those deals' contacts. A quote and members can exist only where a
    renewal is on file (`on_file`: insight key -> its renewal cycle; None = every deal, first cycle), so only
    those are looked up."""
    details = {key: DealDetails() for key in deals}
    by_opportunity: dict[str, list[str]] = {}
    for key, opportunity in deals.items():
        if opportunity:
            by_opportunity.setdefault(opportunity[:15], []).append(key)
    for chunk in _chunks(sorted({o for o in deals.values() if o})):
        rows = salesforce.query(
            "SELECT Id, Deal_Type__c, (SELECT Product2Id, Product2.Name, Quantity, UnitPrice, ListPrice, Discount "
            "FROM OpportunityLineItems ORDER BY Id), (SELECT ContactId, IsPrimary FROM OpportunityContactRoles "
            f"ORDER BY Id) FROM Opportunity WHERE Id IN ({soql_in(chunk)})")
        for row in rows:
            lines = [SignedLine(product_id=li.get("Product2Id"), product_name=(li.get("Product2") or {}).get("Name"),
                                quantity=li.get("Quantity") or 0, unit_price=li.get("UnitPrice"),
                                list_price=li.get("ListPrice"), discount=li.get("Discount"))
                     for li in child_records(row, "OpportunityLineItems")]
            roles = sorted(child_records(row, "OpportunityContactRoles"), key=lambda r: not r.get("IsPrimary"))
            contacts = list(dict.fromkeys(str(r["ContactId"]) for r in roles if r.get("ContactId")))
            for key in by_opportunity.get(str(row["Id"])[:15], []):
                details[key] = details[key].model_copy(update={
                    "agreement_type": AGREEMENT_BY_DEAL_TYPE.get(row.get("Deal_Type__c") or "", "other"),
                    "lines": lines, "contact_ids": contacts})
    cycles = dict.fromkeys(deals, 0) if on_file is None else {k: c for k, c in on_file.items() if k in deals}
    held = set(cycles)
    quote_keys = {quote_key(key, cycle): key for key, cycle in cycles.items()}
    for chunk in _chunks(sorted(quote_keys)):
        rows = salesforce.query(
            "SELECT Id, Contractloop_Key__c, SBQQ__Opportunity2__c, SBQQ__Account__c, SBQQ__PrimaryContact__c, "
            "SBQQ__Primary__c, SBQQ__Status__c, SBQQ__Type__c, SBQQ__StartDate__c, SBQQ__EndDate__c, "
            "SBQQ__SubscriptionTerm__c, OwnerId, (SELECT Id, Contractloop_Key__c, SBQQ__Quote__c, SBQQ__Product__c, "
            "SBQQ__ProductName__c, SBQQ__Quantity__c, SBQQ__ListPrice__c, SBQQ__Discount__c, SBQQ__NetPrice__c "
            f"FROM SBQQ__LineItems__r) FROM SBQQ__Quote__c WHERE Contractloop_Key__c IN ({soql_in(chunk)})")
        for row in rows:
            owner = quote_keys.get(str(row["Contractloop_Key__c"]))
            if owner is not None:
                details[owner].quote = own_fields(row)
                details[owner].quote_lines = {str(li["Contractloop_Key__c"]): own_fields(li)
                                              for li in child_records(row, "SBQQ__LineItems__r")}
    page = PageDetails(deals=details)
    campaigns = sorted(campaign_ids)
    contacts = sorted({c for key, d in details.items() if key in held for c in d.contact_ids})
    for chunk in _chunks(contacts) if campaigns else []:
        rows = salesforce.query("SELECT Id, Contractloop_Key__c, CampaignId, ContactId, Status FROM CampaignMember "
                                f"WHERE CampaignId IN ({soql_in(campaigns)}) AND ContactId IN ({soql_in(chunk)})")
        page.members.update({str(r["Contractloop_Key__c"]): own_fields(r) for r in rows if r.get("Contractloop_Key__c")})
    return page
