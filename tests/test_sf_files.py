"""Files on Salesforce records: the sandbox's sObject Blob Get and `SalesforceClient.download_file`, over real HTTPS."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator

import pytest
import requests

from core.settings import settings_from
from sandbox.salesforce.server import SalesforceSandbox
from tools.document_errors import DocumentTooLargeError
from tools.salesforce import SalesforceClient, SalesforceFile
from tools.salesforce.errors import FileNotFound, RecordNotFound
from tools.salesforce.files import MalformedSalesforceId

VERSION = "59.0"
# Not valid UTF-8, with NULs and CR/LF: any text decoding or newline translation on the way would show.
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\r\n\x00\x01\xff" + os.urandom(300_000) + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(tmp_path_factory.mktemp("sf-files"), opportunities=20, seed=5) as sandbox:
        yield sandbox


@pytest.fixture
def client(org: SalesforceSandbox) -> SalesforceClient:
    org.faults.clear()
    org.reset_usage()
    client = SalesforceClient.from_settings(settings_from(org.env()))
    client.backoff_base = 0.01
    return client


def _raw(org: SalesforceSandbox, method: str, path: str, **kwargs: object) -> requests.Response:
    return org.requests_session().request(method, f"{org.instance_url}{path}", timeout=30,
                                          headers={"Authorization": f"Bearer {org.access_token}"}, **kwargs)


def _opportunity_id(org: SalesforceSandbox) -> str:
    return org.client().query("SELECT Id FROM Opportunity ORDER BY Id LIMIT 1")["records"][0]["Id"]


def _upload(org: SalesforceSandbox, data: bytes, path: str = "msa.pdf", **fields: str) -> str:
    """A ContentVersion created over the REST API, as a Flow or a user's upload would; returns its id."""
    created = org.client().ContentVersion.create({
        "Title": path.rsplit(".", 1)[0], "PathOnClient": path, "VersionData": base64.b64encode(data).decode(),
        **fields})
    return created["id"]


def _document_of(org: SalesforceSandbox, version_id: str) -> str:
    return org.client().ContentVersion.get(version_id)["ContentDocumentId"]


@pytest.fixture(scope="module")
def uploaded(org: SalesforceSandbox) -> tuple[str, str, str]:
    """(opportunity id, ContentVersion id, ContentDocument id) of a PDF published to an Opportunity."""
    opportunity = _opportunity_id(org)
    version = _upload(org, PDF_BYTES, FirstPublishLocationId=opportunity)
    return opportunity, version, _document_of(org, version)


# --- the client ------------------------------------------------------------------------------------------------


def test_download_returns_the_exact_bytes_of_a_file_on_an_opportunity(
        org: SalesforceSandbox, client: SalesforceClient, uploaded: tuple[str, str, str]) -> None:
    opportunity, version, document = uploaded
    links = org.client().query(
        f"SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '{document}'")["records"]
    assert [link["LinkedEntityId"] for link in links] == [opportunity]
    org.reset_usage()

    file = client.download_file(document)

    assert isinstance(file, SalesforceFile)
    assert file.data == PDF_BYTES
    assert file.sha256 == hashlib.sha256(PDF_BYTES).hexdigest() and file.size == len(PDF_BYTES)
    assert (file.content_document_id, file.content_version_id) == (document, version)
    assert (file.title, file.file_extension) == ("msa", "pdf")
    assert org.api_calls == 2 and client.calls == 2  # the version query, then the bytes
    assert client.api_usage is not None and client.api_usage.used == org.api_calls
    assert "data" not in repr(file)  # megabytes of bytes stay out of logs and tracebacks


def test_a_new_version_of_the_document_is_the_one_downloaded(org: SalesforceSandbox, client: SalesforceClient) -> None:
    first = _upload(org, b"first draft", "nda.docx", FirstPublishLocationId=_opportunity_id(org))
    document = _document_of(org, first)
    second = _upload(org, b"signed copy, version two", "nda-signed.pdf", ContentDocumentId=document)

    file = client.download_file(document)

    assert file.content_version_id == second and file.content_version_id != first
    assert file.data == b"signed copy, version two"
    assert (file.title, file.file_extension) == ("nda-signed", "pdf")
    # A 15-character id names the same document.
    assert client.download_file(document[:15]).content_version_id == second


def test_an_unknown_document_is_a_typed_not_found(client: SalesforceClient, uploaded: tuple[str, str, str]) -> None:
    document = uploaded[2]
    unknown = document[:-4] + ("Z" if document[-4] != "Z" else "Y") + document[-3:]
    with pytest.raises(FileNotFound) as caught:
        client.download_file(unknown[:15])
    assert isinstance(caught.value, RecordNotFound) and caught.value.status == 404
    assert unknown[:15] in str(caught.value)


@pytest.mark.parametrize("bad", [
    "", "069", "0695g00000000001", "0695g000000000001AAAX", "0015g0000000001AAA", "0685g000000000A",
    "069' OR Id != '", "0695g00000000 1AAA",
])
def test_a_malformed_id_is_refused_before_any_call(org: SalesforceSandbox, client: SalesforceClient, bad: str) -> None:
    with pytest.raises(MalformedSalesforceId) as caught:
        client.download_file(bad)
    assert isinstance(caught.value, ValueError)
    assert client.calls == 0 and org.api_calls == 0


