"""Bulk API 2.0 ingest through simple-salesforce's `sf.bulk2.<Object>` over real HTTPS."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest

from sandbox.salesforce.server import SalesforceSandbox


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_bulk_insert_reports_successes_and_failures(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    records = [{"Name": f"Bulk {tag} {n}", "Industry": "Energy"} for n in range(5)]
    records.append({"Name": "", "Industry": "Energy"})  # empty cell: Name stays unset -> required field missing
    records.append({"Name": f"Bulk {tag} bad", "Industry": "Not An Industry"})  # unrestricted picklist: accepted
    [result] = sf.bulk2.Account.insert(records=records, wait=0)
    assert result["numberRecordsProcessed"] == 7 and result["numberRecordsFailed"] == 1
    assert result["numberRecordsTotal"] == 7

    successes = _rows(sf.bulk2.Account.get_successful_records(result["job_id"]))
    assert len(successes) == 6 and all(r["sf__Created"] == "true" for r in successes)
    assert {r["Name"] for r in successes} == {rec["Name"] for rec in records if rec["Name"]}
    failures = _rows(sf.bulk2.Account.get_failed_records(result["job_id"]))
    assert len(failures) == 1 and failures[0]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert sf.query(f"SELECT COUNT() FROM Account WHERE Name LIKE 'Bulk {tag} %'")["totalSize"] == 6
    assert _rows(sf.bulk2.Account.get_unprocessed_records(result["job_id"])) == []


def test_bulk_upsert_twice_creates_then_updates(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    records = [{"Contractloop_Key__c": f"{tag}-{n}", "Subject": f"Bulk task {n}", "Priority": "Low"}
               for n in range(4)]
    [first] = sf.bulk2.Task.upsert(records=records, external_id_field="Contractloop_Key__c", wait=0)
    [second] = sf.bulk2.Task.upsert(records=[{**r, "Priority": "High"} for r in records],
                                    external_id_field="Contractloop_Key__c", wait=0)
    assert first["numberRecordsFailed"] == second["numberRecordsFailed"] == 0
    created = [r["sf__Created"] for r in _rows(sf.bulk2.Task.get_successful_records(first["job_id"]))]
    updated = [r["sf__Created"] for r in _rows(sf.bulk2.Task.get_successful_records(second["job_id"]))]
    assert created == ["true"] * 4 and updated == ["false"] * 4
    rows = sf.query(f"SELECT Priority FROM Task WHERE Contractloop_Key__c LIKE '{tag}-%'")["records"]
    assert [r["Priority"] for r in rows] == ["High"] * 4


def test_bulk_update_and_delete(sf: Salesforce) -> None:
    tag = uuid.uuid4().hex[:8]
    [inserted] = sf.bulk2.Contact.insert(records=[{"LastName": f"Bulk {tag} {n}"} for n in range(3)], wait=0)
    ids = [r["sf__Id"] for r in _rows(sf.bulk2.Contact.get_successful_records(inserted["job_id"]))]
    [updated] = sf.bulk2.Contact.update(records=[{"Id": i, "Title": "Counsel"} for i in ids], wait=0)
    assert updated["numberRecordsFailed"] == 0
    assert {sf.Contact.get(i)["Title"] for i in ids} == {"Counsel"}
    [deleted] = sf.bulk2.Contact.delete(records=[{"Id": i} for i in ids], wait=0)
    assert deleted["numberRecordsProcessed"] == 3 and deleted["numberRecordsFailed"] == 0
    assert sf.query(f"SELECT COUNT() FROM Contact WHERE LastName LIKE 'Bulk {tag} %'")["totalSize"] == 0


def test_bad_jobs_are_refused(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        sf.bulk2.Task.upsert(records=[{"Subject": "x"}], external_id_field="Subject", wait=0)
    with pytest.raises(SalesforceMalformedRequest):
        sf.bulk2.Nonexistent__c.insert(records=[{"Name": "x"}], wait=0)
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Account", "operation": "insert"})
    assert job["state"] == "Open" and job["jobType"] == "V2Ingest"
    aborted = sf.restful(f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "Aborted"})
    assert aborted["state"] == "Aborted"
    listed = sf.restful("jobs/ingest")
    assert job["id"] in {j["id"] for j in listed["records"]}


def test_raw_upload_is_201_and_abort_leaves_rows_unprocessed(sf: Salesforce, sf_sandbox: SalesforceSandbox) -> None:
    job = sf.restful("jobs/ingest", method="POST", json={"object": "Contact", "operation": "insert",
                                                         "contentType": "CSV", "lineEnding": "LF"})
    session = sf_sandbox.requests_session()
    upload = session.put(f"{sf_sandbox.instance_url}/services/data/v59.0/jobs/ingest/{job['id']}/batches",
                         data="LastName,Title\nUnsent,Counsel\n",
                         headers={"Authorization": f"Bearer {sf_sandbox.access_token}",
                                  "Content-Type": "text/csv; charset=UTF-8"}, timeout=30)
    assert upload.status_code == 201 and upload.content == b""
    assert sf.restful(f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "Aborted"})["state"] == "Aborted"
    assert _rows(sf.bulk2.Contact.get_unprocessed_records(job["id"])) == [{"LastName": "Unsent", "Title": "Counsel"}]
    with pytest.raises(SalesforceError) as closed:
        sf.restful(f"jobs/ingest/{job['id']}", method="PATCH", json={"state": "UploadComplete"})
    assert closed.value.status == 409
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Unsent'")["totalSize"] == 0
