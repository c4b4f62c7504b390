"""Files the audit packet on its Opportunity as a Salesforce File: one ContentVersion, upserted by a key of the
executed contract (its workflow and the SHA-256 of the signed PDF), with FirstPublishLocationId = the
Opportunity, so Salesforce creates the ContentDocument and links it to the deal.

A replayed webhook finds the file under the same key and attaches nothing new: Salesforce takes a file's
content, name and first location on create only, so the replay's upsert updates the title and description.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from tools.audit_packet import AuditPacket
from tools.salesforce.soql_rows import soql_string
from tools.write_plan import WriteOp, WritePlan, for_existing

PACKET_REF = "auditPacket"
# Read back under the key before planning: the parent is compared, so a key never moves a file to another deal.
HELD_FIELDS = ("Id", "FirstPublishLocationId")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def packet_key(packet: AuditPacket) -> str:
    """One file per executed document of a workflow: a re-signed contract gets a packet of its own."""
    return f"audit-packet-{packet.workflow_id}-{packet.executed_pdf_sha256[:16]}"


def packet_file_name(packet: AuditPacket) -> str:
    return f"audit-packet-{_UNSAFE_NAME.sub('-', packet.workflow_id).strip('-') or 'workflow'}.pdf"


def held_packet_query(key: str) -> str:
    """SOQL for the packet file already filed under `key` (no row: none yet)."""
    return f"SELECT {', '.join(HELD_FIELDS)} FROM ContentVersion WHERE Contractloop_Key__c = '{soql_string(key)}'"


def attachment_plan(packet: AuditPacket, pdf: bytes, correlation_id: str,
                    held: dict[str, Any] | None = None) -> WritePlan:
    """The write plan that files `pdf` (the rendered `packet`) on the packet's Opportunity.

    `held` is the row `held_packet_query(packet_key(packet))` returned, or None when it returned none; with a
    row, the create-only fields are left out (and a file held on another record is refused).
    """
    missing = len(packet.missing)
    description = (f"Audit packet for {packet.executed_pdf_name} (SHA-256 {packet.executed_pdf_sha256}), "
                   f"Ironclad workflow {packet.workflow_id}: {len(packet.attestations)} required clause(s) "
                   f"attested, {missing} missing.")
    op = WriteOp(
        ref=PACKET_REF, action="upsert", sobject="ContentVersion", external_id=packet_key(packet),
        fields={"Title": f"Audit packet - {packet.opportunity_name}"[:255],
                "PathOnClient": packet_file_name(packet),
                "VersionData": base64.b64encode(pdf).decode("ascii"),
                "FirstPublishLocationId": packet.opportunity_id,
                "Description": description[:1000]},
        citations={"VersionData": f"audit packet PDF of {len(pdf)} bytes"},
    )
    plan = WritePlan(correlation_id=correlation_id, operations=[op],
                     summary=f"audit packet for Ironclad workflow {packet.workflow_id}")
    current = None if held is None else {k: held[k] for k in HELD_FIELDS if k in held}
    return for_existing(plan, {PACKET_REF: current})
