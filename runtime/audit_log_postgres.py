"""The append-only audit log in PostgreSQL, the production database: the same chain as the SQLite log
(`runtime.audit_chain`). Appends take a transaction-scoped advisory lock before reading the head, so writers in
any number of processes and hosts keep ONE chain; plpgsql triggers refuse UPDATE, DELETE and TRUNCATE, and
`verify` catches what gets past them (a superuser disabling the triggers, a restored dump).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg

from runtime.audit_chain import (
    COLUMNS,
    AuditChain,
    PendingEntry,
    entry_row,
    row_entry,
    sealed_after,
    table_schema,
)
from runtime.audit_entry import AuditEntry

# One advisory lock key for every audit appender on the database; any fixed bigint works if nothing else uses it.
APPEND_LOCK_KEY = 0x6175646974  # "audit"

_SCHEMA = table_schema("BIGINT") + """
CREATE OR REPLACE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass
                   AND tgname = 'audit_log_no_change') THEN
        CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass
                   AND tgname = 'audit_log_no_truncate') THEN
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
    END IF;
END $$;
"""
_READY: set[str] = set()


class PostgresAuditLog(AuditChain):
    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def where(self) -> str:
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))  # no password, no query options

    def _connect(self) -> psycopg.Connection:
        self._ready()
        return psycopg.connect(self.url)

    def _ready(self) -> None:
        """The table and triggers created once per database and process: every model and tool call appends."""
        if self.url in _READY:
            return
        with psycopg.connect(self.url) as conn:
            # Two processes creating the table at once collide in the catalogue: the lock makes one go first.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK_KEY,))
            conn.execute(_SCHEMA)
        _READY.add(self.url)

    def append_many(self, pending: list[PendingEntry]) -> list[AuditEntry]:
        """Append entries in order in one transaction (a batch writer's thousand plans: one lock, one commit)."""
        with self._connect() as conn:  # commits on leaving, rolls back on an exception (and frees the lock)
            # The lock first: no other append can read the same head until this transaction ends.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK_KEY,))
            head = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            entries = sealed_after(head, pending)
            with conn.cursor() as cursor:
                cursor.executemany(f"INSERT INTO audit_log ({COLUMNS}) VALUES "
                                   "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", [entry_row(e) for e in entries])
            return entries

    def entries(self) -> list[AuditEntry]:
        with self._connect() as conn:
            return [row_entry(r) for r in conn.execute(f"SELECT {COLUMNS} FROM audit_log ORDER BY seq")]
