"""The audit packet PDF: what it says (read back with pypdf), the same bytes for the same packet, text beyond
Latin-1, long quotes wrapped, and filing it on the Opportunity over real HTTP exactly once however often the
webhook is replayed."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import UTC, datetime, timedelta, timezone

import pypdf
import pytest

from core.settings import Settings
from playbook_store.compliance import check_compliance, profiles_for
from playbook_store.compliance_rules import ComplianceDeal
from sandbox.salesforce.server import SalesforceSandbox
from tools.audit_packet import (
    REPLACEMENT,
    ApprovalEntry,
    AuditPacket,
    PacketAttestation,
    PacketMissing,
    PacketRisk,
    printable,
    render_audit_packet,
)
from tools.document_model import Document
from tools.packet_attachment import PACKET_REF, attachment_plan, held_packet_query, packet_key
from tools.salesforce import SalesforceClient
from tools.write_plan import WriteNotAllowed, check_allowed

EXECUTED_PDF = b"%PDF-1.7 the executed contract, as signed"
SHA = hashlib.sha256(EXECUTED_PDF).hexdigest()
GENERATED = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


def _packet(**overrides: object) -> AuditPacket:
    base: dict[str, object] = {
        "opportunity_id": "006000000000001AAA", "opportunity_name": "Harborgate Bank - New Logo",
        "account_name": "Harborgate Bank", "workflow_id": "6630b1e8f1d2a3b4c5d6e7f8",
        "workflow_link": "https://ironclad.example/workflow/6630b1e8f1d2a3b4c5d6e7f8",
        "executed_pdf_sha256": SHA, "executed_pdf_name": "Harborgate MSA (executed).pdf",
        "attestations": [PacketAttestation(clause="Audit rights", page=3, quote=(
            "8.3 Audit Rights. Once in any twelve (12) month period, on at least thirty (30) days' written "
            "notice, Customer may audit Provider's compliance with Section 7."))],
        "missing": [PacketMissing(clause="Security addendum",
                                  message="Financial services deal: no Security addendum found")],
        "approvals": [
            ApprovalEntry(who="Dana Whitfield", role="deal_desk", decision="approve", source="run log",
                          when=datetime(2025, 3, 10, 16, 5, tzinfo=UTC), comment="Within discount policy."),
            ApprovalEntry(who="Priya Raman", role="Legal", decision="approved", source="Ironclad approvals",
                          when=datetime(2025, 3, 11, 8, 0, tzinfo=timezone(timedelta(hours=-5))))],
        "risks": [PacketRisk(title="Payment terms beyond net 30", severity="low",
                             detail="Payment terms of net 45 days exceed the standard net 30.")],
        "correlation_id": "corr-7f3a9c2e5b1d", "generated_at": GENERATED,
    }
    return AuditPacket.model_validate(base | overrides)


def _read(pdf: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader


def test_the_packet_reads_back_with_hash_correlation_clauses_and_approvers() -> None:
    text, reader = _read(render_audit_packet(_packet()))
    for expected in (SHA, "corr-7f3a9c2e5b1d", "Audit rights", "Security addendum", "Dana Whitfield",
                     "Priya Raman", "Harborgate MSA (executed).pdf", "6630b1e8f1d2a3b4c5d6e7f8",
                     "Payment terms beyond net 30", "Financial services deal: no Security addendum found",
                     "found on page 3", "Source: Ironclad approvals", "Source: run log", "MISSING"):
        assert expected in text, expected
    assert "Customer may audit Provider's compliance with Section 7." in text
    assert "2025-03-11 13:00 UTC" in text  # an approval's time is shown in UTC
    assert text.index("Dana Whitfield") < text.index("Priya Raman")  # the trail in time order
    assert reader.metadata is not None and reader.metadata.creation_date == GENERATED


def test_identical_packets_give_identical_bytes_and_a_new_time_new_bytes() -> None:
    first, again = render_audit_packet(_packet()), render_audit_packet(_packet())
    assert first == again
    later = render_audit_packet(_packet(generated_at=GENERATED + timedelta(seconds=1)))
    assert later != first
    metadata = pypdf.PdfReader(io.BytesIO(later)).metadata
    assert metadata is not None and metadata.creation_date == GENERATED + timedelta(seconds=1)


def test_text_beyond_latin_1_prints_as_written_and_unknown_glyphs_visibly() -> None:
    packet = _packet(
        account_name="Łódź Medyczna Sp. z o.o. \u2014 \u041e\u041e\u041e \u00ab\u0420\u043e\u043c\u0430\u0448\u043a\u0430\u00bb",
        approvals=[ApprovalEntry(who="Zoë Ångström-Çelik", role="Legal", decision="approve", source="run log",
                                 comment="Greek counterpart: \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ae \u0391.\u0395.")],
        attestations=[PacketAttestation(clause="Data Processing Addendum (DPA)", page=2,
                                        quote="the \u201cProcessor\u201d shall pay \u20ac10,000 \u2026 \u738b\u5c0f\u660e \U0001f600")])
    text, _ = _read(render_audit_packet(packet))
    for expected in ("Łódź Medyczna", "\u00ab\u0420\u043e\u043c\u0430\u0448\u043a\u0430\u00bb", "Zoë Ångström-Çelik",
                     "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ae", "\u201cProcessor\u201d", "\u20ac10,000"):
        assert expected in text, expected
    assert "\u738b" not in text and REPLACEMENT in text  # no glyph in DejaVu Sans: shown, never dropped
    assert printable("a\u0000b\tc\r\nd \u738b") == f"a b c\nd {REPLACEMENT}"


def test_a_long_quote_wraps_within_the_page_and_runs_on_to_the_next() -> None:
    words = [f"word{n:04d}" for n in range(900)]
    packet = _packet(attestations=[PacketAttestation(clause="Audit rights", page=1, quote=" ".join(words))])
    text, reader = _read(render_audit_packet(packet))
    assert len(reader.pages) >= 2
    assert all(w in text for w in words)
    page = reader.pages[0]
    lines = page.extract_text().splitlines()
    assert max(len(line) for line in lines) < 130  # wrapped, not one run-on line past the margin


def test_a_report_of_the_checker_fills_the_packet() -> None:
    """The checker's attestations go into the packet as they are: clause, verbatim quote, page."""
    document = Document.from_pages(["Cover page.", "Supplier shall maintain a written information security "
                                    "program and comply with the Security Addendum. Customer may audit Supplier."],
                                   media_type="application/pdf")
    report = check_compliance(profiles_for(ComplianceDeal(industry="Banking")), document.text, [], document.pages)
    packet = _packet(
        attestations=[PacketAttestation(clause=c.clause, quote=c.attestation.quote, page=c.attestation.page)
                      for c in report.attested if c.attestation],
        missing=[PacketMissing(clause=b.clause, message=b.message) for b in report.blocking])
    text, _ = _read(render_audit_packet(packet))
    assert "Security addendum: found on page 2" in text and "Audit rights: found on page 2" in text


