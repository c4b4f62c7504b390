"""What nodes call to append to the audit trail. Recording never fails a run: a failed append is logged and
counted (`dropped()`), never silently lost.

The log is PostgreSQL at CONTRACTLOOP_AUDIT_DATABASE_URL when that is set, else SQLite at CONTRACTLOOP_AUDIT_PATH,
default `<data dir>/audit.sqlite` (`runtime.audit_store` picks).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from core.settings import get_settings
from runtime.audit_chain import AuditChain, PendingEntry
from runtime.audit_store import open_audit_log, sqlite_path

log = logging.getLogger("contractloop.audit")
VALUE_LIMIT = 300  # characters of one written value kept in an entry (a file body is not the trail's to hold)
_dropped = 0
_lock = threading.Lock()


def log_path() -> Path:
    """The SQLite log's file (the demo hands it to the server it starts)."""
    return sqlite_path(get_settings())


def audit_log() -> AuditChain:
    return open_audit_log(get_settings())


def dropped() -> int:
    """Entries that could not be appended in this process."""
    return _dropped


def record(kind: str, correlation_id: str, system: str, *, actor: str = "", subject: str = "",
           refs: list[str | None] | None = None, payload: dict[str, Any] | None = None) -> None:
    _append([PendingEntry(correlation_id or "unknown", kind, system, actor, subject,
                          [r for r in (refs or []) if r], payload)])


def _append(pending: list[PendingEntry]) -> None:
    global _dropped
    if not pending:
        return
    try:
        audit_log().append_many(pending)
    except Exception:
        with _lock:
            _dropped += len(pending)
        log.exception("audit: %d %s entr(ies) for %s not recorded (%d dropped in this process)", len(pending),
                      pending[0].kind, pending[0].correlation_id, _dropped)


def _short(value: Any) -> Any:
    return value[:VALUE_LIMIT] if isinstance(value, str) else value


def record_plan(plan: Any, results: list[Any] | None, actor: str, refs: list[str | None] | None = None) -> None:
    """A write plan applied to Salesforce: each operation, its fields (values cut short) and its result."""
    _append([_plan_entry(plan, results, actor, refs)])


def _plan_entry(plan: Any, results: list[Any] | None, actor: str, refs: list[str | None] | None) -> PendingEntry:
    ops = [{"ref": op.ref, "action": op.action, "sobject": op.sobject,
            "record": op.record_id or op.external_id, "fields": {k: _short(v) for k, v in op.fields.items()}}
           for op in plan.operations]
    done = [{"ref": r.ref, "id": r.id, "created": r.created, "success": r.success} for r in results or []]
    opportunities = [op.record_id for op in plan.operations if op.sobject == "Opportunity"]
    return PendingEntry(plan.correlation_id or "unknown", "write_applied", "salesforce", actor,
                        ", ".join(sorted({op.sobject for op in plan.operations})),
                        [r for r in [*(refs or []), *opportunities] if r],
                        {"summary": plan.summary, "operations": ops, "results": done})


def apply_recorded(salesforce: Any, plan: Any, actor: str, refs: list[str | None] | None = None) -> list[Any]:
    """Apply `plan` through the Salesforce client and record what was written: for the nodes and services
    whose write is the whole step (an escalation Task, a review record, an adopted workflow's id)."""
    results = salesforce.apply(plan)
    record_plan(plan, results, actor, refs)
    return results


def record_batch(writes: list[Any], results: list[Any], actor: str) -> None:
    """The plans a batch writer sent (`PlannedWrite`s: only the operations in each one's `refs`), one entry per
    contract with that contract's results, appended in one transaction."""
    by_contract: dict[str, list[Any]] = {}
    for result in results:
        by_contract.setdefault(result.contract, []).append(result)
    pending = []
    for write in writes:
        refs = set(write.refs)
        sent = write.plan.model_copy(update={"operations": [op for op in write.plan.operations if op.ref in refs]})
        pending.append(_plan_entry(sent, by_contract.get(write.contract, []), actor, [write.contract]))
    _append(pending)


def record_refusals(correlation_id: str, refusals: list[str], actor: str,
                    refs: list[str | None] | None = None) -> None:
    """What the rollout mode or the pilot allow-list refused in this step, as a decision on the trail (a
    read-only run's trail shows what it would have written and why it did not)."""
    if refusals:
        record("decision", correlation_id, "contractloop", actor=actor, subject="rollout refusal", refs=refs,
               payload={"decision": "refused", "mode": str(get_settings().rollout.mode), "refusals": refusals})


def run_refs(state: Any) -> list[str | None]:
    """The ids that tie this run to the deal's other runs: the Opportunity and the Ironclad workflow."""
    task = state.task
    refs = [task.opportunity_id, task.workflow_id]
    if getattr(state, "launch", None) is not None:
        refs.append(state.launch.workflow_id)
    contract = getattr(state, "contract", None)
    if contract is not None:
        refs += [getattr(contract, "opportunity_id", None), getattr(contract, "workflow_id", None)]
    return refs
