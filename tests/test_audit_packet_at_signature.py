"""At signature, a regulated deal's executed contract gets its audit packet on the Opportunity: the signed copy's
hash, each required clause attested with quote and page or named missing, the approval trail and the correlation
id; filed once, however often the contract is synced again. An unregulated deal gets none."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop

BANK = DealSpec(account_name="Fjord Savings Bank", region="NA", deal_type="Expansion", term_months=12,
                payment_terms_days=30, governing_law="State of New York", industry="Banking",
                lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def _sync(loop: Loop, workflow_id: str, thread: str) -> dict[str, Any]:
    graph, ctx = loop.graph()
    task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": thread}}
    return graph.invoke(task, {"configurable": {"thread_id": thread}}, context=ctx)


def _packets(loop: Loop, opportunity_id: str) -> list[dict[str, Any]]:
    links = loop.salesforce.query("SELECT ContentDocumentId FROM ContentDocumentLink "
                                  f"WHERE LinkedEntityId = '{opportunity_id}'")
    if not links:
        return []
    ids = "', '".join(link["ContentDocumentId"] for link in links)
    return loop.salesforce.query("SELECT Id, ContentDocumentId, Title, Contractloop_Key__c FROM ContentVersion "
                                 f"WHERE ContentDocumentId IN ('{ids}') AND Title LIKE 'Audit packet%'")


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_regulated_deal_carries_its_audit_packet_after_signature_and_a_resync_files_nothing_new(
        loop: Loop) -> None:
    opportunity_id, workflow_id = loop.signed_workflow(BANK)
    result = _sync(loop, workflow_id, f"sync-{workflow_id}")
    assert result["status"] == "completed", result.get("error")
    contract = result["contract"]
    assert contract.compliance.profiles == ["financial_services"] and contract.packet_key
    assert any(line.startswith("audit_packet: filed on") for line in result["log"])

    [packet] = _packets(loop, opportunity_id)
    assert packet["Contractloop_Key__c"] == contract.packet_key
    text = _text(loop.salesforce.download_file(packet["ContentDocumentId"]).data)
    assert contract.document_sha256 in text.replace(" ", "") and result["correlation_id"] in text
    assert "Security addendum" in text and "Financial services deal: no Security addendum found" in text
    assert workflow_id in text

    again = _sync(loop, workflow_id, f"resync-{workflow_id}")  # the thread lost, Ironclad delivers again
    assert again["status"] == "completed" and again["contract"].packet_key == contract.packet_key
    assert len(_packets(loop, opportunity_id)) == 1


def test_an_unregulated_deal_gets_no_packet(loop: Loop) -> None:
    opportunity_id, workflow_id = loop.signed_workflow(BANK.model_copy(update={
        "account_name": "Fjord Software", "industry": "Technology"}))
    result = _sync(loop, workflow_id, f"sync-{workflow_id}")
    assert result["status"] == "completed"
    assert result["contract"].compliance is None and result["contract"].packet_key is None
    assert _packets(loop, opportunity_id) == []