# --- attaching it to the Opportunity ----------------------------------------------------------------------------


def test_the_attachment_plan_is_allowed_and_leaves_create_only_fields_out_on_replay() -> None:
    packet, pdf = _packet(), render_audit_packet(_packet())
    plan = attachment_plan(packet, pdf, "corr-7f3a9c2e5b1d")
    check_allowed(plan)
    (op,) = plan.operations
    assert op.sobject == "ContentVersion" and op.action == "upsert" and op.external_id == packet_key(packet)
    assert base64.b64decode(op.fields["VersionData"]) == pdf
    assert op.fields["FirstPublishLocationId"] == packet.opportunity_id
    assert op.fields["PathOnClient"].endswith(".pdf")
    held = {"Id": "068000000000001AAA", "FirstPublishLocationId": packet.opportunity_id,
            "VersionData": "/services/data/v59.0/sobjects/ContentVersion/068000000000001AAA/VersionData"}
    assert sorted(attachment_plan(packet, pdf, "corr-x1234567", held).operations[0].fields) == ["Description", "Title"]
    with pytest.raises(WriteNotAllowed, match="FirstPublishLocationId"):
        attachment_plan(packet, pdf, "corr-x1234567", held | {"FirstPublishLocationId": "006000000000002AAA"})


def test_a_new_executed_document_gets_a_key_of_its_own() -> None:
    assert packet_key(_packet()) != packet_key(_packet(executed_pdf_sha256=hashlib.sha256(b"re-signed").hexdigest()))
    assert packet_key(_packet()) == packet_key(_packet(generated_at=GENERATED + timedelta(days=1)))


