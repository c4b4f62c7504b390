"""SQLite ledger of Ironclad webhook deliveries: which events arrived, for which workflow, when."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from graphs.sqlite_ledger import SqliteLedger

_THREAD_NS = uuid.UUID("0b6f6c2a-3f1e-4d8e-8a71-5c2d9e4f1a37")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ironclad_events (
    event_id    TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    thread_id   TEXT NOT NULL,
    received_at TEXT NOT NULL
);
"""


def extraction_thread_id(workflow_id: str) -> str:
    """One thread per executed contract: every event about a workflow lands on the same run."""
    return str(uuid.uuid5(_THREAD_NS, workflow_id))


class WebhookLedger(SqliteLedger):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def record(self, event_id: str, event: str, workflow_id: str) -> bool:
        """Record a delivery once its run is stored; False when this event id was already recorded.

        The record is the audit trail of what Ironclad sent; whether to act is decided by the thread's state,
        so a delivery recorded by a server that died before saving its run is still acted on when redelivered."""
        row = (event_id, event, workflow_id, extraction_thread_id(workflow_id),
               datetime.now(UTC).isoformat(timespec="microseconds"))
        return self.execute("INSERT OR IGNORE INTO ironclad_events VALUES (?, ?, ?, ?, ?)", row).rowcount == 1
