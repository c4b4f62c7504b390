"""The reviewer's nodes: read the counterparty's file from Salesforce and review it; write the review.

A file that cannot be read (encrypted, scanned without text, empty, not a document) is still recorded: the
review says why and a person gets the Task, so nothing sent for review disappears.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.reviewer.alert import deviation_alert
from agents.reviewer.model_review import model_review
from agents.reviewer.plan import ROUTE_ROLES, needs_person, review_plan
from core.document_review import DocumentReview
from playbook_store.loader import load_positions
from review.inbound import review_paper
from runtime import audit_trail
from runtime import context as services
from runtime.context import Context
from runtime.state import InboundPaper, RunState
from tools.documents import DocumentError, claimed_media_type, parse_document
from tools.rollout_plan import narrow_plan
from tools.salesforce.errors import SalesforceApiError


def read_and_review(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    task = state.task
    assert task.opportunity_id and task.content_document_id
    salesforce = services.salesforce(runtime.context)
    title, sha256 = task.content_document_id, None
    try:
        file = salesforce.download_file(task.content_document_id)
        title, sha256 = file.title or title, file.sha256
        claimed = claimed_media_type(f"x.{file.file_extension}" if file.file_extension else None, None)
        document = parse_document(file.data, source=f"Salesforce ContentDocument {task.content_document_id}",
                                  claimed=claimed)
    except SalesforceApiError as exc:  # no such file, or Salesforce refused: nothing to review, say so
        return {"status": "failed", "error": f"the file to review could not be fetched: {exc}",
                "log": [f"reviewer: {task.content_document_id} not fetched ({exc})"]}
    except DocumentError as exc:  # too large, encrypted, no text, not a document: recorded, a person looks
        review = DocumentReview(title=title, sha256=sha256, kind="commercial", pages=0, risk_score=0,
                                route="sales", document_error=f"{exc.reason}: {exc}")
        log = f"reviewer: {title} unreadable ({exc.reason}); a person is asked to look"
    else:
        review = review_paper(document, title=title, sha256=sha256)
        log = (f"reviewer: {title} ({review.kind}, {review.pages} pages): risk {review.risk_score}/100, "
               f"route {review.route}, {len(review.deviations)} deviation(s)")
        model = services.model(runtime.context)
        if model is not None:
            review, notes = model_review(model, document, review, load_positions())
            log += (f"; with the model ({'; '.join(notes)}): risk {review.risk_score}/100, route {review.route}"
                    if review.engine == "model" else f"; the model's answer was refused ({'; '.join(notes)})")
    owner = services.approver_user(runtime.context, ROUTE_ROLES.get(review.route, "deal_desk")) \
        if needs_person(review) else None
    plan = review_plan(review, opportunity_id=task.opportunity_id, content_document_id=task.content_document_id,
                       correlation_id=state.correlation_id, owner_id=owner)
    inbound = InboundPaper(content_document_id=task.content_document_id, opportunity_id=task.opportunity_id,
                           review=review, plan=plan)
    return {"inbound": inbound, "status": "reviewed", "log": [log]}


def write_review(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    inbound = state.inbound
    assert inbound is not None and inbound.plan is not None
    salesforce = services.salesforce(runtime.context)
    plan, refused = narrow_plan(inbound.plan, salesforce.rollout)  # read_only: the review stays in the run
    refs = [state.task.opportunity_id, state.task.content_document_id]
    audit_trail.record_refusals(state.correlation_id, refused, "review_writer", refs)
    results = audit_trail.apply_recorded(salesforce, plan, "review_writer", refs) if plan is not None else []
    review = inbound.review
    verdict = "approved by policy" if not needs_person(review) else "waiting for a person (Task)"
    log = [f"review_writer: review {results[0].id} written, {verdict}" if results else
           "review_writer: nothing written (the rollout mode refused it); the review is in the run"]
    alerted = False
    alert_at = load_positions().policy.alert_at
    if review.document_error is None and review.risk_score >= alert_at:
        # Handed to the background sender: the run never waits on (or fails because of) the chat service.
        key = services.alerts(runtime.context).submit(deviation_alert(salesforce, state.correlation_id, inbound))
        alerted = key is not None
        log.append(f"review_writer: deviation alert {'queued' if alerted else 'not recorded'} "
                   f"(risk {review.risk_score} at or above {alert_at})")
    return {"inbound": inbound.model_copy(update={"results": results, "alerted": alerted}), "status": "completed",
            "refusals": refused, "log": log}


def build_reviewer() -> Any:
    return read_and_review


def build_review_writer() -> Any:
    return write_review
