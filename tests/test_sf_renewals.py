"""What a renewal plan writes, end to end: the typed client over real HTTPS, one Composite call per plan,
the sandbox org in real SQLite. Renewal Opportunity, renewal CPQ quote with lines, campaign membership."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import settings_from
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.server import SalesforceSandbox
from tools.salesforce import SalesforceClient
from tools.salesforce.errors import WriteNotAllowed, WritePlanFailed
from tools.write_plan import AllowList, WriteOp, WritePlan, check_allowed, for_existing, load_allowlist

RENEWAL_FIELDS = {"Name", "AccountId", "StageName", "CloseDate", "Amount", "Type", "ForecastCategoryName",
                  "Renewal_Of__c", "Contract_Insight__c", "Renewal_Likelihood__c", "Renewal_Likelihood_Reasons__c",
                  "Notice_Deadline__c", "OwnerId"}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(tmp_path_factory.mktemp("sf-renewals"), opportunities=30, seed=13) as sandbox:
        yield sandbox


@pytest.fixture
def sf(org: SalesforceSandbox) -> SalesforceClient:
    org.faults.clear()
    org.reset_usage()
    client = SalesforceClient.from_settings(settings_from(org.env()))
    client.backoff_base = 0.01
    return client


def _won_deal(sf: SalesforceClient) -> dict[str, Any]:
    rows = sf.query("SELECT Id, Name, AccountId, Amount, OwnerId, Account.Name FROM Opportunity "
                    "WHERE StageName = 'Closed Won' ORDER BY Amount DESC LIMIT 1")
    assert rows, "the seed must hold a won deal to renew"
    return rows[0]


def _renewal_op(deal: dict[str, Any], key: str, close: str, **extra: Any) -> WriteOp:
    return WriteOp(ref="renewal", action="upsert", sobject="Opportunity", external_id=key, fields={
        "Name": f"{deal['Account']['Name']} - Renewal", "AccountId": deal["AccountId"], "StageName": "Prospecting",
        "CloseDate": close, "Amount": deal["Amount"], "Type": "Renewal", "ForecastCategoryName": "Pipeline",
        "Renewal_Of__c": deal["Id"], "Renewal_Likelihood__c": 72,
        "Renewal_Likelihood_Reasons__c": "Usage growing; no open cases; pays on time",
        "Notice_Deadline__c": "2026-01-31", "OwnerId": deal["OwnerId"], **extra})


def _current(sf: SalesforceClient, plan: WritePlan) -> dict[str, dict[str, Any] | None]:
    """What Salesforce holds for each upsert, read by its key (as the plan review reads it for the diff)."""
    allow = load_allowlist()
    held: dict[str, dict[str, Any] | None] = {}
    for op in plan.operations:
        key = allow.rule(op.sobject).external_id
        fields = ", ".join(["Id", *op.fields])
        rows = sf.query(f"SELECT {fields} FROM {op.sobject} WHERE {key} = '{op.external_id}'")
        held[op.ref] = rows[0] if rows else None
    return held


def test_renewal_opportunity_upserted_twice_is_one_record_with_the_new_close_date(
        org: SalesforceSandbox, sf: SalesforceClient) -> None:
    deal = _won_deal(sf)
    key = f"renewal:{deal['Id']}:2026"

    def plan(correlation: str, close: str) -> WritePlan:
        return WritePlan(correlation_id=correlation, operations=[
            WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=f"{key}:insight",
                    fields={"Opportunity__c": deal["Id"], "Account__c": deal["AccountId"], "Auto_Renewal__c": True,
                            "Notice_Period_Days__c": 60, "Expiration_Date__c": "2026-03-31"}),
            _renewal_op(deal, key, close, Contract_Insight__c="@{insight.id}")])

    first = sf.apply(plan("cl-renewal-1", "2026-03-31"))
    assert [r.created for r in first] == [True, True]
    org.reset_usage()
    second = sf.apply(plan("cl-renewal-2", "2026-04-30"))
    assert [r.created for r in second] == [False, False] and second[1].id == first[1].id
    assert org.api_calls == 1
    rows = sf.query("SELECT Id, CloseDate, Type, ForecastCategoryName, Renewal_Of__c, Renewal_Of__r.Name, "
                    "Contract_Insight__c, Contract_Insight__r.Notice_Period_Days__c, Renewal_Likelihood__c, "
                    "Notice_Deadline__c, Contractloop_Correlation_Id__c FROM Opportunity "
                    f"WHERE Contractloop_Renewal_Key__c = '{key}'")
    assert len(rows) == 1
    renewal = rows[0]
    assert renewal["CloseDate"] == "2026-04-30" and renewal["Type"] == "Renewal"
    assert renewal["ForecastCategoryName"] == "Pipeline" and renewal["Renewal_Likelihood__c"] == 72
    assert renewal["Renewal_Of__c"] == deal["Id"] and renewal["Renewal_Of__r"]["Name"] == deal["Name"]
    assert renewal["Notice_Deadline__c"] == "2026-01-31"
    assert renewal["Contract_Insight__c"] == first[0].id
    assert renewal["Contract_Insight__r"]["Notice_Period_Days__c"] == 60
    assert renewal["Contractloop_Correlation_Id__c"] == "cl-renewal-2"
    children = sf.query(f"SELECT (SELECT Id FROM Renewals__r) FROM Opportunity WHERE Id = '{deal['Id']}'")
    assert [r["Id"] for r in children[0]["Renewals__r"]["records"]] == [renewal["Id"]]


def test_the_sync_still_updates_an_opportunity_by_id(sf: SalesforceClient) -> None:
    deal = _won_deal(sf)
    results = sf.apply(WritePlan(correlation_id="cl-renewal-sync", operations=[
        WriteOp(ref="opp", action="update", sobject="Opportunity", record_id=deal["Id"],
                fields={"Ironclad_Status__c": "Signed"})]))
    assert results[0].success and sf.get("Opportunity", deal["Id"])["Ironclad_Status__c"] == "Signed"


def test_campaign_member_upserted_twice_is_one_member(sf: SalesforceClient) -> None:
    campaign = sf.query("SELECT Id FROM Campaign WHERE Contractloop_Key__c = 'renewal-seq:enterprise-msa'")[0]
    contact = sf.query("SELECT Id FROM Contact ORDER BY Id LIMIT 1")[0]
    key = f"renewal-seq:enterprise-msa:{contact['Id']}"

    def plan(status: str) -> WritePlan:
        return WritePlan(correlation_id="cl-renewal-member", operations=[
            WriteOp(ref="member", action="upsert", sobject="CampaignMember", external_id=key,
                    fields={"CampaignId": campaign["Id"], "ContactId": contact["Id"], "Status": status})])

    first = sf.apply(for_existing(plan("Sent"), _current(sf, plan("Sent"))))
    assert first[0].created is True
    again = plan("Responded")
    with pytest.raises(WritePlanFailed, match="INVALID_FIELD_FOR_INSERT_UPDATE"):
        sf.apply(again)  # Salesforce refuses CampaignId/ContactId on update, even unchanged
    second = sf.apply(for_existing(again, _current(sf, again)))
    assert second[0].created is False and second[0].id == first[0].id
    members = sf.query("SELECT Id, Status, HasResponded, Contact.Id FROM CampaignMember "
                       f"WHERE CampaignId = '{campaign['Id']}'")
    assert len(members) == 1
    assert members[0]["Status"] == "Responded" and members[0]["HasResponded"] is True
    assert members[0]["Contact"]["Id"] == contact["Id"]

    other_key = WriteOp(ref="member", action="upsert", sobject="CampaignMember", external_id=f"{key}:again",
                        fields={"CampaignId": campaign["Id"], "ContactId": contact["Id"]})
    with pytest.raises(WritePlanFailed, match="Already a campaign member"):
        sf.apply(WritePlan(correlation_id="cl-renewal-member", operations=[other_key]))


def test_renewal_quote_with_two_lines_is_upserted_by_key_and_primary(sf: SalesforceClient) -> None:
    deal = _won_deal(sf)
    renewal = sf.apply(WritePlan(correlation_id="cl-renewal-quote", operations=[
        _renewal_op(deal, f"renewal:{deal['Id']}:quote", "2026-05-31")]))[0]
    products = sf.query("SELECT Id, Name, ProductCode FROM Product2 WHERE ProductCode IN ('PLT-PRO', 'SUP-STD') "
                        "ORDER BY ProductCode")
    lines = [("seats", products[0], 50.0, 1200.0, 10.0), ("support", products[1], 1.0, 8000.0, 0.0)]
    key = f"renewal-quote:{renewal.id}"
    plan = WritePlan(correlation_id="cl-renewal-quote", operations=[
        WriteOp(ref="quote", action="upsert", sobject="SBQQ__Quote__c", external_id=key, fields={
            "SBQQ__Opportunity2__c": renewal.id, "SBQQ__Account__c": deal["AccountId"], "SBQQ__Primary__c": True,
            "SBQQ__Type__c": "Renewal", "SBQQ__Status__c": "Draft", "SBQQ__StartDate__c": "2026-06-01",
            "SBQQ__SubscriptionTerm__c": 12, "SBQQ__PaymentTerms__c": "Net 30"}),
        *[WriteOp(ref=name, action="upsert", sobject="SBQQ__QuoteLine__c", external_id=f"{key}:{name}", fields={
            "SBQQ__Quote__c": "@{quote.id}", "SBQQ__Product__c": product["Id"],
            "SBQQ__ProductName__c": product["Name"], "SBQQ__Quantity__c": quantity,
            "SBQQ__ListPrice__c": price, "SBQQ__Discount__c": discount,
            "SBQQ__NetPrice__c": round(price * (1 - discount / 100), 2)})
          for name, product, quantity, price, discount in lines],
    ])
    first = sf.apply(for_existing(plan, _current(sf, plan)))
    assert [r.created for r in first] == [True, True, True]
    held = _current(sf, plan)
    settled = for_existing(plan, held)
    assert all("SBQQ__Quote__c" not in op.fields for op in settled.operations[1:])
    second = sf.apply(settled)
    assert [r.created for r in second] == [False, False, False]
    quotes = sf.query("SELECT Id, SBQQ__Primary__c, SBQQ__Type__c, SBQQ__NetAmount__c, "
                      "(SELECT Contractloop_Key__c, SBQQ__NetTotal__c FROM SBQQ__LineItems__r) "
                      f"FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = '{renewal.id}'")
    assert len(quotes) == 1
    quote = quotes[0]
    assert quote["SBQQ__Primary__c"] is True and quote["SBQQ__Type__c"] == "Renewal"
    assert sorted(line["Contractloop_Key__c"] for line in quote["SBQQ__LineItems__r"]["records"]) == [
        f"{key}:seats", f"{key}:support"]
    assert quote["SBQQ__NetAmount__c"] == pytest.approx(50 * 1080.0 + 8000.0)
    original = sf.query(f"SELECT SBQQ__Primary__c FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = '{deal['Id']}'")
    assert [q["SBQQ__Primary__c"] for q in original] == [True]  # the renewal's primary is its own Opportunity's


def test_a_field_outside_the_allow_list_is_refused_before_any_call(org: SalesforceSandbox,
                                                                  sf: SalesforceClient) -> None:
    deal = _won_deal(sf)
    org.reset_usage()
    with pytest.raises(WriteNotAllowed, match="Description"):
        sf.apply(WritePlan(correlation_id="cl-renewal-refused", operations=[
            _renewal_op(deal, "renewal:refused", "2026-03-31", Description="not a renewal field")]))
    with pytest.raises(WriteNotAllowed, match="Amount"):  # update keeps its own, narrower field set
        sf.apply(WritePlan(correlation_id="cl-renewal-refused", operations=[
            WriteOp(ref="o", action="update", sobject="Opportunity", record_id=deal["Id"], fields={"Amount": 1})]))
    with pytest.raises(WriteNotAllowed, match="upserts only by Contractloop_Renewal_Key__c"):
        sf.apply(WritePlan(correlation_id="cl-renewal-refused", operations=[
            WriteOp(ref="o", action="upsert", sobject="Opportunity", external_id_field="Ironclad_Workflow_Id__c",
                    external_id="x", fields={"Name": "x"})]))
    assert org.api_calls == 0


# ----- the allow-list's shape (no HTTP) ----------------------------------------------------------------------------

def test_allow_list_gives_each_opportunity_action_its_own_fields() -> None:
    rule = load_allowlist().rule("Opportunity")
    assert set(rule.fields_for("upsert")) == RENEWAL_FIELDS
    assert "Ironclad_Status__c" in rule.fields_for("update") and "Amount" not in rule.fields_for("update")
    assert rule.external_id == "Contractloop_Renewal_Key__c"
    assert rule.correlation_field == "Contractloop_Correlation_Id__c"


def test_allow_list_rules_are_checked_when_loaded() -> None:
    with pytest.raises(ValueError, match="fields_by_action"):
        AllowList.model_validate({"objects": {"Opportunity": {
            "actions": ["update"], "fields": ["Name"], "fields_by_action": {"upsert": ["Name"]}}}})
    with pytest.raises(ValueError, match="create_only"):
        AllowList.model_validate({"objects": {"CampaignMember": {
            "actions": ["upsert"], "external_id": "Contractloop_Key__c", "fields": ["Status"],
            "create_only": ["CampaignId"]}}})


def test_for_existing_refuses_to_move_a_record_to_another_parent() -> None:
    op = WriteOp(ref="m", action="upsert", sobject="CampaignMember", external_id="k",
                 fields={"CampaignId": "701000000000001AAA", "ContactId": "003000000000001AAA", "Status": "Sent"})
    plan = WritePlan(correlation_id="cl-renewal-parent", operations=[op])
    check_allowed(plan)
    unchanged = for_existing(plan, {"m": {"CampaignId": "701000000000001AAA", "ContactId": "003000000000001"}})
    assert unchanged.operations[0].fields == {"Status": "Sent"}
    assert for_existing(plan, {"m": None}).operations[0].fields == op.fields
    with pytest.raises(WriteNotAllowed, match="create only"):
        for_existing(plan, {"m": {"CampaignId": "701000000000002AAA", "ContactId": "003000000000001AAA"}})

    line = WritePlan(correlation_id="cl-renewal-parent", operations=[
        WriteOp(ref="quote", action="upsert", sobject="SBQQ__Quote__c", external_id="q", fields={}),
        WriteOp(ref="line", action="upsert", sobject="SBQQ__QuoteLine__c", external_id="q:1",
                fields={"SBQQ__Quote__c": "@{quote.id}", "SBQQ__Quantity__c": 2})])
    held_line = {"SBQQ__Quote__c": "a0q000000000001AAA"}
    same = for_existing(line, {"quote": {"Id": "a0q000000000001AAA"}, "line": held_line})
    assert same.operations[1].fields == {"SBQQ__Quantity__c": 2}
    with pytest.raises(WriteNotAllowed, match="the record quote creates"):
        for_existing(line, {"quote": None, "line": held_line})
    with pytest.raises(WriteNotAllowed, match="a0q000000000002AAA"):
        for_existing(line, {"quote": {"Id": "a0q000000000002AAA"}, "line": held_line})


def test_every_allowed_field_is_writable_in_the_sandbox_schema() -> None:
    schema = load_schema()
    for sobject, rule in load_allowlist().objects.items():
        objdef = schema.object(sobject)
        assert objdef is not None, sobject
        for key in filter(None, (rule.external_id, rule.correlation_field)):
            assert objdef.field(key) is not None, f"{sobject}.{key}"
        if rule.external_id:
            key_field = objdef.field(rule.external_id)
            assert key_field is not None and key_field.external_id and key_field.unique, f"{sobject} key"
        for action in rule.actions:
            for name in rule.fields_for(action):
                f = objdef.field(name)
                assert f is not None, f"{sobject}.{name} is allowed but not in the schema"
                assert f.createable or action == "update", f"{sobject}.{name} cannot be created"
                assert f.updateable or name in rule.create_only or action == "create", (
                    f"{sobject}.{name} cannot be updated: list it under create_only")
