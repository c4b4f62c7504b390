"""A Flow polling a run whose document was refused reads why: the sync status and a review's thread status carry
`document_error` (found by the trust suite's documents scenario: both said only "completed", as for a file read
normally, so the caller could not tell a refused document from a clean one without querying Salesforce)."""

from __future__ import annotations

import asyncio
from typing import Any

from api.ledger import extraction_thread_id
from api.status import Status
from api.thread_status import status_of
from core.document_review import DocumentReview
from runtime.state import ExecutedContract, InboundPaper, RunState, Task

REFUSED = "too_large: over a decompression or structure cap, a compression bomb?"


def _thread(state: RunState, thread_id: str = "t-1") -> dict[str, Any]:
    return {"thread_id": thread_id, "status": "idle", "values": state.model_dump(mode="json"), "interrupts": {},
            "metadata": {}}


def _review(error: str | None) -> RunState:
    review = DocumentReview(title="Their MSA", kind="commercial", pages=0 if error else 3, risk_score=0,
                            route="sales", document_error=error)
    task = Task(kind="review_document", event_id="e-1", opportunity_id="0065g00000AbCdEAAA",
                content_document_id="0695g00000AbCdEAAA")
    return RunState(task=task, status="completed", inbound=InboundPaper(
        content_document_id="0695g00000AbCdEAAA", opportunity_id="0065g00000AbCdEAAA", review=review))


def test_a_review_whose_file_was_refused_says_why_in_its_status() -> None:
    assert status_of(_thread(_review(REFUSED))).document_error == REFUSED
    assert status_of(_thread(_review(None))).document_error is None


class _Threads:
    def __init__(self, thread: dict[str, Any]) -> None:
        self.thread = thread

    async def get(self, thread_id: str) -> dict[str, Any] | None:
        return self.thread if thread_id == self.thread["thread_id"] else None

    async def run_error(self, thread_id: str) -> str | None:
        return None


def test_a_sync_whose_signed_copy_was_refused_says_why_in_its_status() -> None:
    workflow_id = "6a1b2c3d4e5f60718293a4b5"
    task = Task(kind="extract_executed_contract", event_id="e-2", workflow_id=workflow_id)
    for error in (REFUSED, None):
        state = RunState(task=task, status="completed",
                         contract=ExecutedContract(workflow_id=workflow_id, document_error=error))
        threads = _Threads(_thread(state, extraction_thread_id(workflow_id)))
        sync = asyncio.run(Status(threads, None).for_sync(workflow_id))  # type: ignore[arg-type]
        assert sync.status == "completed" and sync.document_error == error
