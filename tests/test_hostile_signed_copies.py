"""A hostile signed copy in Ironclad ends like an encrypted one: the run completes, the document error names the
reason, and Salesforce gets the contract insight marked for review plus a High-priority Task for a person.

Real HTTP to both sandboxes; the files are generated here and stored as Ironclad would serve them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tests.support import hostile_documents as hostile
from tools.documents import DOCX

MiB = 1024 * 1024
DEAL = DealSpec(account_name="Hostile Files Ltd", region="NA", deal_type="Expansion", term_months=12,
                payment_terms_days=30, governing_law="State of New York",
                lines=[LineSpec(product_code="PLT-STD", quantity=5)])

CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # name: (file, stored as, expected reason)
    "zero-byte": (lambda: b"", "signed.pdf", "empty"),
    "pdf-flate-bomb": (lambda: hostile.pdf_flate_bomb(256 * MiB), "signed.pdf", "too_large"),
    "pdf-million-pages": (hostile.pdf_lying_page_tree, "signed.pdf", "too_many_pages"),
    "docx-zip-bomb": (lambda: hostile.docx_zip_bomb(128 * MiB), "signed.docx", "too_large"),
    "docx-billion-laughs": (hostile.docx_billion_laughs, "signed.docx", "unsafe"),
    "html-as-pdf": (hostile.html_claiming_pdf, "signed.pdf", "wrong_type"),
}


def _signed_workflow(loop: Loop, name: str) -> tuple[str, str]:
    return loop.signed_workflow(DEAL.model_copy(update={"account_name": f"Hostile {name} Ltd"}))


def _upload_signed_copy(loop: Loop, record_id: str, filename: str, data: bytes) -> None:
    """Replace the record's signed copy, and describe it in the record as Ironclad does for an uploaded file."""
    content_type = "application/pdf" if filename.endswith(".pdf") else DOCX
    store = loop.stack.ironclad.services.store
    store.put_file(record_id, "signedCopy", filename, content_type, data)
    record = store.get("record", record_id)
    assert record is not None
    record["attachments"]["signedCopy"].update({"filename": filename, "contentType": content_type})
    store.put("record", record_id, record)


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_signed_copy_is_refused_and_flagged_for_review(loop: Loop, case: str) -> None:
    build, filename, reason = CASES[case]
    opp_id, workflow_id = _signed_workflow(loop, case)
    record_id = loop.ironclad.get_workflow(workflow_id).record_ids[0]
    _upload_signed_copy(loop, record_id, filename, build())

    graph, ctx = loop.graph()
    task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": f"h-{case}"}}
    result = graph.invoke(task, {"configurable": {"thread_id": f"h-{workflow_id}"}}, context=ctx)

    assert result["status"] == "completed", result.get("error")
    error = result["contract"].document_error
    assert error.startswith(f"{reason}: "), error
    [insight] = loop.salesforce.query("SELECT Needs_Review__c, Ironclad_Record_Id__c FROM Contract_Insight__c "
                                      f"WHERE Opportunity__c = '{opp_id}'")
    assert insight["Needs_Review__c"] is True and insight["Ironclad_Record_Id__c"] == record_id
    [task_row] = loop.salesforce.query(f"SELECT Priority, Description FROM Task WHERE WhatId = '{opp_id}' "
                                       "AND Subject LIKE 'Executed contract could not be read%'")
    assert task_row["Priority"] == "High" and reason in task_row["Description"]


def test_a_signed_copy_over_the_size_cap_is_cut_off_while_downloading(loop: Loop,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTLOOP_DOCUMENT_MAX_BYTES", str(1 * MiB))
    opp_id, workflow_id = _signed_workflow(loop, "oversized")
    record_id = loop.ironclad.get_workflow(workflow_id).record_ids[0]
    _upload_signed_copy(loop, record_id, "signed.pdf", b"%PDF-1.7\n" + b"0" * (3 * MiB))
    graph, ctx = loop.graph()
    task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": "h-oversized"}}
    result = graph.invoke(task, {"configurable": {"thread_id": f"h-{workflow_id}"}}, context=ctx)
    assert result["status"] == "completed", result.get("error")
    assert result["contract"].document_error.startswith("too_large: "), result["contract"].document_error
    assert "1,048,576-byte limit" in result["contract"].document_error
    [insight] = loop.salesforce.query(f"SELECT Needs_Review__c FROM Contract_Insight__c WHERE Opportunity__c = '{opp_id}'")
    assert insight["Needs_Review__c"] is True
