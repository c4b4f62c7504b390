"""POST /flow/document-reviews: a counterparty's file on an Opportunity; start its review.

One thread per (Opportunity, file): a retried callout finds the run it started, and a request for a file whose
review is running or done answers with that run's status. A new version of the file is reviewed when asked
again after the last review ended (the review records are keyed by the file's hash, so nothing doubles).
"""

from __future__ import annotations

import uuid

from api.flow_payloads import DocumentReviewRequest, ReviewAccepted
from api.thread_status import run_state_of, values_of
from api.threads import GRAPH_ID, OPEN_THREAD_STATES, Threads
from core.salesforce_ids import record_key
from runtime.state import Task

_REVIEW_THREAD_NS = uuid.UUID("6f0d5c1e-3a4b-4f7e-9a51-2f1c7b8e9d40")


def review_thread_id(opportunity_id: str, content_document_id: str) -> str:
    return str(uuid.uuid5(_REVIEW_THREAD_NS, f"{record_key(opportunity_id)}:{record_key(content_document_id)}"))


class DocumentReviews:
    def __init__(self, threads: Threads) -> None:
        self._threads = threads

    async def accept(self, request: DocumentReviewRequest) -> tuple[ReviewAccepted, int]:
        thread_id = review_thread_id(request.opportunity_id, request.content_document_id)
        async with self._threads.lock(f"review:{thread_id}"):
            thread = await self._threads.get(thread_id)
            state = run_state_of(values_of(thread)) if thread else None
            if thread is not None and thread["status"] in OPEN_THREAD_STATES:
                return self._known(request, thread_id, "received", "a review of this file is already running")
            if state is not None and state.task.event_id == request.event_id:
                return self._known(request, thread_id, state.status, "this request was already received")
            task = Task(kind="review_document", event_id=request.event_id, opportunity_id=request.opportunity_id,
                        content_document_id=request.content_document_id, requested_by=request.requested_by)
            metadata = {"opportunity_id": request.opportunity_id, "event_id": request.event_id,
                        "content_document_id": request.content_document_id, "source": "flow"}
            client = self._threads.client
            await client.threads.create(thread_id=thread_id, if_exists="do_nothing", metadata=metadata)
            # A fresh start on the thread: an earlier review of this file (another version) is replaced.
            run_input = {"task": task.model_dump(mode="json", exclude_none=True), "status": "received",
                         "inbound": None, "error": None}
            run = await client.runs.create(thread_id, GRAPH_ID, input=run_input, multitask_strategy="enqueue",
                                           durability="sync", metadata=metadata)
        return ReviewAccepted(status="started", duplicate=False, thread_id=thread_id, run_id=run["run_id"],
                              opportunity_id=request.opportunity_id, content_document_id=request.content_document_id,
                              message="review started; poll GET /flow/threads/{thread_id} for its status"), 202

    @staticmethod
    def _known(request: DocumentReviewRequest, thread_id: str, status: str,
               why: str) -> tuple[ReviewAccepted, int]:
        return ReviewAccepted(status=status, duplicate=True, thread_id=thread_id,
                              opportunity_id=request.opportunity_id,
                              content_document_id=request.content_document_id, message=why), 200
