"""The reviewer's writes: one Contract_Review__c per version of a file, and a Task when a person must look.

Keys are built from the Opportunity, the ContentDocument and the file's SHA-256, so a retried Flow callout
updates the same records, and a new version of the file gets a review of its own.
"""

from __future__ import annotations

from core.document_review import DocumentReview
from core.salesforce_ids import record_key
from tools.write_plan import WriteOp, WritePlan

ROUTE_LABELS = {"auto_approve": "Auto-approved", "sales": "Sales", "legal": "Legal"}
ROUTE_ROLES = {"sales": "deal_desk", "legal": "legal"}  # the approver roles of runtime.context.approver_user
MAX_QUOTE = 300


def review_key(opportunity_id: str, content_document_id: str, sha256: str | None) -> str:
    version = sha256[:16] if sha256 else "unread"  # a file refused before its bytes were read
    return f"review:{record_key(opportunity_id)}:{record_key(content_document_id)}:{version}"


def _quote(text: str) -> str:
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1] + "…"


def deviation_lines(review: DocumentReview) -> str:
    lines = []
    for d in review.deviations:
        where = "; ".join(f"p.{c.page} “{_quote(c.quote)}”" for c in d.evidence[:2]) or "the document is silent"
        fallback = f" Fallback clause: {d.fallback_clause}." if d.fallback_clause else ""
        how = f"reader {d.confidence:.0%}" if d.confidence is not None else "read by the model"
        lines.append(f"[{d.severity.upper()}] {d.title} ({d.position}, {d.finding.replace('_', ' ')}, "
                     f"{how}): {where}. Standard: {d.standard} Ask: {d.negotiation_point}{fallback}")
    return "\n".join(lines)


def status_of(review: DocumentReview) -> str:
    if review.document_error:
        return "Unreadable"
    return "Approved by policy" if review.route == "auto_approve" else "Awaiting review"


def needs_person(review: DocumentReview) -> bool:
    return review.document_error is not None or review.route != "auto_approve"


def review_plan(review: DocumentReview, *, opportunity_id: str, content_document_id: str, correlation_id: str,
                owner_id: str | None) -> WritePlan:
    key = review_key(opportunity_id, content_document_id, review.sha256)
    operations = [WriteOp(
        ref="review", action="upsert", sobject="Contract_Review__c", external_id=key,
        fields={
            "Opportunity__c": opportunity_id,
            "Content_Document_Id__c": content_document_id,
            "Document_Title__c": review.title[:255],
            "Document_SHA256__c": review.sha256 or "",
            "Paper_Kind__c": "NDA" if review.kind == "nda" else "Commercial",
            "Risk_Score__c": review.risk_score,
            "Route__c": ROUTE_LABELS[review.route],
            "Status__c": status_of(review),
            "Deviation_Count__c": len(review.deviations),
            "Deviations__c": review.document_error or deviation_lines(review) or "No deviations.",
            "Positions_Checked__c": "\n".join(f"{p.position} {p.title}: {p.finding.replace('_', ' ')}"
                                              for p in review.held),
        })]
    if needs_person(review):
        who = "Legal" if review.route == "legal" else "Deal desk"
        subject = (f"[Unreadable] Inbound paper: {review.title}" if review.document_error
                   else f"[{who} review] Inbound paper: {review.title} (risk {review.risk_score}/100)")
        operations.append(WriteOp(
            ref="reviewTask", action="upsert", sobject="Task", external_id=f"{key}:task",
            fields={"Subject": subject[:255], "WhatId": opportunity_id, "Status": "Not Started",
                    "Priority": "High" if review.route == "legal" or review.document_error else "Normal",
                    "Description": review.summary()[:32000]} | ({"OwnerId": owner_id} if owner_id else {})))
    return WritePlan(correlation_id=correlation_id, summary=f"review of {review.title}", operations=operations)
