"""OrgStore: Salesforce-shaped records, write validation with Salesforce's error codes, transactions, upsert."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.store import OrgStore
from tests.support.threads import failures_in_threads


@pytest.fixture
def store(tmp_path) -> OrgStore:
    org = OrgStore(tmp_path / "org.db", load_schema(), today=date(2025, 3, 1),
                   clock=lambda: datetime(2025, 3, 1, 12, 30, 5, tzinfo=UTC))
    yield org
    org.close()


def _error(call, *args) -> SalesforceError:
    with pytest.raises(SalesforceError) as caught:
        call(*args)
    return caught.value


def _opportunity(store: OrgStore, **fields) -> str:
    return store.create("Opportunity", {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2025-06-30", **fields})


def _priced_product(store: OrgStore, price: float = 100.0) -> str:
    product = store.create("Product2", {"Name": "Platform", "ProductCode": "PLT", "Family": "Platform"})
    return store.create("PricebookEntry", {"Pricebook2Id": store.standard_pricebook_id, "Product2Id": product,
                                           "UnitPrice": price, "IsActive": True})


def test_created_record_reads_back_in_salesforce_shape(store):
    account = store.create("account", {"name": "Acme GmbH", "billingcountry": "Germany", "region__c": "emea",
                                       "AnnualRevenue": "2500000", "Auto_Renewal__c": "true"})
    record = store.get("Account", account)
    assert list(record)[0] == "attributes"
    assert record["attributes"] == {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{account}"}
    assert len(account) == 18 and account.startswith("001")
    assert record["Name"] == "Acme GmbH" and record["Region__c"] == "EMEA"  # picklist value in schema case
    assert record["AnnualRevenue"] == 2500000.0 and record["Auto_Renewal__c"] is True
    assert record["Industry"] is None and record["IsDeleted"] is False
    assert record["CreatedDate"] == "2025-03-01T12:30:05.000+0000"
    assert record["OwnerId"] == store.integration_user_id
    # 15-char and case-mangled 18-char ids address the same record
    assert store.get("Account", account[:15], ["Name"])["Name"] == "Acme GmbH"
    assert store.get("Account", account.lower(), ["Name"])["attributes"]["url"].endswith(account)


def test_opportunity_derives_stage_fields_and_amount_from_line_items(store):
    opportunity = _opportunity(store, StageName="Closed Won")
    entry = _priced_product(store, 120.0)
    store.create("OpportunityLineItem", {"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 3})
    second = store.create("OpportunityLineItem", {"OpportunityId": opportunity, "PricebookEntryId": entry,
                                                  "Quantity": 2, "UnitPrice": 99.5})
    record = store.get("Opportunity", opportunity)
    assert record["IsClosed"] is True and record["IsWon"] is True
    assert record["Probability"] == 100.0 and record["ForecastCategoryName"] == "Closed"
    assert record["Amount"] == 3 * 120.0 + 2 * 99.5 and record["HasOpportunityLineItem"] is True
    line = store.get("OpportunityLineItem", second)
    assert line["TotalPrice"] == 199.0 and line["ListPrice"] == 120.0 and line["Name"] == "Deal Platform"
    store.update("OpportunityLineItem", second, {"Quantity": 4})
    assert store.get("Opportunity", opportunity, ["Amount"])["Amount"] == 360.0 + 398.0
    store.delete("OpportunityLineItem", second)
    assert store.get("Opportunity", opportunity, ["Amount"])["Amount"] == 360.0


@pytest.mark.parametrize(
    ("fields", "status", "code", "error_fields"),
    [
        ({"Nmae": "x"}, 400, "INVALID_FIELD", ["Nmae"]),
        ({"Name": "x"}, 400, "REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"]),
        ({"IsWon": True}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsWon"]),
        ({"StageName": "Signed"}, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["StageName"]),
        ({"Amount": "a lot"}, 400, "JSON_PARSER_ERROR", []),
        ({"CloseDate": "2025-02-30"}, 400, "JSON_PARSER_ERROR", []),
        ({"Name": "x" * 121}, 400, "STRING_TOO_LONG", ["Name"]),
        ({"AccountId": "001-not-an-id"}, 400, "MALFORMED_ID", ["AccountId"]),
        ({"AccountId": "001000000000000AAA"}, 400, "INVALID_CROSS_REFERENCE_KEY", ["AccountId"]),
    ],
)
def test_invalid_opportunity_writes_are_refused_with_salesforce_codes(store, fields, status, code, error_fields):
    base = {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2025-06-30"}
    body = fields if code == "REQUIRED_FIELD_MISSING" else {**base, **fields}
    error = _error(store.create, "Opportunity", body)
    assert (error.status, error.error_code, error.fields) == (status, code, error_fields)
    assert error.body() == [{"message": error.message, "errorCode": code, "fields": error_fields}]
    assert store.count("Opportunity") == 0


def test_reference_to_wrong_object_type_and_messages(store):
    opportunity = _opportunity(store)
    error = _error(store.create, "Contact", {"LastName": "Ng", "AccountId": opportunity})
    assert error.error_code == "INVALID_CROSS_REFERENCE_KEY" and error.fields == ["AccountId"]
    assert _error(store.create, "Opportunity", {"Foo__c": 1}).message == \
        "No such column 'Foo__c' on sobject of type Opportunity"
    assert _error(store.create, "Opportunity", {"Name": "x"}).message == \
        "Required fields are missing: [StageName, CloseDate]"


def test_duplicate_unique_external_id_is_refused(store):
    store.create("Task", {"Subject": "Approve", "Contractloop_Key__c": "approval-1"})
    error = _error(store.create, "Task", {"Subject": "Again", "Contractloop_Key__c": "APPROVAL-1"})
    assert error.error_code == "DUPLICATE_VALUE" and error.fields == ["Contractloop_Key__c"]
    error = _error(store.insert_many, "Task", [{"Contractloop_Key__c": "k2"}, {"Contractloop_Key__c": "k2"}])
    assert error.error_code == "DUPLICATE_VALUE" and error.row_index == 1
    assert store.count("Task") == 1


def test_unknown_ids_objects_and_deleted_records(store):
    opportunity = _opportunity(store)
    missing = "0065g0000000999AAA"
    assert _error(store.get, "Opportunity", "0065g00000009ZZ").status == 404  # well-formed, absent
    assert _error(store.get, "Opportunity", missing).error_code == "NOT_FOUND"
    assert _error(store.update, "Opportunity", "bogus", {"Name": "x"}).error_code == "MALFORMED_ID"
    unknown_object = _error(store.create, "Opportunityy", {})
    assert (unknown_object.status, unknown_object.error_code) == (404, "NOT_FOUND")
    store.delete("Opportunity", opportunity)
    assert _error(store.get, "Opportunity", opportunity).error_code == "ENTITY_IS_DELETED"
    assert store.count("Opportunity") == 0
    assert store.query("SELECT Id FROM Opportunity").total_size == 0
    assert store.query("SELECT Id, IsDeleted FROM Opportunity", include_deleted=True).records[0]["IsDeleted"] is True


def test_delete_cascades_to_master_detail_children(store):
    insight = store.create("Contract_Insight__c", {"External_Key__c": "wf-1"})
    store.create("Contract_Obligation__c", {"Contract_Insight__c": insight, "Description__c": "Pay in 30 days"})
    store.delete("Contract_Insight__c", insight)
    assert store.count("Contract_Obligation__c") == 0


def test_update_refuses_read_only_and_required_null(store):
    opportunity = _opportunity(store)
    assert _error(store.update, "Opportunity", opportunity, {"IsClosed": True}).error_code == \
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    error = _error(store.update, "Opportunity", opportunity, {"CloseDate": None})
    assert error.error_code == "REQUIRED_FIELD_MISSING" and error.fields == ["CloseDate"]
    store.update("Opportunity", opportunity, {"stagename": "Contracting", "Ironclad_Status__c": "Review"})
    record = store.get("Opportunity", opportunity, ["StageName", "Probability", "Ironclad_Status__c"])
    assert record["StageName"] == "Contracting" and record["Probability"] == 90.0


def test_nested_transactions_roll_back_everything_on_error(store):
    with pytest.raises(SalesforceError), store.transaction():
        store.create("Account", {"Name": "Kept only if all succeed"})
        with store.transaction():
            store.create("Account", {"Name": "Inner"})
        store.create("Account", {})  # REQUIRED_FIELD_MISSING: everything above rolls back
    assert store.count("Account") == 0
    with store.transaction():
        store.create("Account", {"Name": "Outer"})
        with pytest.raises(SalesforceError), store.transaction():
            store.create("Account", {"Name": "Inner"})
            store.create("Account", {"Region__c": "Mars"})
    assert [r["Name"] for r in store.query("SELECT Name FROM Account").records] == ["Outer"]


def test_upsert_creates_updates_and_reports_multiple_matches(store):
    key = {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2025-06-30"}
    first, created = store.upsert("Opportunity", "Ironclad_Workflow_Id__c", "wf-100", key)
    assert created is True
    again, created = store.upsert("Opportunity", "ironclad_workflow_id__c", "WF-100", {"Ironclad_Status__c": "Signed"})
    assert (again, created) == (first, False)
    assert store.get_by_external_id("Opportunity", "Ironclad_Workflow_Id__c", "wf-100")["Ironclad_Status__c"] == "Signed"
    _opportunity(store, Ironclad_Workflow_Id__c="wf-100")
    error = _error(store.upsert, "Opportunity", "Ironclad_Workflow_Id__c", "wf-100", {"Name": "x"})
    assert error.status == 300 and error.error_code == "MULTIPLE_CHOICES" and len(error.matches) == 2
    assert error.matches[0] == f"/services/data/v59.0/sobjects/Opportunity/{first}"
    assert _error(store.upsert, "Opportunity", "Name", "Deal", {}).status == 404  # not an external id


def test_campaign_member_is_one_contact_or_lead_once_per_campaign(store):
    campaign = store.create("Campaign", {"Name": "Renewal sequence", "Type": "Email"})
    contact = store.create("Contact", {"LastName": "Okafor"})
    lead = store.create("Lead", {"LastName": "Tanaka", "Company": "Cedar Labs"})
    member = store.create("CampaignMember", {"CampaignId": campaign, "ContactId": contact})
    assert store.get("CampaignMember", member)["Status"] == "Sent"
    duplicate = _error(store.create, "CampaignMember", {"CampaignId": campaign, "ContactId": contact})
    assert (duplicate.error_code, duplicate.message) == ("DUPLICATE_VALUE", "Already a campaign member.")
    both = _error(store.insert_many, "CampaignMember", [{"CampaignId": campaign, "LeadId": lead},
                                                        {"CampaignId": campaign, "LeadId": lead}])
    assert both.error_code == "DUPLICATE_VALUE" and both.row_index == 1  # type: ignore[attr-defined]
    assert _error(store.create, "CampaignMember", {"CampaignId": campaign}).error_code == "REQUIRED_FIELD_MISSING"
    other = store.create("Campaign", {"Name": "Second sequence"})
    kept = store.create("CampaignMember", {"CampaignId": other, "ContactId": contact, "LeadId": lead})
    assert store.get("CampaignMember", kept)["LeadId"] is None  # given both, Salesforce keeps the Contact
    moved = _error(store.update, "CampaignMember", member, {"CampaignId": other})
    assert moved.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    store.update("CampaignMember", member, {"Status": "Responded"})
    assert store.get("CampaignMember", member)["HasResponded"] is True
    store.delete("Campaign", campaign)
    assert store.query(f"SELECT COUNT() FROM CampaignMember WHERE CampaignId = '{campaign}'").total_size == 0


def test_one_primary_quote_per_opportunity(store):
    deal, other = _opportunity(store), _opportunity(store, Name="Other deal")
    first = store.create("SBQQ__Quote__c", {"SBQQ__Opportunity2__c": deal, "SBQQ__Primary__c": True})
    elsewhere = store.create("SBQQ__Quote__c", {"SBQQ__Opportunity2__c": other, "SBQQ__Primary__c": True})
    second = store.create("SBQQ__Quote__c", {"SBQQ__Opportunity2__c": deal, "SBQQ__Primary__c": True})

    def primary(quote: str) -> bool:
        return store.get("SBQQ__Quote__c", quote)["SBQQ__Primary__c"]

    assert (primary(first), primary(second), primary(elsewhere)) == (False, True, True)
    store.update("SBQQ__Quote__c", first, {"SBQQ__Primary__c": True})
    assert (primary(first), primary(second), primary(elsewhere)) == (True, False, True)
    store.create("SBQQ__Quote__c", {"SBQQ__Opportunity2__c": deal})  # a draft, not primary, changes nothing
    assert primary(first)


def test_insert_each_reports_per_row_results(store):
    results = store.insert_each("Account", [{"Name": "A"}, {"Region__c": "NA"}, {"Name": "C"}])
    assert isinstance(results[0], str) and isinstance(results[2], str)
    assert isinstance(results[1], SalesforceError) and results[1].error_code == "REQUIRED_FIELD_MISSING"
    assert store.count("Account") == 2


def test_content_version_creates_document_and_link(store):
    opportunity = _opportunity(store)
    version = store.create("ContentVersion", {"Title": "MSA", "PathOnClient": "msa.pdf", "VersionData": "JVBERi0=",
                                              "FirstPublishLocationId": opportunity})
    record = store.get("ContentVersion", version)
    assert record["FileType"] == "PDF" and record["ContentSize"] == 5 and record["IsLatest"] is True
    links = store.query(f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{opportunity}'")
    assert links.records[0]["ContentDocumentId"] == record["ContentDocumentId"]


def test_concurrent_writers_from_threads(store):
    def write(worker: int) -> None:
        for index in range(25):
            store.create("Account", {"Name": f"w{worker}-{index}"})

    assert failures_in_threads(write, 4) == [] and store.count("Account") == 100


def test_describe_matches_salesforce_shapes(store):
    describe = store.schema.describe("opportunity")
    assert describe["name"] == "Opportunity" and describe["keyPrefix"] == "006"
    stage = next(f for f in describe["fields"] if f["name"] == "StageName")
    assert {"value": "Contracting", "label": "Contracting", "active": True, "defaultValue": False,
            "validFor": None} in stage["picklistValues"]
    assert stage["nillable"] is False and stage["restrictedPicklist"] is True
    children = {c["relationshipName"]: c["childSObject"] for c in describe["childRelationships"]}
    assert children["OpportunityLineItems"] == "OpportunityLineItem"
    assert children["SBQQ__Quotes2__r"] == "SBQQ__Quote__c"
    quote = store.schema.describe("SBQQ__Quote__c")
    opportunity_ref = next(f for f in quote["fields"] if f["name"] == "SBQQ__Opportunity2__c")
    assert opportunity_ref["referenceTo"] == ["Opportunity"]
    assert opportunity_ref["relationshipName"] == "SBQQ__Opportunity2__r"
    names = {o["name"] for o in store.schema.describe_global()["sobjects"]}
    assert {"Contract_Insight__c", "Contract_Obligation__c", "Organization", "ContentVersion"} <= names
    assert store.query("SELECT IsSandbox FROM Organization LIMIT 1").records[0]["IsSandbox"] is True


def test_an_org_kept_from_an_older_schema_gains_the_fields_added_since(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    OrgStore(path, load_schema()).close()
    with sqlite3.connect(path) as conn:  # as an org file written before Clauses__c existed
        conn.execute('ALTER TABLE "Contract_Insight__c" DROP COLUMN "Clauses__c"')
    org = OrgStore(path, load_schema())
    try:
        insight = org.create("Contract_Insight__c", {"External_Key__c": "old-1", "Clauses__c": "1 of 41 found:"})
        assert org.get("Contract_Insight__c", insight)["Clauses__c"] == "1 of 41 found:"
    finally:
        org.close()
