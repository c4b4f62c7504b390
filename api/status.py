"""GET routes a Flow polls: a drafting run's status, and an executed contract's sync status."""

from __future__ import annotations

from datetime import date

from api.flow_payloads import PlannedChange, RunStatus, SyncedRenewal, SyncStatus
from api.ledger import Ledgers, extraction_thread_id
from api.problems import FlowProblem
from api.thread_status import run_state_of, status_of, values_of
from api.threads import Threads, thread_for
from runtime.renewals import RenewalRun


class Status:
    def __init__(self, threads: Threads, ledgers: Ledgers) -> None:
        self._threads = threads
        self._ledgers = ledgers

    async def for_opportunity(self, opportunity_id: str) -> RunStatus:
        return await self.for_thread(await thread_for(self._ledgers.events, None, opportunity_id))

    async def for_thread(self, thread_id: str) -> RunStatus:
        thread = await self._threads.get(thread_id)
        if thread is None:
            raise FlowProblem(404, "not_found", f"no run with thread_id {thread_id}")
        status = status_of(thread)
        if thread["status"] == "error" and not status.error:
            status = status.model_copy(update={"error": await self._threads.run_error(thread_id)})
        return status

    async def for_sync(self, workflow_id: str) -> SyncStatus:
        thread_id = extraction_thread_id(workflow_id)
        thread = await self._threads.get(thread_id)
        if thread is None:
            raise FlowProblem(404, "not_found", f"no sync has been started for workflow {workflow_id}")
        flat = status_of(thread)
        state = run_state_of(values_of(thread))
        contract = state.contract if state else None
        status = flat.status if flat.status in ("running", "failed", "awaiting_approval") else (
            state.status if state else "queued")
        renewals = state.renewals if state else None
        return SyncStatus(
            status=status, thread_id=thread_id, workflow_id=workflow_id,
            awaiting=(None if status != "awaiting_approval" else "renewal" if renewals is not None else "write_plan"),
            record_id=contract.record_id if contract else None,
            record_name=contract.record_name if contract else None,
            opportunity_id=contract.opportunity_id if contract else None,
            engine=contract.engine if contract else None,
            review_reasons=contract.review_reasons if contract else [],
            changes=[PlannedChange(sobject=c.sobject, record=c.record, field=c.field,
                                   old=None if c.old is None else str(c.old), new=None if c.new is None else str(c.new),
                                   citation=c.citation) for c in (contract.changes if contract else [])],
            written_records=len(contract.results) if contract else 0,
            document_error=contract.document_error if contract else None,
            renewal=synced_renewal(renewals),
            refusals=state.refusals if state else [],
            error=(state.error if state else None) or (await self._threads.run_error(thread_id)
                                                       if thread["status"] == "error" else None),
        )


def synced_renewal(run: RenewalRun | None) -> SyncedRenewal | None:
    """The one contract's renewal plan of a sync run (none planned yet, or nothing to change: None)."""
    if run is None or not run.plans:
        return None
    plan = run.plans[0]
    return SyncedRenewal(outcome=plan.outcome, renewal_date=_iso(plan.schedule.renewal_date),
                         notice_deadline=_iso(plan.schedule.notice_deadline),
                         amount=str(plan.amount) if plan.amount is not None else None,
                         approval_reasons=plan.approval_reasons, written=run.written > 0)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
