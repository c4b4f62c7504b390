"""The correlation id of a run: stamped on every write and audit line the run causes."""

from __future__ import annotations

import uuid

from runtime.state import RunState

_CORRELATION_NS = uuid.UUID("5b0d2f8e-3c1a-4e0b-9f7e-2a6c1d4b8e90")


def correlation_id_for(state: RunState) -> str:
    """Stable per task: a retried event gets the same id, so every write it causes can be traced to it."""
    t = state.task
    subject = t.opportunity_id or t.workflow_id or ""
    return "cl-" + uuid.uuid5(_CORRELATION_NS, f"{t.kind}:{subject}:{t.event_id}").hex[:20]
