"""Composite and sObject Collections through simple-salesforce's `restful` over real HTTPS."""

from __future__ import annotations

import uuid

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

V = "/services/data/v59.0"


def _composite(sf: Salesforce, subrequests: list[dict], all_or_none: bool) -> list[dict]:
    response = sf.restful("composite", method="POST",
                          json={"allOrNone": all_or_none, "compositeRequest": subrequests})
    return response["compositeResponse"]


def _count(sf: Salesforce, soql: str) -> int:
    return sf.query(soql)["totalSize"]


def test_composite_references_flow_between_subrequests(sf: Salesforce) -> None:
    name = f"Composite {uuid.uuid4().hex[:8]}"
    results = _composite(sf, [
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "acct", "body": {"Name": name}},
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "person",
         "body": {"LastName": "Okafor", "AccountId": "@{acct.id}"}},
        {"method": "GET", "url": f"{V}/query/?q=SELECT+Id,+LastName+FROM+Contact+WHERE+AccountId='@{{acct.id}}'",
         "referenceId": "found"},
        {"method": "PATCH", "url": f"{V}/sobjects/Contact/@{{found.records[0].Id}}", "referenceId": "retitle",
         "body": {"Title": "General Counsel"}},
        {"method": "GET", "url": f"{V}/sobjects/Account/@{{acct.id}}?fields=Name", "referenceId": "readback"},
    ], all_or_none=True)
    assert [r["httpStatusCode"] for r in results] == [201, 201, 200, 204, 200]
    assert [r["referenceId"] for r in results] == ["acct", "person", "found", "retitle", "readback"]
    account_id = results[0]["body"]["id"]
    assert results[0]["httpHeaders"]["Location"] == f"{V}/sobjects/Account/{account_id}"
    assert results[2]["body"]["records"][0]["Id"] == results[1]["body"]["id"]
    assert results[3]["body"] is None and results[4]["body"]["Name"] == name
    contact = sf.Contact.get(results[1]["body"]["id"])
    assert contact["AccountId"] == account_id and contact["Title"] == "General Counsel"


def test_all_or_none_failure_rolls_everything_back(sf: Salesforce) -> None:
    name = f"Rollback {uuid.uuid4().hex[:8]}"
    results = _composite(sf, [
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "acct", "body": {"Name": name}},
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "bad",
         "body": {"FirstName": "No", "AccountId": "@{acct.id}"}},
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "later", "body": {"Name": name}},
    ], all_or_none=True)
    assert [r["httpStatusCode"] for r in results] == [400, 400, 400]
    assert results[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    for halted in (results[0], results[2]):
        assert halted["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert _count(sf, f"SELECT COUNT() FROM Account WHERE Name = '{name}'") == 0


def test_without_all_or_none_failures_are_independent(sf: Salesforce) -> None:
    name = f"Partial {uuid.uuid4().hex[:8]}"
    results = _composite(sf, [
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "bad", "body": {"Industry": "Banking"}},
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "dependent",
         "body": {"LastName": "Ng", "AccountId": "@{bad.id}"}},
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "good", "body": {"Name": name}},
    ], all_or_none=False)
    assert [r["httpStatusCode"] for r in results] == [400, 400, 201]
    assert results[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert "bad.id" in results[1]["body"][0]["message"]
    assert _count(sf, f"SELECT COUNT() FROM Account WHERE Name = '{name}'") == 1


def test_composite_limits_are_enforced(sf: Salesforce) -> None:
    many = [{"method": "GET", "url": f"{V}/sobjects/Account/describe", "referenceId": f"d{n}"} for n in range(26)]
    with pytest.raises(SalesforceMalformedRequest):
        _composite(sf, many, all_or_none=False)
    queries = [{"method": "GET", "url": f"{V}/query/?q=SELECT+Id+FROM+Account+LIMIT+1", "referenceId": f"q{n}"}
               for n in range(6)]
    with pytest.raises(SalesforceMalformedRequest):
        _composite(sf, queries, all_or_none=False)
    with pytest.raises(SalesforceMalformedRequest):
        _composite(sf, [{"method": "GET", "url": f"{V}/limits", "referenceId": "x",
                         "httpHeaders": {"Authorization": "Bearer other"}}], all_or_none=False)
    assert len(_composite(sf, queries[:5], all_or_none=False)) == 5


def test_collections_partial_success_and_all_or_none(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    records = [
        {"attributes": {"type": "Account"}, "Name": f"Coll A {tag}"},
        {"attributes": {"type": "Account"}, "Industry": "Banking"},
        {"attributes": {"type": "Contact"}, "LastName": f"Coll {tag}"},
    ]
    partial = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": records})
    assert [r["success"] for r in partial] == [True, False, True]
    assert partial[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert "errorCode" not in partial[1]["errors"][0]
    assert partial[0]["id"].startswith("001") and partial[2]["id"].startswith("003")

    records_all = [{**r, **({"Name": f"Coll B {tag}"} if "Name" in r else {})} for r in records]
    rolled = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records_all})
    assert [r["success"] for r in rolled] == [False, False, False]
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert rolled[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert _count(sf, f"SELECT COUNT() FROM Account WHERE Name = 'Coll B {tag}'") == 0

    updated = sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Account"}, "id": partial[0]["id"], "Industry": "Energy"},
        {"attributes": {"type": "Account"}, "id": "001000000000000AAA", "Industry": "Energy"},
    ]})
    assert [r["success"] for r in updated] == [True, False]

    fetched = sf.restful("composite/sobjects/Account",
                         params={"ids": f"{partial[0]['id']},001000000000000AAA", "fields": "Name,Industry"})
    assert fetched[0]["Industry"] == "Energy" and fetched[1] is None

    deleted = sf.restful("composite/sobjects", method="DELETE",
                         params={"ids": f"{partial[0]['id']},{partial[2]['id']}", "allOrNone": "true"})
    assert [r["success"] for r in deleted] == [True, True]
    assert _count(sf, f"SELECT COUNT() FROM Contact WHERE LastName = 'Coll {tag}'") == 0


def test_collection_upsert_reports_created_and_limits_size(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    body = {"allOrNone": False, "records": [
        {"attributes": {"type": "Task"}, "Contractloop_Key__c": f"{tag}-{n}", "Subject": f"Step {n}"}
        for n in range(3)]}
    first = sf.restful("composite/sobjects/Task/Contractloop_Key__c", method="PATCH", json=body)
    second = sf.restful("composite/sobjects/Task/Contractloop_Key__c", method="PATCH", json=body)
    assert [r["created"] for r in first] == [True, True, True]
    assert [r["created"] for r in second] == [False, False, False]
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert _count(sf, f"SELECT COUNT() FROM Task WHERE Contractloop_Key__c LIKE '{tag}-%'") == 3

    too_many = {"records": [{"attributes": {"type": "Account"}, "Name": f"x{n}"} for n in range(201)]}
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.restful("composite/sobjects", method="POST", json=too_many)
    assert err.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_outer_all_or_none_overrides_collection_flag(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    results = _composite(sf, [
        {"method": "POST", "url": f"{V}/composite/sobjects", "referenceId": "batch", "body": {
            "allOrNone": False,
            "records": [{"attributes": {"type": "Account"}, "Name": f"Outer {tag}"},
                        {"attributes": {"type": "Account"}, "Industry": "Banking"}]}},
    ], all_or_none=True)
    statuses = [r["success"] for r in results[0]["body"]]
    assert statuses == [False, False]
    assert _count(sf, f"SELECT COUNT() FROM Account WHERE Name = 'Outer {tag}'") == 0
