"""What nodes call to append to the audit trail. Recording never fails a run: a failed append is logged and
counted (`dropped()`), never silently lost.

The log lives at CONTRACTLOOP_AUDIT_PATH, default `<data dir>/audit.sqlite` (SQLite only for now).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from core.settings import get_settings
from runtime.audit_log import AuditLog

log = logging.getLogger("contractloop.audit")
VALUE_LIMIT = 300  # characters of one written value kept in an entry (a file body is not the trail's to hold)
_dropped = 0
_lock = threading.Lock()


def log_path() -> Path:
    settings = get_settings()
    return settings.contractloop_audit_path or settings.contractloop_data_dir / "audit.sqlite"


def audit_log() -> AuditLog:
    return AuditLog(log_path())


def dropped() -> int:
    """Entries that could not be appended in this process."""
    return _dropped


def record(kind: str, correlation_id: str, system: str, *, actor: str = "", subject: str = "",
           refs: list[str | None] | None = None, payload: dict[str, Any] | None = None) -> None:
    global _dropped
    try:
        audit_log().append(correlation_id or "unknown", kind, system, actor=actor, subject=subject,
                           refs=[r for r in (refs or []) if r], payload=payload)
    except Exception:
        with _lock:
            _dropped += 1
        log.exception("audit: %s for %s not recorded (%d dropped in this process)", kind, correlation_id, _dropped)


def _short(value: Any) -> Any:
    return value[:VALUE_LIMIT] if isinstance(value, str) else value


def record_plan(plan: Any, results: list[Any] | None, actor: str, refs: list[str | None] | None = None) -> None:
    """A write plan applied to Salesforce: each operation, its fields (values cut short) and its result."""
    ops = [{"ref": op.ref, "action": op.action, "sobject": op.sobject,
            "record": op.record_id or op.external_id, "fields": {k: _short(v) for k, v in op.fields.items()}}
           for op in plan.operations]
    done = [{"ref": r.ref, "id": r.id, "created": r.created, "success": r.success} for r in results or []]
    opportunities = [op.record_id for op in plan.operations if op.sobject == "Opportunity"]
    record("write_applied", plan.correlation_id, "salesforce", actor=actor,
           subject=", ".join(sorted({op.sobject for op in plan.operations})),
           refs=[*(refs or []), *opportunities], payload={"summary": plan.summary, "operations": ops,
                                                          "results": done})


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
