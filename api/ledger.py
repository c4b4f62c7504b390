"""The server's durable ledgers in SQLite: which Flow events and which Ironclad deliveries it has seen.

Salesforce delivers callouts at least once and users can move a stage back and forth, so the server must
answer "have I seen this?" durably and across restarts. A ledger only records facts it knows; whether a run
is still open is asked of the LangGraph server at the time (its threads are the source of truth).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.salesforce_ids import record_key

_FLOW_THREAD_NS = uuid.UUID("8f7b0d3e-61c4-4f5a-9a2e-0c3f5d7e9b14")
_WEBHOOK_THREAD_NS = uuid.UUID("0b6f6c2a-3f1e-4d8e-8a71-5c2d9e4f1a37")

_FLOW_SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_events (
    opportunity_id TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    thread_id      TEXT NOT NULL,
    requested_by   TEXT,
    received_at    TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, event_id)
);
CREATE INDEX IF NOT EXISTS flow_events_by_opportunity ON flow_events (opportunity_id, received_at);
"""

_WEBHOOK_SCHEMA = """
CREATE TABLE IF NOT EXISTS ironclad_events (
    event_id    TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    thread_id   TEXT NOT NULL,
    received_at TEXT NOT NULL
);
"""


def thread_id_for(opportunity_id: str, event_id: str) -> str:
    """Deterministic, so that even a lost ledger cannot put one event on two threads."""
    return str(uuid.uuid5(_FLOW_THREAD_NS, f"{record_key(opportunity_id)}:{event_id}"))


def extraction_thread_id(workflow_id: str) -> str:
    """One thread per executed contract: every event about a workflow lands on the same run."""
    return str(uuid.uuid5(_WEBHOOK_THREAD_NS, workflow_id))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SqliteLedger:
    """One SQLite file (WAL, one connection shared by threads)."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(schema)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        with self._lock:
            cursor = self._db.execute(sql, params)
            row = cursor.fetchone()
            names = [c[0] for c in cursor.description]
        return dict(zip(names, row, strict=True)) if row else None


class LedgerEntry(BaseModel):
    opportunity_id: str
    event_id: str
    thread_id: str
    requested_by: str | None
    received_at: str


class EventLedger(SqliteLedger):
    """Flow events: which thread handles which (opportunity, event), so retries start nothing new."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _FLOW_SCHEMA)

    def find(self, opportunity_id: str, event_id: str) -> LedgerEntry | None:
        return self._entry("SELECT * FROM flow_events WHERE opportunity_id = ? AND event_id = ?",
                           (record_key(opportunity_id), event_id))

    def latest_for(self, opportunity_id: str) -> LedgerEntry | None:
        return self._entry("SELECT * FROM flow_events WHERE opportunity_id = ? ORDER BY received_at DESC, "
                           "rowid DESC LIMIT 1", (record_key(opportunity_id),))

    def record(self, opportunity_id: str, event_id: str, thread_id: str, requested_by: str | None) -> LedgerEntry:
        """Insert the event; if it is already there (a concurrent retry), return the row that won."""
        row = (record_key(opportunity_id), event_id, thread_id, requested_by, _now())
        self.execute("INSERT OR IGNORE INTO flow_events VALUES (?, ?, ?, ?, ?)", row)
        entry = self.find(opportunity_id, event_id)
        assert entry is not None
        return entry

    def _entry(self, sql: str, params: tuple[str, ...]) -> LedgerEntry | None:
        row = self.one(sql, params)
        return LedgerEntry(**row) if row else None


class WebhookLedger(SqliteLedger):
    """Ironclad webhook deliveries: which events arrived, for which workflow, when."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, _WEBHOOK_SCHEMA)

    def record(self, event_id: str, event: str, workflow_id: str) -> bool:
        """Record a delivery once its run is stored; False when this event id was already recorded.

        The record is the audit trail of what Ironclad sent; whether to act is decided by the thread's state,
        so a delivery recorded by a server that died before saving its run is still acted on when redelivered."""
        row = (event_id, event, workflow_id, extraction_thread_id(workflow_id), _now())
        return self.execute("INSERT OR IGNORE INTO ironclad_events VALUES (?, ?, ?, ?, ?)", row).rowcount == 1


class Ledgers:
    """Both ledgers beside each other, opened by the app's lifespan and closed with it."""

    def __init__(self, flow_events_path: Path, ironclad_events_path: Path) -> None:
        self._paths = (flow_events_path, ironclad_events_path)
        self._events: EventLedger | None = None
        self._webhooks: WebhookLedger | None = None

    async def open(self) -> None:
        self._events = await asyncio.to_thread(EventLedger, self._paths[0])
        self._webhooks = await asyncio.to_thread(WebhookLedger, self._paths[1])

    async def close(self) -> None:
        for ledger in (self._events, self._webhooks):
            if ledger is not None:
                await asyncio.to_thread(ledger.close)

    @property
    def events(self) -> EventLedger:
        if self._events is None:
            raise RuntimeError("the ledgers were not opened (the app's lifespan did not run)")
        return self._events

    @property
    def webhooks(self) -> WebhookLedger:
        if self._webhooks is None:
            raise RuntimeError("the ledgers were not opened (the app's lifespan did not run)")
        return self._webhooks
