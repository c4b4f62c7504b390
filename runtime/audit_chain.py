"""The hash chain every audit log backend keeps, whatever stores it: how pending entries are sealed onto the head,
how rows map to entries, how one deal's trail is found, and how `verify` names the first edited, removed or
reordered entry. A backend (SQLite `runtime.audit_log`, PostgreSQL `runtime.audit_log_postgres`) only stores rows
and serialises appends.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime.audit_entry import GENESIS, AuditEntry

COLUMNS = "seq, at, correlation_id, kind, system, actor, subject, refs, payload, prev_hash, hash"


def table_schema(seq_type: str) -> str:
    """The table and its index, the same in both backends but for the seq column's integer type."""
    return f"""
CREATE TABLE IF NOT EXISTS audit_log (
    seq {seq_type} PRIMARY KEY, at TEXT NOT NULL, correlation_id TEXT NOT NULL, kind TEXT NOT NULL,
    system TEXT NOT NULL, actor TEXT NOT NULL, subject TEXT NOT NULL, refs TEXT NOT NULL, payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_correlation ON audit_log (correlation_id);
"""


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


class AuditChain(ABC):
    """The public interface of an audit log; subclasses store rows and hold the append lock."""

    @property
    @abstractmethod
    def where(self) -> str:
        """Where the log is, for messages (no password)."""

    @abstractmethod
    def append_many(self, pending: list[PendingEntry]) -> list[AuditEntry]:
        """Append entries in order in one transaction, under a lock no other writer's append can hold."""

    @abstractmethod
    def entries(self) -> list[AuditEntry]:
        """Every entry, in seq order."""

    def append(self, correlation_id: str, kind: str, system: str, *, actor: str = "", subject: str = "",
               refs: list[str] | None = None, payload: dict[str, Any] | None = None) -> AuditEntry:
        return self.append_many([PendingEntry(correlation_id, kind, system, actor, subject, refs, payload)])[0]

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


def sealed_after(head: tuple[int, str] | None, pending: list[PendingEntry]) -> list[AuditEntry]:
    """The pending entries numbered and hashed onto the head (its seq and hash; None for an empty log). Call it
    only under the backend's append lock, with the head read under that lock."""
    seq, prev = head or (0, GENESIS)
    entries = []
    for p in pending:
        seq += 1
        entry = AuditEntry(seq=seq, at=datetime.now(UTC).isoformat(), correlation_id=p.correlation_id,
                           kind=p.kind, system=p.system, actor=p.actor,
                           subject=p.subject, refs=sorted(set(r for r in (p.refs or []) if r)),
                           payload=p.payload or {}, prev_hash=prev).sealed()
        entries.append(entry)
        prev = entry.hash
    return entries


def entry_row(e: AuditEntry) -> tuple[Any, ...]:
    """The entry as stored, in COLUMNS order: refs and payload as JSON text, so both backends hand back exactly
    what was hashed."""
    return (e.seq, e.at, e.correlation_id, e.kind, e.system, e.actor, e.subject, json.dumps(e.refs),
            json.dumps(e.payload, ensure_ascii=False, sort_keys=True), e.prev_hash, e.hash)


def row_entry(r: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(seq=r[0], at=r[1], correlation_id=r[2], kind=r[3], system=r[4], actor=r[5], subject=r[6],
                      refs=json.loads(r[7]), payload=json.loads(r[8]), prev_hash=r[9], hash=r[10])


def _broken(every: list[AuditEntry], seq: int, reason: str) -> VerifyResult:
    return VerifyResult(entries=len(every), head=every[-1].hash if every else GENESIS, broken_seq=seq, reason=reason)
