"""POST /flow/approvals: a reviewer's decision from Salesforce resumes the run waiting on it."""

from __future__ import annotations

from typing import Any

import httpx
from langgraph_sdk.schema import Command
from pydantic import ValidationError

from api.flow_payloads import ApprovalAccepted, ApprovalSubmission, ErrorField
from api.ledger import Ledgers
from api.problems import FlowProblem, validation_problem
from api.thread_status import pending_interrupts, status_of, values_of
from api.threads import GRAPH_ID, Threads, thread_for
from core.salesforce_ids import record_key


class Approvals:
    def __init__(self, threads: Threads, ledgers: Ledgers) -> None:
        self._threads = threads
        self._ledgers = ledgers

    async def submit(self, submission: ApprovalSubmission) -> ApprovalAccepted:
        problems = submission.problems()
        if problems:
            fields = [ErrorField(field=name, message=msg) for name, msg in problems]
            raise FlowProblem(422, "invalid_body", f"invalid field(s): {', '.join(sorted({n for n, _ in problems}))}",
                              fields)
        try:
            resume = submission.to_resume()
        except ValidationError as exc:
            raise validation_problem(exc) from None
        thread_id = await thread_for(self._ledgers.events, submission.thread_id, submission.opportunity_id)
        async with self._threads.lock(f"thread:{thread_id}"):
            thread = await self._threads.get(thread_id)
            if thread is None:
                raise FlowProblem(404, "not_found", f"no run with thread_id {thread_id}")
            _check_same_opportunity(thread, submission.opportunity_id)
            interrupts = pending_interrupts(thread)
            if thread["status"] != "interrupted" or not interrupts:
                raise FlowProblem(409, "not_waiting",
                                  f"nothing is waiting for approval on thread {thread_id} "
                                  f"(status: {status_of(thread).status})")
            value = resume.model_dump(mode="json", exclude_none=True)
            # One pending interrupt takes the plain value; several must be addressed by interrupt id.
            command: Command = {"resume": value if len(interrupts) == 1 else {i["id"]: value for i in interrupts}}
            try:
                run = await self._threads.client.runs.create(
                    thread_id, GRAPH_ID, command=command, multitask_strategy="reject", durability="sync",
                    metadata={"source": "flow", "reviewer": submission.reviewer, "decision": submission.decision},
                )
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code == 409:
                    raise FlowProblem(409, "busy", "a decision for this run is already being processed") from None
                raise
        return ApprovalAccepted(status="resuming", thread_id=thread_id, run_id=run["run_id"],
                                opportunity_id=values_of(thread).get("task", {}).get("opportunity_id"),
                                decision=submission.decision,
                                message="decision accepted; the run continues in the background")


def _check_same_opportunity(thread: dict[str, Any], opportunity_id: str | None) -> None:
    actual = values_of(thread).get("task", {}).get("opportunity_id")
    if opportunity_id and actual and record_key(actual) != record_key(opportunity_id):
        raise FlowProblem(422, "invalid_body", f"thread {thread['thread_id']} belongs to opportunity {actual}",
                          [ErrorField(field="opportunity_id", message="does not match the thread's opportunity")])
