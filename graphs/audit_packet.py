"""The audit packet at signature: for a regulated deal, one PDF on the Opportunity with the executed copy's
SHA-256 and Ironclad link, each required clause's attestation (quote, page) or its absence, the approval trail,
the risk findings and the correlation id. Filed by key (workflow + document hash): a replay files nothing new.

A packet that cannot be filed is logged and recorded on the run; the sync it follows stands.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from langgraph.runtime import Runtime

from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import ExecutedContract, RunState
from tools.audit_packet import (
    ApprovalEntry,
    AuditPacket,
    PacketAttestation,
    PacketMissing,
    PacketRisk,
    render_audit_packet,
)
from tools.ironclad.errors import IroncladError
from tools.packet_attachment import attachment_plan, held_packet_query, packet_key
from tools.salesforce.errors import SalesforceApiError

_SUMMARY_LINE = re.compile(r"^\[(LOW|MEDIUM|HIGH)\]\s+(.*)$")


def packet_due(s: RunState) -> bool:
    c = s.contract
    return (c is not None and c.compliance is not None and c.packet_deal is not None and c.packet_key is None
            and c.packet_error is None and c.opportunity_id is not None and c.document_sha256 is not None
            and s.status == "completed")


def _approvals(state: RunState, runtime: Runtime[Context], contract: ExecutedContract) -> list[ApprovalEntry]:
    entries: list[ApprovalEntry] = []
    try:
        approvals = services.ironclad(runtime.context).get_approvals(contract.workflow_id)
        for group in approvals.approval_groups:
            for reviewer in group.reviewers:
                if reviewer.status == "approved":
                    entries.append(ApprovalEntry(who=reviewer.display_name or reviewer.role, role=reviewer.role,
                                                 decision="approved", source="Ironclad approvals"))
    except IroncladError as exc:  # the packet still goes out; it says the trail is partial
        entries.append(ApprovalEntry(who="unknown", decision="not read", comment=str(exc)[:300],
                                     source="Ironclad approvals"))
    if state.decision is not None:
        entries.append(ApprovalEntry(who=state.decision.by, decision=state.decision.type,
                                     comment=state.decision.message, role="sync review",
                                     source="run log (automatic)" if state.decision.automatic else "run log"))
    return entries


def _risks(risk_summary: str | None, contract: ExecutedContract) -> list[PacketRisk]:
    risks = []
    for line in (risk_summary or "").splitlines():
        if match := _SUMMARY_LINE.match(line.strip()):
            title, _, detail = match.group(2).partition(": ")
            risks.append(PacketRisk(title=title, severity=match.group(1).lower(), detail=detail))
    risks += [PacketRisk(title="Sync review", severity="medium", detail=reason) for reason in contract.review_reasons]
    return risks


TRAIL_LINES = 60


def _trail_lines(state: RunState) -> list[str]:
    """The deal's trail as far as it is written (draft run and this sync), newest last; never fails the packet."""
    try:
        trail = audit_trail.audit_log().trail(state.correlation_id)
    except Exception as exc:
        return [f"audit trail not read: {type(exc).__name__}"]
    lines = [f"#{e.seq} {e.at[:19]} {e.system} {e.kind} {e.subject} {e.actor}".strip() for e in trail]
    return lines[-TRAIL_LINES:]


def file_audit_packet(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    contract = state.contract
    assert contract is not None and contract.compliance is not None and contract.opportunity_id
    assert contract.document_sha256 is not None and contract.packet_deal is not None
    sf = services.salesforce(runtime.context)
    report, deal = contract.compliance, contract.packet_deal
    packet = AuditPacket(
        opportunity_id=contract.opportunity_id, opportunity_name=deal.opportunity_name,
        account_name=deal.account_name, workflow_id=contract.workflow_id, workflow_link=deal.workflow_link,
        executed_pdf_sha256=contract.document_sha256,
        executed_pdf_name=contract.document_name or f"{contract.record_name or contract.workflow_id}.pdf",
        attestations=[PacketAttestation(clause=c.clause, quote=c.attestation.quote, page=c.attestation.page)
                      for c in report.attested if c.attestation is not None],
        missing=[PacketMissing(clause=b.clause, message=b.message) for b in report.blocking],
        approvals=_approvals(state, runtime, contract),
        risks=_risks(deal.risk_summary, contract),
        correlation_id=state.correlation_id, generated_at=datetime.now(UTC), trail=_trail_lines(state))
    key = packet_key(packet)
    try:
        held = sf.query(held_packet_query(key))
        results = audit_trail.apply_recorded(sf, attachment_plan(packet, render_audit_packet(packet),
                                                                 state.correlation_id, held[0] if held else None),
                                             "audit_packet", audit_trail.run_refs(state))
    except SalesforceApiError as exc:
        return {"contract": contract.model_copy(update={"packet_error": str(exc)[:500]}),
                "log": [f"audit_packet: not filed ({exc}); the sync stands"]}
    return {"contract": contract.model_copy(update={"packet_key": key}),
            "log": [f"audit_packet: filed on {contract.opportunity_id} as ContentVersion {results[0].id} "
                    f"({len(packet.attestations)} attested, {len(packet.missing)} missing)"]}


def build_audit_packet() -> Any:
    return file_audit_packet
