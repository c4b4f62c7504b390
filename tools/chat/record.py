"""The durable record of chat alerts, in SQLite beside the server's ledgers: one row per (alert, channel) with
its status, and one row per attempt.

The (dedupe key, channel) primary key is what makes an alert go out once: a node re-run after an interrupt, or
another process sharing the data directory, finds its row and sends nothing. Rows hold the deal's ids, score
and route, never the message text or where it was sent (a webhook URL is a credential).
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from tools.chat.alert import DeviationAlert

RECORD_FILE = "chat_alerts.sqlite"
NOT_CONFIGURED = "none"  # the channel of an alert no channel was configured for

Status = Literal["pending", "delivered", "failed", "not_configured"]
Outcome = Literal["delivered", "retry", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_alerts (
    dedupe_key       TEXT NOT NULL,
    channel          TEXT NOT NULL,
    correlation_id   TEXT NOT NULL,
    opportunity_id   TEXT NOT NULL,
    risk_score       INTEGER NOT NULL,
    route            TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    last_status_code INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (dedupe_key, channel)
);
CREATE INDEX IF NOT EXISTS chat_alerts_by_correlation ON chat_alerts (correlation_id);
CREATE TABLE IF NOT EXISTS chat_alert_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    elapsed_ms  REAL NOT NULL,
    status_code INTEGER,
    error       TEXT,
    outcome     TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class AlertDelivery(BaseModel):
    dedupe_key: str
    channel: str
    correlation_id: str
    opportunity_id: str
    risk_score: int
    route: str
    status: Status
    attempts: int
    last_error: str | None
    last_status_code: int | None
    created_at: str
    updated_at: str


class AlertAttempt(BaseModel):
    dedupe_key: str
    channel: str
    attempt: int
    started_at: str
    elapsed_ms: float
    status_code: int | None
    error: str | None
    outcome: Outcome


class AlertRecord:
    """One SQLite file (WAL, one connection shared by threads), like the server's ledgers."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def claim(self, alert: DeviationAlert, channel: str, status: Status = "pending") -> bool:
        """Record the alert for `channel`; False when it was already recorded (then it must not be sent)."""
        now = now_iso()
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO chat_alerts (dedupe_key, channel, correlation_id, opportunity_id, risk_score,"
                " route, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (alert.dedupe_key, channel, alert.correlation_id, alert.opportunity_id, alert.risk_score,
                 alert.route, status, now, now))
        return cursor.rowcount == 1

    def attempted(self, dedupe_key: str, channel: str, *, attempt: int, started_at: str, elapsed_ms: float,
                  status_code: int | None, error: str | None, outcome: Outcome, status: Status) -> None:
        """One attempt and where it leaves the alert, written together."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO chat_alert_attempts (dedupe_key, channel, attempt, started_at, elapsed_ms,"
                    " status_code, error, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (dedupe_key, channel, attempt, started_at, elapsed_ms, status_code, error, outcome))
                self._db.execute(
                    "UPDATE chat_alerts SET status = ?, attempts = ?, last_error = ?, last_status_code = ?,"
                    " updated_at = ? WHERE dedupe_key = ? AND channel = ?",
                    (status, attempt, error, status_code, now_iso(), dedupe_key, channel))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def deliveries(self, correlation_id: str | None = None) -> list[AlertDelivery]:
        where, params = ("WHERE correlation_id = ?", (correlation_id,)) if correlation_id else ("", ())
        return [AlertDelivery(**row) for row in self._rows(
            f"SELECT * FROM chat_alerts {where} ORDER BY created_at, channel", params)]

    def attempts(self, dedupe_key: str | None = None) -> list[AlertAttempt]:
        where, params = ("WHERE dedupe_key = ?", (dedupe_key,)) if dedupe_key else ("", ())
        return [AlertAttempt(**{k: row[k] for k in AlertAttempt.model_fields}) for row in self._rows(
            f"SELECT * FROM chat_alert_attempts {where} ORDER BY id", params)]

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, params).fetchall()]
