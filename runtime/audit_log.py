"""The append-only audit log in SQLite: appends serialised (BEGIN IMMEDIATE) so concurrent runs and processes
keep ONE chain; triggers refuse UPDATE and DELETE, and `verify` catches what gets past them (raw file edits).
The chain itself (sealing, trail, verify) is `runtime.audit_chain`'s, shared with the PostgreSQL log.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from runtime.audit_chain import (
    COLUMNS,
    AuditChain,
    PendingEntry,
    VerifyResult,
    entry_row,
    row_entry,
    sealed_after,
    table_schema,
)
from runtime.audit_entry import AuditEntry

__all__ = ["AuditLog", "PendingEntry", "VerifyResult"]  # PendingEntry and VerifyResult are imported from here

_SCHEMA = table_schema("INTEGER") + """
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_READY: set[Path] = set()


class AuditLog(AuditChain):
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @property
    def where(self) -> str:
        return str(self.path)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self._ready()), timeout=30, isolation_level=None)

    def _ready(self) -> Path:
        """The schema and WAL mode set once per file and process: every model and tool call appends."""
        if self.path not in _READY or not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(str(self.path), timeout=30, isolation_level=None) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            conn.close()
            _READY.add(self.path)
        return self.path

    def append_many(self, pending: list[PendingEntry]) -> list[AuditEntry]:
        """Append entries in order in one transaction (a batch writer's thousand plans: one lock, one commit)."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other append can read the same head
            head = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            entries = sealed_after(head, pending)
            conn.executemany(f"INSERT INTO audit_log ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             [entry_row(e) for e in entries])
            conn.execute("COMMIT")
            return entries
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def entries(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        conn = self._connect()
        try:
            return [row_entry(r) for r in conn.execute(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq")]
        finally:
            conn.close()
