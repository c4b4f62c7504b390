"""The reviewer: inbound paper scored against the playbook's positions, routed by policy, and written to the
Opportunity through the graph (the file read from Salesforce over HTTP, the review upserted by key)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from extraction import citation_holds
from playbook_store.loader import PlaybookError, load_positions
from playbook_store.positions import ReviewPolicy
from review.inbound import check_positions, paper_kind, review_paper
from runtime import audit_trail
from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tools.documents import Document

DATA = Path(__file__).parent / "data" / "inbound"
STANDARD_NDA = (DATA / "standard_nda.txt").read_text(encoding="utf-8")
VENDOR = (DATA / "vendor_agreement.txt").read_text(encoding="utf-8")
NON_SOLICIT = ("\n10. Non-Solicitation. For two years, the Receiving Party shall not solicit or hire any employee of "
               "the Disclosing Party.\n")
DEAL = DealSpec(account_name="Inbound Paper Co", region="NA", deal_type="New Logo", term_months=12,
                payment_terms_days=30, governing_law="State of New York",
                lines=[LineSpec(product_code="PLT-STD", quantity=5)])


def _review(text: str) -> Any:
    document = Document.from_text(text)
    review = review_paper(document, title="t", sha256=hashlib.sha256(text.encode()).hexdigest())
    for item in [*review.deviations, *review.held]:
        for citation in item.evidence:
            assert citation_holds(citation, document)  # every quote verbatim, at its offsets and page
    return review


# --- policy --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "severities", "route"), [
    ("nda", [], "auto_approve"),
    ("nda", ["low"], "auto_approve"),
    ("nda", ["low", "low"], "sales"),
    ("commercial", [], "sales"),          # other paper always gets a person
    ("nda", ["medium", "medium"], "sales"),
    ("nda", ["medium", "medium", "low"], "legal"),
    ("commercial", ["high"], "legal"),    # any high deviation goes to Legal
])
def test_each_route_of_the_policy(kind: str, severities: list, route: str) -> None:
    policy = load_positions().policy
    score = policy.score(severities)
    assert policy.route(kind, score, "high" in severities) == route  # type: ignore[arg-type]


def test_the_policy_refuses_thresholds_out_of_order() -> None:
    with pytest.raises(ValueError, match="sales_at"):
        ReviewPolicy(severity_points={"low": 1, "medium": 2, "high": 3}, legal_at=10, sales_at=20, alert_at=50)


def test_a_position_naming_an_unknown_category_fails_loudly() -> None:
    positions = load_positions().model_copy(deep=True)
    positions.commercial[0].category = "Uncaped Liability"
    from extraction.clause_finder import load_finder
    with pytest.raises(PlaybookError, match="Uncaped Liability"):
        check_positions(positions, load_finder())


# --- the review itself -----------------------------------------------------------------------------------

def test_a_standard_nda_has_no_deviations_and_is_approved_by_policy() -> None:
    review = _review(STANDARD_NDA)
    assert (review.kind, review.deviations, review.risk_score, review.route) == ("nda", [], 0, "auto_approve")
    checked = {p.position for p in review.held}
    assert {"nda-2", "nda-5", "nda-12", "nda-16", "nda-19", "non_compete"} <= checked


def test_a_non_solicitation_clause_in_an_nda_is_a_high_deviation_with_its_quote_and_goes_to_legal() -> None:
    review = _review(STANDARD_NDA + NON_SOLICIT)
    assert review.route == "legal"
    found = [d for d in review.deviations if d.position in ("nda-18", "no_solicit_employees")]
    assert len(found) == 1  # the NDA reader and the clause finder see one covenant, not two
    assert found[0].severity == "high" and "Non-Solicitation" in found[0].evidence[0].quote
    assert "Delete the non-solicitation covenant" in found[0].negotiation_point


def test_vendor_paper_lists_its_commercial_deviations_with_fallback_clauses() -> None:
    review = _review(VENDOR)
    assert review.kind == "commercial" and review.route == "legal" and review.risk_score == 100
    by_position = {d.position: d for d in review.deviations}
    assert {"exclusivity", "non_compete", "termination_for_convenience", "auto_renewal"} <= set(by_position)
    assert by_position["exclusivity"].evidence[0].quote.startswith("1. Exclusivity.")
    renewal = by_position["auto_renewal"]
    assert renewal.fallback_clause == "REN-STD" and renewal.fallback_text and "renew" in renewal.fallback_text
    # the playbook wants a cap; this paper has none: a deviation without a quote (silence has none)
    assert by_position["liability_cap"].finding == "absent" and by_position["liability_cap"].evidence == []
    assert "governing_law_missing" not in by_position  # Texas law is stated
    assert [d.severity for d in review.deviations] == sorted((d.severity for d in review.deviations),
                                                             key=["high", "medium", "low"].index)


def test_what_kind_of_paper_it_is_comes_from_its_title() -> None:
    assert paper_kind(Document.from_text("CONFIDENTIALITY AGREEMENT\n\nThe parties ...")) == "nda"
    assert paper_kind(Document.from_text("MASTER SUPPLY AGREEMENT\n\nThe parties ...")) == "commercial"


# --- through the graph, against the sandbox org ------------------------------------------------------------

def _attach(loop: Loop, opportunity_id: str, title: str, data: bytes, extension: str) -> str:
    created = loop.salesforce.sf.ContentVersion.create({
        "Title": title, "PathOnClient": f"{title}.{extension}", "FirstPublishLocationId": opportunity_id,
        "VersionData": base64.b64encode(data).decode()})
    rows = loop.salesforce.query(f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = '{created['id']}'")
    return str(rows[0]["ContentDocumentId"])


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def _run(loop: Loop, opportunity_id: str, document_id: str, event: str) -> dict[str, Any]:
    graph, ctx = loop.graph()
    task = {"task": {"kind": "review_document", "event_id": event, "opportunity_id": opportunity_id,
                     "content_document_id": document_id}}
    return graph.invoke(task, {"configurable": {"thread_id": f"review-{document_id}-{event}"}}, context=ctx)


def _reviews(loop: Loop, opportunity_id: str) -> list[dict[str, Any]]:
    return loop.salesforce.query(
        "SELECT Id, Route__c, Status__c, Risk_Score__c, Deviations__c, Paper_Kind__c, Document_SHA256__c, "
        f"Contractloop_Correlation_Id__c FROM Contract_Review__c WHERE Opportunity__c = '{opportunity_id}'")


def _tasks(loop: Loop, opportunity_id: str) -> list[dict[str, Any]]:
    return loop.salesforce.query(f"SELECT Subject, Priority FROM Task WHERE WhatId = '{opportunity_id}' "
                                 "AND Subject LIKE '%Inbound paper%'")


def test_a_standard_nda_pdf_on_the_opportunity_is_reviewed_and_approved_by_policy(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL)
    pdf = _pdf(STANDARD_NDA)
    document_id = _attach(loop, opportunity_id, "Counterparty NDA", pdf, "pdf")
    result = _run(loop, opportunity_id, document_id, "attach-1")
    assert result["status"] == "completed", result.get("error")
    [review] = _reviews(loop, opportunity_id)
    assert (review["Route__c"], review["Status__c"], review["Paper_Kind__c"]) == \
        ("Auto-approved", "Approved by policy", "NDA")
    assert review["Document_SHA256__c"] == hashlib.sha256(pdf).hexdigest()
    assert review["Contractloop_Correlation_Id__c"] == result["correlation_id"]
    assert _tasks(loop, opportunity_id) == []  # approved by policy: nobody is asked
    [written] = [e for e in audit_trail.audit_log().trail(result["correlation_id"])
                 if e.kind == "write_applied" and e.correlation_id == result["correlation_id"]]
    assert written.actor == "review_writer" and {opportunity_id, document_id} <= set(written.refs)
    assert written.payload["results"][0]["id"] == review["Id"]


def test_risky_paper_gets_a_legal_task_and_a_retried_callout_writes_nothing_twice(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Vendor Paper Co"}))
    document_id = _attach(loop, opportunity_id, "Northwind MSA", VENDOR.encode(), "txt")
    first = _run(loop, opportunity_id, document_id, "attach-1")
    again = _run(loop, opportunity_id, document_id, "attach-1-retry")
    assert first["status"] == again["status"] == "completed"
    [review] = _reviews(loop, opportunity_id)
    assert review["Route__c"] == "Legal" and review["Risk_Score__c"] == 100
    assert "[HIGH] Exclusivity" in review["Deviations__c"] and "Fallback clause: REN-STD" in review["Deviations__c"]
    [task] = _tasks(loop, opportunity_id)
    assert task["Subject"].startswith("[Legal review] Inbound paper: Northwind MSA") and task["Priority"] == "High"


def test_an_encrypted_file_is_recorded_as_unreadable_and_a_person_is_asked(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Locked Paper Co"}))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf("Confidential terms."))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    document_id = _attach(loop, opportunity_id, "Locked NDA", out.getvalue(), "pdf")
    result = _run(loop, opportunity_id, document_id, "attach-1")
    assert result["status"] == "completed"
    [review] = _reviews(loop, opportunity_id)
    assert review["Status__c"] == "Unreadable" and review["Deviations__c"].startswith("encrypted")
    [task] = _tasks(loop, opportunity_id)
    assert task["Subject"] == "[Unreadable] Inbound paper: Locked NDA"


def test_a_scanned_pdf_without_text_is_recorded_as_unreadable(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Scanned Paper Co"}))
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a drawing, as a scan would be: no text at all
    document_id = _attach(loop, opportunity_id, "Scanned NDA", bytes(pdf.output()), "pdf")
    result = _run(loop, opportunity_id, document_id, "attach-1")
    [review] = _reviews(loop, opportunity_id)
    assert result["status"] == "completed" and review["Status__c"] == "Unreadable"
    assert review["Deviations__c"].startswith("no_text")
    assert [t["Subject"] for t in _tasks(loop, opportunity_id)] == ["[Unreadable] Inbound paper: Scanned NDA"]


def test_an_empty_file_is_a_clear_finding(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Blank Paper Co"}))
    document_id = _attach(loop, opportunity_id, "Blank", b"   \n", "txt")
    result = _run(loop, opportunity_id, document_id, "attach-1")
    [review] = _reviews(loop, opportunity_id)
    assert result["status"] == "completed" and review["Status__c"] == "Unreadable"


def test_a_file_that_does_not_exist_fails_the_run_with_a_clear_error(loop: Loop) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Missing Paper Co"}))
    result = _run(loop, opportunity_id, "069000000000000AAA", "attach-1")
    assert result["status"] == "failed" and "could not be fetched" in result["error"]
    assert _reviews(loop, opportunity_id) == []


def test_risky_paper_alerts_the_chat_channel_and_a_chat_outage_never_fails_the_run(
        loop: Loop, chat_sandbox: Any, make_dispatcher: Any) -> None:
    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Alerted Paper Co"}))
    document_id = _attach(loop, opportunity_id, "Exclusive supply terms", VENDOR.encode(), "txt")
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False, teams=False))
    graph, ctx = loop.graph()
    task = {"task": {"kind": "review_document", "event_id": "attach-1", "opportunity_id": opportunity_id,
                     "content_document_id": document_id}}
    result = graph.invoke(task, {"configurable": {"thread_id": f"alert-{document_id}"}},
                          context=ctx.model_copy(update={"alerts": dispatcher}))
    assert result["status"] == "completed" and result["inbound"].alerted
    assert dispatcher.flush(timeout=10)
    [message] = chat_sandbox.received("slack_webhook")
    text = str(message.body)
    assert "Alerted Paper Co" in text and "100/100" in text and "Exclusivity" in text
    assert result["correlation_id"] in text

    # the chat service down: the review is still written, the alert recorded as failed in the background
    chat_sandbox.down()
    other = _attach(loop, opportunity_id, "Second exclusive terms", (VENDOR + "\n").encode(), "txt")
    task["task"] |= {"content_document_id": other, "event_id": "attach-2"}
    result = graph.invoke(task, {"configurable": {"thread_id": f"alert-{other}"}},
                          context=ctx.model_copy(update={"alerts": dispatcher}))
    assert result["status"] == "completed"
    assert len(_reviews(loop, opportunity_id)) == 2
    assert dispatcher.flush(timeout=10)
    assert {d.status for d in dispatcher.deliveries(result["correlation_id"])} == {"failed"}


# --- with a model: the tool-calling reviewer over the real ChatOpenAI wire path --------------------------------

def _run_with(loop: Loop, model: Any, opportunity_id: str, document_id: str) -> dict[str, Any]:
    graph, ctx = loop.graph(model=model)
    task = {"task": {"kind": "review_document", "event_id": "attach-m", "opportunity_id": opportunity_id,
                     "content_document_id": document_id}}
    return graph.invoke(task, {"configurable": {"thread_id": f"model-{document_id}"}}, context=ctx)


def test_a_model_reading_the_paper_corrects_a_finding_with_its_quote_and_leaves_a_note(
        loop: Loop, openai_stub: Any, stub_chat_model: Any) -> None:
    from tests.support.openai_stub import tool_call

    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Model Read Co"}))
    document_id = _attach(loop, opportunity_id, "Supply terms", VENDOR.encode(), "txt")
    quote = "Customer may terminate this Agreement at any time, for any reason or no reason"
    openai_stub.script(
        tool_call("list_positions", {}),
        tool_call("search_contract", {"query": "solicit customers"}),
        tool_call("SubmitPaperReview", {
            "changes": [{"position": "no_solicit_customers", "finding": "absent"},
                        {"position": "termination_for_convenience", "finding": "present", "quote": quote}],
            "note": "Exclusivity and the non-compete are the asks that matter; the rest is routine."}),
    )
    result = _run_with(loop, stub_chat_model, opportunity_id, document_id)
    review = result["inbound"].review
    assert result["status"] == "completed" and review.engine == "model"
    assert "no_solicit_customers" not in {d.position for d in review.deviations}  # the finder's false positive
    convenience = next(d for d in review.deviations if d.position == "termination_for_convenience")
    assert convenience.evidence[0].quote == quote and convenience.confidence is None
    tools = {t["function"]["name"] for t in openai_stub.requests[0]["tools"]}
    assert tools == {"list_positions", "search_contract", "read_contract", "SubmitPaperReview"}
    positions = json.loads(openai_stub.requests[1]["messages"][-1]["content"])
    assert any(p["position"] == "exclusivity" and p["engine_finding"] == "present" for p in positions)
    [record] = _reviews(loop, opportunity_id)
    assert record["Risk_Score__c"] == review.risk_score
    assert "Exclusivity" in record["Deviations__c"] and "Non-solicitation of customers" not in record["Deviations__c"]
    assert "read by the model" in record["Deviations__c"]
    [task] = loop.salesforce.query(f"SELECT Description FROM Task WHERE WhatId = '{opportunity_id}'")
    assert "Reviewer's note: Exclusivity and the non-compete" in task["Description"]


def test_a_model_quote_not_in_the_document_is_refused_and_the_engine_review_stands(
        loop: Loop, openai_stub: Any, stub_chat_model: Any) -> None:
    from tests.support.openai_stub import tool_call

    opportunity_id = loop.deal(DEAL.model_copy(update={"account_name": "Model Invents Co"}))
    document_id = _attach(loop, opportunity_id, "Supply terms", VENDOR.encode(), "txt")
    invented = {"changes": [{"position": "exclusivity", "finding": "absent"},
                            {"position": "uncapped_liability", "finding": "present",
                             "quote": "Supplier's liability shall be unlimited."}], "note": "Unlimited liability."}
    openai_stub.script(tool_call("SubmitPaperReview", invented), tool_call("SubmitPaperReview", invented))
    result = _run_with(loop, stub_chat_model, opportunity_id, document_id)
    review = result["inbound"].review
    assert review.engine == "offline" and review.risk_score == 100
    assert "exclusivity" in {d.position for d in review.deviations}
    assert any("model's answer was refused" in line and "not verbatim" in line for line in result["log"])
    assert "not verbatim" in openai_stub.requests[-1]["messages"][-1]["content"]  # the correction it was given