@pytest.fixture
def client(sf_sandbox: SalesforceSandbox) -> SalesforceClient:
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in sf_sandbox.env().items()})
    sf_sandbox.faults.clear()
    return SalesforceClient.from_settings(settings)


def _attach(client: SalesforceClient, packet: AuditPacket, correlation_id: str) -> bool:
    """What the webhook does: read what is held under the key, then apply the plan. True if it created."""
    held = client.query(held_packet_query(packet_key(packet)))
    plan = attachment_plan(packet, render_audit_packet(packet), correlation_id, held[0] if held else None)
    (result,) = client.apply(plan)
    assert result.ref == PACKET_REF and result.success
    return bool(result.created)


def test_a_replayed_webhook_leaves_exactly_one_file_on_the_opportunity(client: SalesforceClient) -> None:
    opportunity = client.query("SELECT Id, Name FROM Opportunity WHERE IsClosed = false ORDER BY Id DESC LIMIT 1")[0]
    packet = _packet(opportunity_id=opportunity["Id"], opportunity_name=opportunity["Name"],
                     workflow_id=f"wf-{opportunity['Id'][-6:]}")
    pdf = render_audit_packet(packet)
    links_before = client.query(f"SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{opportunity['Id']}'")
    assert _attach(client, packet, "corr-first-delivery") is True
    assert _attach(client, packet, "corr-replayed-delivery") is False
    # A later replay renders the packet afresh (a new generated_at): still the one file, as first filed.
    assert _attach(client, packet.model_copy(update={"generated_at": GENERATED + timedelta(hours=2)}),
                   "corr-replayed-later") is False

    key = packet_key(packet)
    versions = client.query(f"SELECT Id, ContentDocumentId, FirstPublishLocationId, Contractloop_Correlation_Id__c "
                            f"FROM ContentVersion WHERE Contractloop_Key__c = '{key}'")
    assert len(versions) == 1
    document_id = versions[0]["ContentDocumentId"]
    assert versions[0]["FirstPublishLocationId"] == opportunity["Id"]
    assert versions[0]["Contractloop_Correlation_Id__c"] == "corr-replayed-later"
    assert len(client.query(f"SELECT Id FROM ContentVersion WHERE ContentDocumentId = '{document_id}'")) == 1
    assert len(client.query(f"SELECT Id FROM ContentDocument WHERE Id = '{document_id}'")) == 1
    links = client.query(f"SELECT Id, ContentDocumentId FROM ContentDocumentLink "
                         f"WHERE LinkedEntityId = '{opportunity['Id']}'")
    assert len(links) == len(links_before) + 1
    assert [link["ContentDocumentId"] for link in links].count(document_id) == 1
    stored = client.get("ContentVersion", versions[0]["Id"])
    assert stored["FileType"] == "PDF" and stored["ContentSize"] == len(pdf)
    filed = client.download_file(document_id)  # the bytes as Salesforce serves them (sObject Blob Get)
    assert filed.data == pdf
    text, _ = _read(filed.data)
    assert SHA in text and "corr-7f3a9c2e5b1d" in text
