"""The sandbox's REST API through an unmodified simple-salesforce over real HTTPS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from sandbox.salesforce.server import SalesforceSandbox

ACCEPTANCE_QUERY = (
    "SELECT Id, Name, Account.Name, (SELECT Quantity, UnitPrice, Product2.Name FROM OpportunityLineItems) "
    "FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC LIMIT 5"
)


def _raw(sandbox: SalesforceSandbox, method: str, path: str, **kwargs) -> requests.Response:
    session = sandbox.requests_session()
    headers = {"Authorization": f"Bearer {sandbox.access_token}", **kwargs.pop("headers", {})}
    return session.request(method, f"{sandbox.instance_url}{path}", headers=headers, timeout=30, **kwargs)


def _assert_acceptance_shape(result: dict) -> None:
    assert result["done"] is True and 1 <= len(result["records"]) <= 5
    assert result["totalSize"] == len(result["records"])
    for record in result["records"]:
        assert list(record) == ["attributes", "Id", "Name", "Account", "OpportunityLineItems"]
        assert record["attributes"] == {
            "type": "Opportunity", "url": f"/services/data/v59.0/sobjects/Opportunity/{record['Id']}"}
        assert record["Id"].startswith("006") and len(record["Id"]) == 18
        account = record["Account"]
        assert account is None or (account["attributes"]["type"] == "Account" and isinstance(account["Name"], str))
        items = record["OpportunityLineItems"]
        if items is not None:
            assert items["done"] is True and items["totalSize"] == len(items["records"]) > 0
            for item in items["records"]:
                assert item["attributes"]["type"] == "OpportunityLineItem"
                assert isinstance(item["Quantity"], float) and isinstance(item["UnitPrice"], float)
                assert isinstance(item["Product2"]["Name"], str)


def test_acceptance_query_is_salesforce_shaped_and_ordered(sf: Salesforce) -> None:
    result = sf.query(ACCEPTANCE_QUERY)
    _assert_acceptance_shape(result)
    all_contracting = sf.query_all("SELECT Id, Amount FROM Opportunity WHERE StageName = 'Contracting'")["records"]
    amounts = sorted((r["Amount"] or 0 for r in all_contracting), reverse=True)
    by_id = {r["Id"]: r["Amount"] or 0 for r in all_contracting}
    assert [by_id[r["Id"]] for r in result["records"]] == amounts[: len(result["records"])]


def test_acceptance_query_from_a_fresh_process(sf_sandbox: SalesforceSandbox) -> None:
    script = textwrap.dedent(
        """
        import json, os, requests
        from simple_salesforce import Salesforce
        session = requests.Session()
        session.verify = os.environ["SF_CA_BUNDLE"]
        sf = Salesforce(instance_url=os.environ["SF_INSTANCE_URL"], session_id=os.environ["SF_ACCESS_TOKEN"],
                        session=session)
        print(json.dumps(sf.query(os.environ["QUERY"])))
        """
    )
    # REQUESTS_CA_BUNDLE would override `session.verify`, so point it at the sandbox CA as a user would.
    env = {**os.environ, **sf_sandbox.env(), "QUERY": ACCEPTANCE_QUERY, "REQUESTS_CA_BUNDLE": str(sf_sandbox.ca_pem)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    _assert_acceptance_shape(json.loads(done.stdout))


def test_record_crud_round_trip(sf: Salesforce) -> None:
    created = sf.Account.create({"Name": "Round Trip Ltd", "Industry": "Banking"})
    assert created["success"] is True and created["errors"] == [] and created["id"].startswith("001")
    account_id = created["id"]

    record = sf.Account.get(account_id)
    assert record["attributes"]["type"] == "Account" and record["Name"] == "Round Trip Ltd"
    assert record["CreatedDate"].endswith("+0000")
    narrowed = sf.Account.get(account_id, params={"fields": "Name,Industry"})
    assert narrowed["Industry"] == "Banking" and "CreatedDate" not in narrowed

    assert sf.Account.update(account_id, {"Industry": "Energy"}) == 204
    assert sf.Account.get(account_id)["Industry"] == "Energy"

    assert sf.Account.delete(account_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Account.get(account_id)
    assert gone.value.content[0]["errorCode"] in ("NOT_FOUND", "ENTITY_IS_DELETED")
    assert sf.query(f"SELECT Id FROM Account WHERE Id = '{account_id}'")["totalSize"] == 0
    assert sf.query_all(f"SELECT Id FROM Account WHERE Id = '{account_id}'", include_deleted=True)["totalSize"] == 1


def test_create_status_codes_on_the_wire(sf_sandbox: SalesforceSandbox) -> None:
    for path in ("/services/data/v59.0/sobjects/Account/", "/services/data/v59.0/sobjects/Account"):
        response = _raw(sf_sandbox, "POST", path, json={"Name": "Wire Co"})
        assert response.status_code == 201
        assert response.headers["Location"].endswith(response.json()["id"])
        assert response.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_describe_metadata_and_versions(sf: Salesforce, sf_sandbox: SalesforceSandbox) -> None:
    describe = sf.Opportunity.describe()
    assert describe["name"] == "Opportunity" and describe["keyPrefix"] == "006"
    fields = {f["name"]: f for f in describe["fields"]}
    assert fields["StageName"]["type"] == "picklist" and not fields["StageName"]["nillable"]
    assert "Contracting" in [v["value"] for v in fields["StageName"]["picklistValues"]]
    assert "OpportunityLineItems" in {c["relationshipName"] for c in describe["childRelationships"]}

    metadata = sf.Opportunity.metadata()
    assert metadata["objectDescribe"]["name"] == "Opportunity" and metadata["recentItems"] == []
    assert "Contract_Insight__c" in {o["name"] for o in sf.describe()["sobjects"]}

    versions = requests.get(f"{sf_sandbox.instance_url}/services/data/", verify=str(sf_sandbox.ca_pem)).json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    resources = sf.restful("")
    assert resources["query"] == "/services/data/v59.0/query"
    assert sf.limits()["DailyApiRequests"]["Max"] > 0


def test_upsert_twice_is_one_record_201_then_200(sf: Salesforce, sf_sandbox: SalesforceSandbox) -> None:
    key = f"upsert-{uuid.uuid4().hex[:8]}"
    assert sf.Task.upsert(f"Contractloop_Key__c/{key}", {"Subject": "Send order form"}) == 201
    assert sf.Task.upsert(f"Contractloop_Key__c/{key}", {"Subject": "Send signed order form"}) == 200
    rows = sf.query(f"SELECT Id, Subject FROM Task WHERE Contractloop_Key__c = '{key}'")["records"]
    assert [r["Subject"] for r in rows] == ["Send signed order form"]

    body = _raw(sf_sandbox, "PATCH", f"/services/data/v59.0/sobjects/Task/Contractloop_Key__c/{key}",
                json={"Priority": "High"}).json()
    assert body == {"id": rows[0]["Id"], "success": True, "errors": [], "created": False}
    by_key = sf.Task.get_by_custom_id("Contractloop_Key__c", key)
    assert by_key["Id"] == rows[0]["Id"] and by_key["Priority"] == "High"

    refused = _raw(sf_sandbox, "PATCH",
                   f"/services/data/v59.0/sobjects/Task/Contractloop_Key__c/{key}-new?updateOnly=true",
                   json={"Subject": "never created"})
    assert refused.status_code == 404
    assert sf.query(f"SELECT COUNT() FROM Task WHERE Contractloop_Key__c = '{key}-new'")["totalSize"] == 0


def test_ambiguous_external_id_is_300_with_record_urls(sf: Salesforce) -> None:
    workflow = f"wf-{uuid.uuid4().hex[:8]}"
    ids = [
        sf.Opportunity.create({"Name": f"Dup {n}", "StageName": "Prospecting", "CloseDate": "2027-01-31",
                               "Ironclad_Workflow_Id__c": workflow})["id"]
        for n in range(2)
    ]
    with pytest.raises(SalesforceMoreThanOneRecord) as ambiguous:
        sf.Opportunity.get_by_custom_id("Ironclad_Workflow_Id__c", workflow)
    assert sorted(ambiguous.value.content) == sorted(f"/services/data/v59.0/sobjects/Opportunity/{i}" for i in ids)
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Opportunity.upsert(f"Ironclad_Workflow_Id__c/{workflow}", {"NextStep": "pick one"})
    with pytest.raises(SalesforceResourceNotFound):
        sf.Opportunity.upsert("No_Such_Field__c/x", {"NextStep": "x"})


def test_errors_have_salesforce_status_and_body(sf: Salesforce, sf_sandbox: SalesforceSandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Account.create({"Industry": "Banking"})
    assert missing.value.content == [
        {"message": "Required fields are missing: [Name]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}]

    with pytest.raises(SalesforceResourceNotFound) as unknown_object:
        sf.Nonexistent__c.create({"Name": "x"})
    assert unknown_object.value.content[0]["errorCode"] == "NOT_FOUND"

    bad_json = _raw(sf_sandbox, "POST", "/services/data/v59.0/sobjects/Account/", data="{not json",
                    headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()[0]["errorCode"] == "JSON_PARSER_ERROR"

    unknown_route = _raw(sf_sandbox, "GET", "/services/data/v59.0/no/such/resource")
    assert unknown_route.status_code == 404 and unknown_route.json()[0]["errorCode"] == "NOT_FOUND"
    assert "Sforce-Limit-Info" in unknown_route.headers
    outside_api = _raw(sf_sandbox, "GET", "/definitely/not/here")
    assert outside_api.status_code == 404 and outside_api.json()[0]["errorCode"] == "NOT_FOUND"
    wrong_method = _raw(sf_sandbox, "PUT", "/services/data/v59.0/sobjects/Account")
    assert wrong_method.status_code == 405 and wrong_method.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_malformed_query_is_400_and_server_keeps_serving(sf: Salesforce) -> None:
    for bad in ("SELECT Id FROM Opportunity WHERE", "SELEKT Id FROM Account", "SELECT Id FROM"):
        with pytest.raises(SalesforceMalformedRequest) as err:
            sf.query(bad)
        assert err.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as field_err:
        sf.query("SELECT Id, No_Such__c FROM Account")
    assert field_err.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] >= 1


def test_pagination_over_2000_rows_with_host_relative_next_url(sf: Salesforce,
                                                                sf_sandbox: SalesforceSandbox) -> None:
    marker = f"page-{uuid.uuid4().hex[:6]}"
    sf_sandbox.store.insert_many("Task", [{"Subject": f"{marker} {n}", "Status": "Completed"} for n in range(2150)])
    soql = f"SELECT Id, Subject FROM Task WHERE Subject LIKE '{marker} %'"

    first = sf.query(soql)
    assert first["totalSize"] == 2150 and first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/")
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert rest["done"] is True and len(rest["records"]) == 150 and "nextRecordsUrl" not in rest

    everything = sf.query_all(soql)
    assert everything["totalSize"] == 2150 and len({r["Id"] for r in everything["records"]}) == 2150

    small_pages = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(small_pages["records"]) == 500 and small_pages["done"] is False
    with pytest.raises(SalesforceMalformedRequest) as bad_cursor:
        sf.query_more("01gNOPE-2000")
    assert bad_cursor.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_updated_and_deleted_replication_resources(sf: Salesforce) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    account_id = sf.Account.create({"Name": "Replicated Ltd"})["id"]
    end = datetime.now(UTC) + timedelta(minutes=1)
    assert account_id in sf.Account.updated(start, end)["ids"]
    sf.Account.delete(account_id)
    deleted = sf.Account.deleted(start, end)
    assert account_id in {r["id"] for r in deleted["deletedRecords"]}
    assert account_id not in sf.Account.updated(start, end)["ids"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Account.updated(end, start)


def test_rejected_calls_still_carry_limit_info(sf_sandbox: SalesforceSandbox) -> None:
    stale = _raw(sf_sandbox, "GET", "/services/data/v59.0/limits/", headers={"Authorization": "Bearer nope"})
    assert stale.status_code == 401 and stale.headers["Sforce-Limit-Info"].startswith("api-usage=")
    unknown_version = _raw(sf_sandbox, "GET", "/services/data/v9.0/limits/")
    assert unknown_version.status_code == 404 and unknown_version.json()[0]["errorCode"] == "NOT_FOUND"
