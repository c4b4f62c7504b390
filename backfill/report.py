"""The reconciliation report a backfill run ends with: what happened to every contract, and why not, if not.

Counts are per contract over the whole run (every resumed session included): created (its insight was new),
updated (something changed), unchanged (the diff against Salesforce was empty: nothing sent), failed (a
Salesforce error on one of its records). Failures list every contract that needs a person, with the reason:
an unreadable PDF, no (or no unique) Salesforce match, or the errors Salesforce returned per record.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table

from backfill.checkpoint import ContractOutcome, Run


class Failure(BaseModel):
    record_id: str
    name: str
    outcome: str
    target: str
    kind: str
    reason: str


class ReconciliationReport(BaseModel):
    run_id: str
    correlation_id: str
    started_at: str
    finished_at: str | None = Field(None, description="None while the run can still be resumed.")
    sessions: int
    contracts: int
    created: int
    updated: int
    unchanged: int
    failed: int
    flagged_for_review: int
    failures: list[Failure]
    salesforce_api_calls: int
    records_sent: int
    api_calls_per_100_contracts: float
    documents_parsed: int = Field(0, description="Signed copies parsed and read by the extractor.")
    documents_from_cache: int = Field(0, description="Unchanged signed copies whose terms came from the cache.")
    renewals_written: int = Field(0, description="Renewal plans written (renewal Opportunity, quote, Tasks, ...).")
    renewals_held: int = Field(0, description="Renewal plans the playbook holds for a person: not written.")
    stopped: str | None = Field(None, description="Why this session stopped before the end, if it did.")

    @property
    def complete(self) -> bool:
        return self.finished_at is not None

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2), encoding="utf-8")

    def print(self, console: Console) -> None:
        table = Table(title=f"Backfill {self.run_id[:12]} (correlation id {self.correlation_id})")
        table.add_column("contracts", justify="right")
        for name in ("created", "updated", "unchanged", "failed", "flagged for review"):
            table.add_column(name, justify="right")
        table.add_row(str(self.contracts), str(self.created), str(self.updated), str(self.unchanged),
                      str(self.failed), str(self.flagged_for_review))
        console.print(table)
        if self.failures:
            problems = Table(title=f"{len(self.failures)} contract(s) need attention")
            for column in ("record", "name", "outcome", "reason"):
                problems.add_column(column, overflow="fold")
            for failure in self.failures:
                problems.add_row(failure.record_id, failure.name, failure.outcome,
                                 f"{failure.kind}: {failure.reason}")
            console.print(problems)
        if self.stopped:
            console.print(f"[red]Stopped: {self.stopped}[/red]")
        state = "complete" if self.complete else "INCOMPLETE: run `contractloop backfill` again to resume"
        console.print(f"Run {state}; {self.sessions} session(s); Salesforce API calls: {self.salesforce_api_calls} "
                      f"({self.api_calls_per_100_contracts:.2f} per 100 contracts), {self.records_sent} records sent; "
                      f"{self.documents_parsed} signed copies parsed, {self.documents_from_cache} unchanged ones "
                      "read from the cache")
        console.print(f"Renewals planned from the new terms: {self.renewals_written} written, {self.renewals_held} "
                      "held for approval" + (" (`contractloop renewals plan --dry-run` shows them, --approve-held "
                                             "writes them)" if self.renewals_held else ""))


def build_report(run: Run, outcomes: list[ContractOutcome], api_calls: int, records_sent: int,
                 stopped: str | None = None, documents_parsed: int = 0, documents_from_cache: int = 0,
                 renewals_written: int = 0, renewals_held: int = 0) -> ReconciliationReport:
    counts = Counter(o.outcome for o in outcomes)
    failures = [Failure(record_id=o.record_id, name=o.name, outcome=o.outcome, target=o.target, kind=p.kind,
                        reason=p.detail) for o in outcomes for p in o.problems]
    return ReconciliationReport(
        run_id=run.id, correlation_id=run.correlation_id, started_at=run.started_at, finished_at=run.finished_at,
        sessions=run.sessions, contracts=len(outcomes), created=counts["created"], updated=counts["updated"],
        unchanged=counts["unchanged"], failed=counts["failed"],
        flagged_for_review=sum(1 for o in outcomes if o.review), failures=failures,
        salesforce_api_calls=api_calls, records_sent=records_sent,
        api_calls_per_100_contracts=round(100 * api_calls / len(outcomes), 3) if outcomes else 0.0,
        stopped=stopped, documents_parsed=documents_parsed, documents_from_cache=documents_from_cache,
        renewals_written=renewals_written, renewals_held=renewals_held)
