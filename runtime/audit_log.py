"""The append-only audit log in SQLite: appends serialised (BEGIN IMMEDIATE) so concurrent runs and processes
keep ONE chain; triggers refuse UPDATE and DELETE, and `verify` catches what gets past them (raw file edits).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.audit_entry import GENESIS, AuditEntry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY, at TEXT NOT NULL, correlation_id TEXT NOT NULL, kind TEXT NOT NULL,
    system TEXT NOT NULL, actor TEXT NOT NULL, subject TEXT NOT NULL, refs TEXT NOT NULL, payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_correlation ON audit_log (correlation_id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""
_READY: set[Path] = set()
_COLUMNS = "seq, at, correlation_id, kind, system, actor, subject, refs, payload, prev_hash, hash"


@dataclass(frozen=True)
class PendingEntry:
    """An entry to append: what the caller says; the log adds seq, time and the chain's hashes."""

    correlation_id: str
    kind: str
    system: str
    actor: str = ""
    subject: str = ""
    refs: list[str] | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    head: str
    broken_seq: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


class AuditLog:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

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

    def append(self, correlation_id: str, kind: str, system: str, *, actor: str = "", subject: str = "",
               refs: list[str] | None = None, payload: dict[str, Any] | None = None) -> AuditEntry:
        return self.append_many([PendingEntry(correlation_id, kind, system, actor, subject, refs, payload)])[0]

    def append_many(self, pending: list[PendingEntry]) -> list[AuditEntry]:
        """Append entries in order in one transaction (a batch writer's thousand plans: one lock, one commit)."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other append can read the same head
            row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0], row[1]) if row else (0, GENESIS)
            entries = []
            for p in pending:
                seq += 1
                entry = AuditEntry(seq=seq, at=datetime.now(UTC).isoformat(), correlation_id=p.correlation_id,
                                   kind=p.kind, system=p.system, actor=p.actor,
                                   subject=p.subject, refs=sorted(set(r for r in (p.refs or []) if r)),
                                   payload=p.payload or {}, prev_hash=prev).sealed()
                conn.execute(f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", _row(entry))
                entries.append(entry)
                prev = entry.hash
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
            return [_entry(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")]
        finally:
            conn.close()

    def trail(self, correlation_id: str) -> list[AuditEntry]:
        """The deal's entries across both systems: this correlation id's, and those of the runs that share its
        Opportunity or Ironclad workflow (the draft run and the signed contract's sync are separate runs)."""
        every = self.entries()
        refs = {r for e in every if e.correlation_id == correlation_id for r in e.refs}
        related = {correlation_id} | {e.correlation_id for e in every if refs & set(e.refs)}
        return [e for e in every if e.correlation_id in related]

    def verify(self) -> VerifyResult:
        every = self.entries()
        by_hash = {e.hash: e for e in every}
        prev_hash, expected = GENESIS, 1
        for entry in every:
            consistent = entry.computed_hash() == entry.hash
            if not consistent:
                origin = by_hash.get(entry.prev_hash)
                if origin is not None and origin.seq + 1 != entry.seq and \
                        entry.model_copy(update={"seq": origin.seq + 1}).computed_hash() == entry.hash:
                    return _broken(every, entry.seq, f"reordered: the entry at seq {entry.seq} was written "
                                                     f"as seq {origin.seq + 1}")
                return _broken(every, entry.seq, f"edited: entry {entry.seq} no longer matches its hash")
            if entry.seq != expected:
                return _broken(every, entry.seq, f"removed: seq {expected}"
                               + (f" to {entry.seq - 1}" if entry.seq - 1 > expected else "")
                               + f" missing before entry {entry.seq}")
            if entry.prev_hash != prev_hash:
                return _broken(every, entry.seq, f"chain broken: entry {entry.seq} does not follow entry "
                                                 f"{entry.seq - 1} (edited, removed or reordered before it)")
            prev_hash, expected = entry.hash, expected + 1
        return VerifyResult(entries=len(every), head=prev_hash)


def _broken(every: list[AuditEntry], seq: int, reason: str) -> VerifyResult:
    return VerifyResult(entries=len(every), head=every[-1].hash if every else GENESIS, broken_seq=seq, reason=reason)


def _row(e: AuditEntry) -> tuple[Any, ...]:
    return (e.seq, e.at, e.correlation_id, e.kind, e.system, e.actor, e.subject, json.dumps(e.refs),
            json.dumps(e.payload, ensure_ascii=False, sort_keys=True), e.prev_hash, e.hash)


def _entry(r: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(seq=r[0], at=r[1], correlation_id=r[2], kind=r[3], system=r[4], actor=r[5], subject=r[6],
                      refs=json.loads(r[7]), payload=json.loads(r[8]), prev_hash=r[9], hash=r[10])
