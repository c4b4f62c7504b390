"""The demo's inbound-paper step: a counterparty's NDA attached to a deal, reviewed through the Flow route, and
the review and the approver's Task as Salesforce holds them."""

from __future__ import annotations

import base64
import textwrap
import time
from pathlib import Path
from typing import Any, cast

import httpx

from contractloop.render import console, short
from tools.salesforce import SalesforceClient

PAPER = Path(__file__).parent / "demo_paper" / "counterparty_nda.txt"


def attach(sf: SalesforceClient, opportunity_id: str, title: str, data: bytes, file_name: str) -> str:
    """A file on the Opportunity as a user attaches one (ContentVersion published to the record)."""
    created = cast(Any, sf.sf).ContentVersion.create({"Title": title, "PathOnClient": file_name,
                                           "FirstPublishLocationId": opportunity_id,
                                           "VersionData": base64.b64encode(data).decode()})
    rows = sf.query(f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = '{created['id']}'")
    return str(rows[0]["ContentDocumentId"])


def wait_thread(flow: httpx.Client, thread_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = flow.get(f"/flow/threads/{thread_id}").json()
        if status.get("status") in ("completed", "failed"):
            return dict(status)
        if time.monotonic() > deadline:
            raise SystemExit(f"review thread {thread_id} did not finish in {timeout:.0f} s: {status}")
        time.sleep(0.3)


def show_review(flow: httpx.Client, sf: SalesforceClient, opportunity_id: str, deal_name: str) -> str:
    """Attach, review, print; the review's route ('Legal', 'Sales', 'Auto-approved') or the failure."""
    document_id = attach(sf, opportunity_id, "Counterparty mutual NDA", PAPER.read_bytes(), "counterparty-nda.txt")
    body = {"opportunity_id": opportunity_id, "content_document_id": document_id,
            "event_id": f"attach-{document_id}"}
    answer = flow.post("/flow/document-reviews", json=body)
    answer.raise_for_status()
    console.print(f"  [bold]{deal_name}[/bold]: the counterparty sends its own NDA, attached to the Opportunity as "
                  f"File {document_id}")
    accepted = answer.json()
    console.print(f"    POST /flow/document-reviews → review {accepted['status']}, thread {accepted['thread_id']}")
    status = wait_thread(flow, accepted["thread_id"])
    if status["status"] != "completed":
        console.print(f"    [red]review {status['status']}: {status.get('error')}[/red]")
        return "failed"
    reviews = sf.query("SELECT Name, Risk_Score__c, Route__c, Status__c, Paper_Kind__c, Deviations__c, "
                       f"Deviation_Count__c FROM Contract_Review__c WHERE Content_Document_Id__c = '{document_id}'")
    if not reviews:  # read_only: the review stays in the run; the mode refused its Salesforce record
        refusals = status.get("refusals") or []
        console.print(f"    reviewed; nothing written to Salesforce ({len(refusals)} write(s) refused by the "
                      "rollout mode)")
        return "not written (read-only)"
    [review] = reviews
    console.print(f"    Contract_Review__c {review['Name']}: {review['Paper_Kind__c']}, risk score "
                  f"{review['Risk_Score__c']:.0f}/100, route {review['Route__c']} ({review['Status__c']}), "
                  f"{review['Deviation_Count__c']:.0f} deviations from the playbook:")
    for line in (review["Deviations__c"] or "").splitlines():
        head, _, rest = line.partition(" Standard: ")
        ask = rest.partition(" Ask: ")[2]
        console.print(f"      {short(head, 150)}", highlight=False)
        console.print(f"        negotiate: {short(ask, 140)}", highlight=False)
    for task in sf.query(f"SELECT Subject, Priority FROM Task WHERE WhatId = '{opportunity_id}' "
                         "AND Subject LIKE '%Inbound paper%'"):
        console.print(f"    Task for the approver: {task['Subject']} ({task['Priority']} priority)")
    return str(review["Route__c"])


def show_audit_packets(sf: SalesforceClient, opportunity_ids: list[str]) -> int:
    """Each regulated deal's audit packet as Salesforce holds it (a File on the Opportunity); how many."""
    if not opportunity_ids:
        return 0
    ids = "', '".join(opportunity_ids)
    versions = sf.query("SELECT Title, ContentDocumentId, ContentSize, Description FROM ContentVersion "
                        f"WHERE FirstPublishLocationId IN ('{ids}') AND Contractloop_Key__c LIKE 'audit-packet-%'")
    for version in versions:
        console.print(f"    [bold]{version['Title']}[/bold]: File {version['ContentDocumentId']} on the "
                      f"Opportunity ({version['ContentSize']:,} bytes)")
        for line in textwrap.wrap(version["Description"] or "", 104):
            console.print(f"      {line}", highlight=False)
    return len(versions)
