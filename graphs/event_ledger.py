"""SQLite ledger of Flow events: which thread handles which (opportunity, event), so retries start nothing new.

Salesforce delivers callouts at least once and users can move a stage back and forth, so the server must
answer "have I seen this?" durably and across restarts. The ledger only records facts it knows; whether a
run is still open is asked of the LangGraph server at the time (its threads are the source of truth).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from graphs.sqlite_ledger import SqliteLedger

_THREAD_NS = uuid.UUID("8f7b0d3e-61c4-4f5a-9a2e-0c3f5d7e9b14")

_SCHEMA = """
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


class LedgerEntry(BaseModel):
    opportunity_id: str
    event_id: str
    thread_id: str
    requested_by: str | None
    received_at: str


def thread_id_for(opportunity_id: str, event_id: str) -> str:
    """Deterministic, so that even a lost ledger cannot put one event on two threads."""
    return str(uuid.uuid5(_THREAD_NS, f"{opportunity_key(opportunity_id)}:{event_id}"))


def opportunity_key(opportunity_id: str) -> str:
    # A 15- and an 18-character Id name the same record; the first 15 characters are the case-sensitive key.
    return opportunity_id[:15]


class EventLedger(SqliteLedger):
    def __init__(self, path: Path) -> None:
        super().__init__(path, _SCHEMA)

    def find(self, opportunity_id: str, event_id: str) -> LedgerEntry | None:
        return self._entry("SELECT * FROM flow_events WHERE opportunity_id = ? AND event_id = ?",
                           (opportunity_key(opportunity_id), event_id))

    def latest_for(self, opportunity_id: str) -> LedgerEntry | None:
        return self._entry("SELECT * FROM flow_events WHERE opportunity_id = ? ORDER BY received_at DESC, "
                           "rowid DESC LIMIT 1", (opportunity_key(opportunity_id),))

    def record(self, opportunity_id: str, event_id: str, thread_id: str, requested_by: str | None) -> LedgerEntry:
        """Insert the event; if it is already there (a concurrent retry), return the row that won."""
        row = (opportunity_key(opportunity_id), event_id, thread_id, requested_by,
               datetime.now(UTC).isoformat(timespec="microseconds"))
        self.execute("INSERT OR IGNORE INTO flow_events VALUES (?, ?, ?, ?, ?)", row)
        entry = self.find(opportunity_id, event_id)
        assert entry is not None
        return entry

    def _entry(self, sql: str, params: tuple[str, ...]) -> LedgerEntry | None:
        row = self.one(sql, params)
        return LedgerEntry(**row) if row else None
