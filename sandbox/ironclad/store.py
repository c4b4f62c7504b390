"""SQLite state of the emulated tenant.

Resources are stored as the JSON documents the API returns, keyed by kind and id, so what a client reads
is exactly what was written. One connection guarded by a lock: the HTTP loop, the async-launch timers and
the webhook worker all share it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    owner_id TEXT NOT NULL, key TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY (owner_id, key)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL, event_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL, target_url TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL, state TEXT NOT NULL DEFAULT 'pending', created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id INTEGER NOT NULL, event_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL, event TEXT NOT NULL, target_url TEXT NOT NULL, attempt INTEGER NOT NULL,
    status_code INTEGER, error TEXT, started REAL NOT NULL, elapsed_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tenant (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    value TEXT PRIMARY KEY, client_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
"""


class Store:
    def __init__(self, path: Path | None = None) -> None:
        target = str(path) if path else ":memory:"
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if path:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(_SCHEMA)

    # --- documents ----------------------------------------------------------------------------
    def put(self, kind: str, doc_id: str, doc: dict[str, Any]) -> None:
        with self.lock:
            self.conn.execute(
                "INSERT INTO docs (kind, id, doc, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc",
                (kind, doc_id, json.dumps(doc), time.time()),
            )

    def get(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT doc FROM docs WHERE kind = ? AND id = ?", (kind, doc_id)).fetchone()
        return json.loads(row["doc"]) if row else None

    def delete(self, kind: str, doc_id: str) -> bool:
        with self.lock:
            cur = self.conn.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, doc_id))
        return cur.rowcount > 0

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every document of a kind, oldest first (creation order is the natural list order)."""
        with self.lock:
            rows = self.conn.execute("SELECT doc FROM docs WHERE kind = ? ORDER BY created, rowid", (kind,)).fetchall()
        return [json.loads(r["doc"]) for r in rows]

    def next_value(self, name: str) -> int:
        with self.lock:
            self.conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
            row = self.conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row["value"])

    # --- the tenant's identity (credentials, users, signing key): kept so a restart changes none of it ---
    def tenant(self) -> dict[str, Any] | None:
        with self.lock:
            row = self.conn.execute("SELECT doc FROM tenant WHERE id = 1").fetchone()
        return json.loads(row["doc"]) if row else None

    def save_tenant(self, doc: dict[str, Any]) -> None:
        with self.lock:
            self.conn.execute("INSERT INTO tenant (id, doc) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                              (json.dumps(doc),))

    # --- files --------------------------------------------------------------------------------
    def put_file(self, owner_id: str, key: str, filename: str, content_type: str, data: bytes) -> None:
        with self.lock:
            self.conn.execute(
                "INSERT OR REPLACE INTO files (owner_id, key, filename, content_type, data) VALUES (?, ?, ?, ?, ?)",
                (owner_id, key, filename, content_type, data))

    def get_file(self, owner_id: str, key: str) -> sqlite3.Row | None:
        with self.lock:
            return self.conn.execute(
                "SELECT filename, content_type, data FROM files WHERE owner_id = ? AND key = ?",
                (owner_id, key)).fetchone()

    def delete_files(self, owner_id: str) -> None:
        with self.lock:
            self.conn.execute("DELETE FROM files WHERE owner_id = ?", (owner_id,))