def test_a_file_over_the_document_limit_is_refused_before_its_bytes_are_read(
        org: SalesforceSandbox, client: SalesforceClient, uploaded: tuple[str, str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    document = uploaded[2]
    with pytest.raises(DocumentTooLargeError) as caught:
        client.download_file(document, max_bytes=len(PDF_BYTES) - 1)
    assert caught.value.reason == "too_large" and document in str(caught.value)
    assert org.api_calls == 1  # the query gave ContentSize; the bytes were never asked for

    # The default cap is the document limits' own (CONTRACTLOOP_DOCUMENT_MAX_BYTES), and exactly at it is fine.
    monkeypatch.setenv("CONTRACTLOOP_DOCUMENT_MAX_BYTES", str(len(PDF_BYTES) - 1))
    with pytest.raises(DocumentTooLargeError):
        client.download_file(document)
    monkeypatch.setenv("CONTRACTLOOP_DOCUMENT_MAX_BYTES", str(len(PDF_BYTES)))
    assert client.download_file(document).data == PDF_BYTES


def test_bytes_longer_than_the_declared_size_are_cut_off_at_the_limit(
        org: SalesforceSandbox, client: SalesforceClient, uploaded: tuple[str, str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ContentSize can be wrong (or absent): the download itself still stops at the cap."""
    monkeypatch.setattr("tools.salesforce.client.declared_size", lambda record: None)
    with pytest.raises(DocumentTooLargeError):
        client.download_file(uploaded[2], max_bytes=1000)
    assert org.api_calls == 2  # this time the bytes were asked for, and refused


def test_a_transient_fault_on_the_download_is_retried(
        org: SalesforceSandbox, client: SalesforceClient, uploaded: tuple[str, str, str]) -> None:
    org.inject("SERVER_UNAVAILABLE", count=2, path="/VersionData$")
    assert client.download_file(uploaded[2]).data == PDF_BYTES
    assert org.api_calls == 4 and client.calls == 4


def test_an_expired_session_is_renewed_for_the_download(
        org: SalesforceSandbox, client: SalesforceClient, uploaded: tuple[str, str, str]) -> None:
    client.download_file(uploaded[2])
    org.inject("EXPIRE_SESSIONS")
    assert client.download_file(uploaded[2]).data == PDF_BYTES


# --- the sandbox's blob resource, as real Salesforce serves it ------------------------------------------------------


def test_blob_get_serves_raw_octet_stream(org: SalesforceSandbox, uploaded: tuple[str, str, str]) -> None:
    version = uploaded[1]
    response = _raw(org, "GET", f"/services/data/v{VERSION}/sobjects/ContentVersion/{version}/VersionData")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/octet")
    assert response.content == PDF_BYTES
    assert "Sforce-Limit-Info" in response.headers
    # Field names are case-insensitive, and a 15-character id works too, as everywhere else.
    lower = _raw(org, "GET", f"/services/data/v{VERSION}/sobjects/contentversion/{version[:15]}/versiondata")
    assert lower.status_code == 200 and lower.content == PDF_BYTES


@pytest.mark.parametrize("tail", ["Title", "NoSuchField", "VersionData"])
def test_blob_get_of_a_missing_record_or_non_blob_field_is_not_found(
        org: SalesforceSandbox, uploaded: tuple[str, str, str], tail: str) -> None:
    version = uploaded[1]
    record = "0685g0000000ZZZ" if tail == "VersionData" else version
    response = _raw(org, "GET", f"/services/data/v{VERSION}/sobjects/ContentVersion/{record}/{tail}")
    assert response.status_code == 404
    body = response.json()
    assert isinstance(body, list) and body[0]["errorCode"] == "NOT_FOUND" and body[0]["message"]


def test_blob_get_of_a_deleted_version_is_entity_is_deleted(org: SalesforceSandbox) -> None:
    version = _upload(org, b"to be deleted", "scratch.txt")
    document = _document_of(org, version)
    org.client().restful(f"sobjects/ContentDocument/{document}", method="DELETE")
    response = _raw(org, "GET", f"/services/data/v{VERSION}/sobjects/ContentVersion/{version}/VersionData")
    assert response.status_code == 404 and response.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_the_external_id_route_is_untouched(org: SalesforceSandbox) -> None:
    sf = org.client()
    campaign = sf.Campaign.create({"Name": "Files", "Contractloop_Key__c": "files-campaign"})["id"]
    assert sf.Campaign.get_by_custom_id("Contractloop_Key__c", "files-campaign")["Id"] == campaign
    # A record id in the external-id field's place is not a field, so it is the blob route: Name is no blob.
    response = _raw(org, "GET", f"/services/data/v{VERSION}/sobjects/Campaign/{campaign}/Name")
    assert response.status_code == 404 and response.json()[0]["errorCode"] == "NOT_FOUND"


def test_record_and_query_give_the_blob_url_not_the_data(org: SalesforceSandbox, uploaded: tuple[str, str, str]) -> None:
    version = uploaded[1]
    url = f"/services/data/v{VERSION}/sobjects/ContentVersion/{version}/VersionData"
    sf = org.client()
    assert sf.ContentVersion.get(version)["VersionData"] == url
    rows = sf.query(f"SELECT Id, VersionData FROM ContentVersion WHERE Id = '{version}'")["records"]
    assert rows[0]["VersionData"] == url
    assert _raw(org, "GET", url).content == PDF_BYTES


def test_composite_refuses_a_blob_subrequest(org: SalesforceSandbox, uploaded: tuple[str, str, str]) -> None:
    url = f"/services/data/v{VERSION}/sobjects/ContentVersion/{uploaded[1]}/VersionData"
    body = {"compositeRequest": [{"method": "GET", "url": url, "referenceId": "blob"}]}
    result = org.client().restful("composite", method="POST", json=body)
    sub = result["compositeResponse"][0]
    assert sub["httpStatusCode"] == 400 and sub["body"][0]["errorCode"] == "INVALID_API_INPUT"
