"""The backfill's local checkpoint: which Ironclad records a run has finished, and how each one ended.

One SQLite file under CONTRACTLOOP_DATA_DIR. A batch's outcomes are committed in one transaction after its
Salesforce writes return, so an interrupted run resumes after its last finished batch. Writes are upserts by
external id, so the few records a crash leaves written-but-unrecorded are re-sent harmlessly.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["created", "updated", "unchanged", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, correlation_id TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    sessions INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS batches (
    run_id TEXT NOT NULL, number INTEGER NOT NULL, contracts INTEGER NOT NULL, api_calls INTEGER NOT NULL,
    records_sent INTEGER NOT NULL, finished_at TEXT NOT NULL, documents_parsed INTEGER NOT NULL DEFAULT 0,
    documents_cached INTEGER NOT NULL DEFAULT 0, renewals_written INTEGER NOT NULL DEFAULT 0,
    renewals_held INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, number)
);
CREATE TABLE IF NOT EXISTS contracts (
    run_id TEXT NOT NULL, record_id TEXT NOT NULL, batch INTEGER NOT NULL, name TEXT NOT NULL,
    outcome TEXT NOT NULL, target TEXT NOT NULL, problems TEXT NOT NULL, review TEXT NOT NULL,
    PRIMARY KEY (run_id, record_id)
);
"""


class Problem(BaseModel):
    """Why a contract did not sync cleanly: `kind` is one of the report's failure categories."""

    kind: Literal["unreadable_pdf", "no_salesforce_match", "ambiguous_match", "opportunity_not_found",
                  "salesforce_error", "not_allowed"]
    detail: str


class ContractOutcome(BaseModel):
    record_id: str
    name: str
    outcome: Outcome
    target: str = Field(description="Where it was written: 'Opportunity 006…', 'Account 001…' or 'unlinked'.")
    problems: list[Problem] = Field(default_factory=list)
    review: list[str] = Field(default_factory=list, description="Why Needs_Review__c was set.")


class BatchRecord(BaseModel):
    number: int
    contracts: int
    api_calls: int
    records_sent: int
    documents_parsed: int = 0
    documents_cached: int = Field(0, description="Signed copies whose terms came from the reading cache.")
    renewals_written: int = Field(0, description="Renewal plans written for the batch's contracts.")
    renewals_held: int = Field(0, description="Renewal plans the playbook holds for approval (not written).")


class Run(BaseModel):
    id: str
    correlation_id: str
    started_at: str
    finished_at: str | None = None
    sessions: int = 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Checkpoint:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        held = {row[1] for row in self._conn.execute("PRAGMA table_info(batches)")}
        # a checkpoint from before the reading cache, or before renewals were planned
        for column in ("documents_parsed", "documents_cached", "renewals_written", "renewals_held"):
            if column not in held:
                self._conn.execute(f"ALTER TABLE batches ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")

    def close(self) -> None:
        self._conn.close()

    # --- runs ---------------------------------------------------------------------------------
    def open_run(self, restart: bool = False) -> tuple[Run, bool]:
        """(run, resumed): the unfinished run to continue, or a new one (always new with `restart`)."""
        row = self._conn.execute(
            "SELECT id, correlation_id, started_at, finished_at, sessions FROM runs WHERE finished_at IS NULL "
            "ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        if row and not restart:
            self._conn.execute("UPDATE runs SET sessions = sessions + 1 WHERE id = ?", (row[0],))
            return Run(id=row[0], correlation_id=row[1], started_at=row[2], sessions=row[4] + 1), True
        if row:  # abandoned: it stays in the file for the record, marked finished
            self._conn.execute("UPDATE runs SET finished_at = ? WHERE id = ?", ("abandoned " + _now(), row[0]))
        run = Run(id=uuid.uuid4().hex, correlation_id=f"backfill-{uuid.uuid4().hex[:20]}", started_at=_now())
        self._conn.execute("INSERT INTO runs (id, correlation_id, started_at) VALUES (?, ?, ?)",
                           (run.id, run.correlation_id, run.started_at))
        return run, False

    def finish_run(self, run_id: str) -> None:
        self._conn.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (_now(), run_id))

    def run(self, run_id: str) -> Run:
        row = self._conn.execute("SELECT id, correlation_id, started_at, finished_at, sessions FROM runs "
                                 "WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        return Run(id=row[0], correlation_id=row[1], started_at=row[2], finished_at=row[3], sessions=row[4])

    # --- progress -----------------------------------------------------------------------------
    def settled_ids(self, run_id: str) -> set[str]:
        """Records this run need not read again; failed ones are retried when the run resumes."""
        rows = self._conn.execute("SELECT record_id FROM contracts WHERE run_id = ? AND outcome != 'failed'",
                                  (run_id,)).fetchall()
        return {r[0] for r in rows}

    def next_batch_number(self, run_id: str) -> int:
        row = self._conn.execute("SELECT COALESCE(MAX(number), 0) FROM batches WHERE run_id = ?", (run_id,))
        return int(row.fetchone()[0]) + 1

    def record_batch(self, run_id: str, batch: BatchRecord, outcomes: list[ContractOutcome]) -> None:
        """Commit a finished batch and its contracts' outcomes together."""
        with self._conn:
            self._conn.execute("BEGIN")
            self._conn.execute(
                "INSERT OR REPLACE INTO batches (run_id, number, contracts, api_calls, records_sent, finished_at, "
                "documents_parsed, documents_cached, renewals_written, renewals_held) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, batch.number, batch.contracts, batch.api_calls, batch.records_sent, _now(),
                 batch.documents_parsed, batch.documents_cached, batch.renewals_written, batch.renewals_held))
            self._conn.executemany(
                "INSERT OR REPLACE INTO contracts (run_id, record_id, batch, name, outcome, target, problems, review) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, o.record_id, batch.number, o.name, o.outcome, o.target,
                  json.dumps([p.model_dump() for p in o.problems]), json.dumps(o.review)) for o in outcomes])

    def outcomes(self, run_id: str) -> list[ContractOutcome]:
        rows = self._conn.execute(
            "SELECT record_id, name, outcome, target, problems, review FROM contracts WHERE run_id = ? "
            "ORDER BY batch, rowid", (run_id,)).fetchall()
        return [ContractOutcome(record_id=r[0], name=r[1], outcome=r[2], target=r[3],
                                problems=[Problem.model_validate(p) for p in json.loads(r[4])],
                                review=json.loads(r[5])) for r in rows]

    def batches(self, run_id: str) -> list[BatchRecord]:
        rows = self._conn.execute("SELECT number, contracts, api_calls, records_sent, documents_parsed, "
                                  "documents_cached, renewals_written, renewals_held FROM batches WHERE run_id = ? "
                                  "ORDER BY number", (run_id,)).fetchall()
        return [BatchRecord(number=r[0], contracts=r[1], api_calls=r[2], records_sent=r[3], documents_parsed=r[4],
                            documents_cached=r[5], renewals_written=r[6], renewals_held=r[7]) for r in rows]
