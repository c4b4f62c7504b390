"""SQLite ledger of Ironclad webhook deliveries: each event id is acted on once, however often it is retried."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

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


class WebhookLedger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def first_time(self, event_id: str, event: str, workflow_id: str) -> bool:
        """Record the delivery; False when this event id was already recorded (a retry or a replay)."""
        row = (event_id, event, workflow_id, extraction_thread_id(workflow_id),
               datetime.now(UTC).isoformat(timespec="microseconds"))
        with self._lock:
            cursor = self._db.execute("INSERT OR IGNORE INTO ironclad_events VALUES (?, ?, ?, ?, ?)", row)
            return cursor.rowcount == 1
