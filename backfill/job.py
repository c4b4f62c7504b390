"""Phase 1, read-only intelligence: every executed contract already in Ironclad, read and written into Salesforce.

Walks all Ironclad records (paginated), reads each signed copy (parse + extract, optionally in worker
processes; terms already read from the same bytes by the same engine come from a cache, `reading_cache`),
finds where it belongs in Salesforce, and writes the same plan the webhook path would, in bulk: per batch of
contracts, ONE Composite call reads what Salesforce holds and one (or a few) Composite calls of
sObject Collections write what changed. A local checkpoint makes the run resumable without duplicates; the
run ends with a reconciliation report.

Where a contract belongs: the Opportunity named by its workflow's `salesforceOpportunityId`; otherwise the one
Account whose Name equals the record's counterparty (case-insensitive; insight linked to the Account only);
otherwise an unlinked insight flagged Needs_Review__c. An Account's renewal fields follow its latest-expiring
contract (`account_renewals`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, Field

from agents.extractor.account_renewals import AccountUpdate, keep_latest_account_renewals
from agents.extractor.context import ContractContext, SalesforceSnapshot
from agents.extractor.nodes import OPPORTUNITY_ATTRIBUTE, unreadable_plan
from agents.extractor.plan import build_plan
from agents.extractor.policy import review_reasons
from backfill.checkpoint import BatchRecord, Checkpoint, ContractOutcome, Problem, Run
from backfill.holdings import Holdings, children, plain, read_holdings
from backfill.reader import ContractReading, PendingReading, readers
from backfill.reading_cache import ReadingCache
from backfill.renewals import BatchRenewals, plan_batch_renewals
from backfill.report import ReconciliationReport, build_report
from runtime import audit_trail
from runtime.state import ExecutedContract
from tools.document_errors import DocumentError
from tools.ironclad import IroncladClient
from tools.ironclad.errors import IroncladNotFoundError
from tools.ironclad.models import Record
from tools.salesforce import SalesforceClient
from tools.salesforce.batch_writer import PlannedWrite, RecordResult, WriteReport, write_batch
from tools.write_plan import WriteNotAllowed, WritePlan, check_allowed, diff

COUNTERPARTY_PROPERTY = "counterpartyName"
Progress = Callable[[int, int | None], None]  # (records settled in this session, records in Ironclad)


class BackfillOptions(BaseModel):
    batch_size: int = Field(400, ge=1, le=5000, description="Contracts per batch: one bulk read, few writes.")
    limit: int | None = Field(None, ge=1, description="Stop after this many contracts in this session.")
    restart: bool = Field(False, description="Abandon an unfinished run and start a new one.")
    workers: int = Field(1, ge=1, le=64, description="Processes reading PDFs; 1 reads in this process.")
    collection_size: int = Field(200, ge=1, le=200, description="Records per sObject Collection request.")
    reread: bool = Field(False, description="Parse every signed copy again instead of taking the terms read "
                                            "earlier from the same bytes by the same engine (and refresh the cache).")
    renewals: bool = Field(True, description="Plan each written contract's renewal at once (`backfill.renewals`).")


class _Contract(BaseModel):
    record: Record
    opportunity_id: str | None
    counterparty: str | None
    reading: ContractReading


class _Planned(BaseModel):
    contract: _Contract
    ctx: ContractContext
    target: str
    plan: WritePlan | None = None
    refs: list[str] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    review: list[str] = Field(default_factory=list)


def opportunity_ids_by_workflow(ironclad: IroncladClient) -> dict[str, str]:
    """Completed workflows that carry an Opportunity id: one listing, not one call per record."""
    found = {}
    for workflow in ironclad.iter_workflows(status="completed"):
        value = workflow.attributes.get(OPPORTUNITY_ATTRIBUTE)
        if isinstance(value, str) and value.strip():
            found[workflow.id] = value.strip()
    return found


def run_backfill(ironclad: IroncladClient, salesforce: SalesforceClient, checkpoint: Checkpoint,
                 options: BackfillOptions, progress: Progress | None = None) -> ReconciliationReport:
    run, _ = checkpoint.open_run(restart=options.restart)
    settled = checkpoint.settled_ids(run.id)
    total = ironclad.list_records(page_size=1).count
    if progress:
        progress(0, total)
    # the workflow listing runs while the first batch is downloaded and parsed; planning waits for it
    lister = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workflow-listing")
    listing = lister.submit(opportunity_ids_by_workflow, ironclad)
    stopped: str | None = None
    exhausted = False
    done = 0  # contracts settled in this session
    campaigns: dict[str, str] = {}  # the renewals' email-sequence campaigns, read once a run

    def settle(records: list[Record], readings: list[PendingReading]) -> None:
        nonlocal done
        done += _run_batch(records, readings, run, salesforce, checkpoint, listing.result(), options, campaigns)
        if progress:
            progress(done, total)

    cache = ReadingCache(checkpoint.path)
    with readers(options.workers, cache, reread=options.reread) as pool:
        pending: tuple[list[Record], list[PendingReading]] | None = None
        try:
            for records in _batches(ironclad, settled, options):
                # start reading this batch, then write the previous one while the workers parse
                readings = [pool.submit(*_signed_copy(ironclad, record)) for record in records]
                if pending:
                    settle(*pending)
                pending = (records, readings)
            if pending:
                settle(*pending)
            exhausted = options.limit is None or done < options.limit
        except KeyboardInterrupt:
            stopped = "interrupted (Ctrl-C)"
        except Exception as exc:  # the batch is not recorded: resuming reads it again
            stopped = f"{type(exc).__name__}: {exc}"
        finally:
            lister.shutdown(wait=True, cancel_futures=True)
            cache.close()
    if exhausted and stopped is None:
        checkpoint.finish_run(run.id)
    return reconcile(checkpoint, run.id, stopped)


def reconcile(checkpoint: Checkpoint, run_id: str, stopped: str | None = None) -> ReconciliationReport:
    """The run's report from the checkpoint alone: every session of the run counts."""
    batches = checkpoint.batches(run_id)
    return build_report(checkpoint.run(run_id), checkpoint.outcomes(run_id), sum(b.api_calls for b in batches),
                        sum(b.records_sent for b in batches), stopped,
                        documents_parsed=sum(b.documents_parsed for b in batches),
                        documents_from_cache=sum(b.documents_cached for b in batches),
                        renewals_written=sum(b.renewals_written for b in batches),
                        renewals_held=sum(b.renewals_held for b in batches))


def _batches(ironclad: IroncladClient, settled: set[str], options: BackfillOptions) -> Iterator[list[Record]]:
    batch: list[Record] = []
    taken = 0
    for record in ironclad.iter_records():
        if record.id in settled:
            continue
        if options.limit is not None and taken >= options.limit:
            break
        batch.append(record)
        taken += 1
        if len(batch) >= options.batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_batch(records: list[Record], readings: list[PendingReading], run: Run, salesforce: SalesforceClient,
               checkpoint: Checkpoint, opportunities: dict[str, str], options: BackfillOptions,
               campaigns: dict[str, str]) -> int:
    """Plan and write one batch, then record it; returns how many contracts it settled."""
    calls_before = salesforce.calls
    contracts = [_Contract(record=record, reading=reading.result(),
                           counterparty=_text(record.value(COUNTERPARTY_PROPERTY)),
                           opportunity_id=opportunities.get(record.workflow_id or "")
                           or _text(record.value(OPPORTUNITY_ATTRIBUTE)))
                 for record, reading in zip(records, readings, strict=True)]
    holdings = read_holdings(salesforce, [c.opportunity_id for c in contracts if c.opportunity_id],
                             [c.counterparty for c in contracts if c.counterparty],
                             [f"ironclad-{c.record.id}" for c in contracts])
    planned = [_plan(contract, holdings, run.correlation_id) for contract in contracts]
    updates = [AccountUpdate(plan=p.plan, refs=p.refs, held=p.ctx.snapshot.account) for p in planned if p.plan]
    keep_latest_account_renewals(updates)
    for item, update in zip((p for p in planned if p.plan), updates, strict=True):
        item.refs = update.refs
    writes = [PlannedWrite(contract=p.contract.record.id, plan=p.plan, refs=p.refs)
              for p in planned if p.plan is not None and p.refs]
    report = write_batch(salesforce, writes, options.collection_size) if writes else WriteReport()
    audit_trail.record_batch(writes, report.results, "backfill")
    outcomes = [_outcome(p, report.results) for p in planned]
    renewals = BatchRenewals()
    if options.renewals:
        on_file = [i for p, o in zip(planned, outcomes, strict=True) if p.plan and o.outcome != "failed"
                   and (i := _insight_id(p, holdings, report.results))]
        renewals = plan_batch_renewals(salesforce, on_file, run.correlation_id, campaigns=campaigns)
        for item, outcome in zip(planned, outcomes, strict=True):
            outcome.problems += [Problem(kind="salesforce_error", detail=d)
                                 for d in renewals.failures.get(item.ctx.key, [])]
    parsed = sum(1 for reading in readings if reading.parses)
    cached = sum(1 for contract in contracts if contract.reading.from_cache)
    checkpoint.record_batch(run.id, BatchRecord(number=checkpoint.next_batch_number(run.id), contracts=len(records),
                                                api_calls=salesforce.calls - calls_before,
                                                records_sent=report.records_sent, documents_parsed=parsed,
                                                documents_cached=cached, renewals_written=renewals.written,
                                                renewals_held=renewals.held), outcomes)
    return len(records)


def _insight_id(item: _Planned, holdings: Holdings, results: list[RecordResult]) -> str | None:
    """The contract's insight: created or updated by this batch's write, or already on file unchanged."""
    written = next((r.id for r in results if r.contract == item.contract.record.id and r.ref == "insight"
                    and r.success and r.id), None)
    return written or (holdings.insights.get(item.ctx.key) or {}).get("Id")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _signed_copy(ironclad: IroncladClient, record: Record) -> tuple[str, bytes | None, str | None]:
    """(record id, PDF bytes, why there are none). Other Ironclad errors stop the batch, to be resumed."""
    if "signedCopy" not in record.attachments:
        return record.id, None, "the record has no signed copy"
    try:
        return record.id, ironclad.download_signed_copy(record.id), None
    except IroncladNotFoundError:
        return record.id, None, "the signed copy is missing"
    except DocumentError as exc:  # too large to download: flagged like any unreadable copy
        return record.id, None, f"{exc.reason}: {exc}"


def _plan(contract: _Contract, holdings: Holdings, correlation_id: str) -> _Planned:
    planned = _locate(contract, holdings)
    reading, ctx = contract.reading, planned.ctx
    if reading.terms is None:
        executed = ExecutedContract(workflow_id=contract.record.workflow_id or "", record_id=contract.record.id,
                                    record_name=contract.record.name, document_error=reading.document_error)
        plan, current = unreadable_plan(executed, ctx, correlation_id)
        planned.problems.append(Problem(kind="unreadable_pdf", detail=reading.document_error or "unreadable"))
        planned.review.append(f"signed copy unreadable ({reading.document_error})")
    else:
        planned.review += review_reasons(reading.terms, ctx)
        planned.review += [p.detail for p in planned.problems if p.kind in ("no_salesforce_match", "ambiguous_match")]
        plan, current = build_plan(reading.terms, ctx, correlation_id, needs_review=bool(planned.review))
    try:
        check_allowed(plan)
    except WriteNotAllowed as exc:
        planned.problems.append(Problem(kind="not_allowed", detail=str(exc)))
        return planned
    planned.plan, planned.refs = plan, sorted({change.ref for change in diff(plan, current)})
    return planned


def _locate(contract: _Contract, holdings: Holdings) -> _Planned:
    """The contract's context: its Opportunity, else its Account by counterparty name, else nothing."""
    record_id = contract.record.id
    key = f"ironclad-{record_id}"
    insight_row = holdings.insights.get(key)
    known = {"insight": plain(insight_row) or None,
             "obligations": {o["External_Key__c"]: plain(o) for o in children(insight_row, "Contract_Obligations__r")}}
    problems: list[Problem] = []
    if contract.opportunity_id:
        opportunity = holdings.opportunity(contract.opportunity_id)
        if opportunity is not None:
            snapshot = SalesforceSnapshot(opportunity=plain(opportunity), account=plain(opportunity.get("Account")),
                                          **known, **_activities(opportunity))
            ctx = ContractContext(ironclad_record_id=record_id, workflow_id=contract.record.workflow_id,
                                  opportunity_id=opportunity["Id"], account_id=opportunity.get("AccountId"),
                                  owner_id=opportunity.get("OwnerId"), opportunity_amount=opportunity.get("Amount"),
                                  snapshot=snapshot)
            return _Planned(contract=contract, ctx=ctx, target=f"Opportunity {opportunity['Id']}")
        problems.append(Problem(kind="opportunity_not_found",
                                detail=f"Opportunity {contract.opportunity_id} named by the workflow is not in "
                                       "Salesforce; matching the counterparty by name instead"))
    accounts = holdings.accounts_named(contract.counterparty) if contract.counterparty else []
    if len(accounts) == 1:
        account = accounts[0]
        snapshot = SalesforceSnapshot(account=plain(account), **known, **_activities(account))
        ctx = ContractContext(ironclad_record_id=record_id, workflow_id=contract.record.workflow_id,
                              account_id=account["Id"], owner_id=account.get("OwnerId"), snapshot=snapshot)
        return _Planned(contract=contract, ctx=ctx, target=f"Account {account['Id']}", problems=problems)
    if accounts:
        problems.append(Problem(kind="ambiguous_match", detail=f"{len(accounts)} Accounts are named "
                                f"{contract.counterparty!r}; not linked"))
    else:
        problems.append(Problem(kind="no_salesforce_match", detail=(
            f"no Opportunity and no Account named {contract.counterparty!r}" if contract.counterparty
            else "no Opportunity and no counterparty name on the record")))
    ctx = ContractContext(ironclad_record_id=record_id, workflow_id=contract.record.workflow_id,
                          snapshot=SalesforceSnapshot(**known))
    return _Planned(contract=contract, ctx=ctx, target="unlinked", problems=problems)


def _activities(row: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return {"tasks": {t["Contractloop_Key__c"]: plain(t) for t in children(row, "Tasks")},
            "events": {e["Contractloop_Key__c"]: plain(e) for e in children(row, "Events")}}


def _outcome(item: _Planned, results: list[RecordResult]) -> ContractOutcome:
    record_id = item.contract.record.id
    problems = list(item.problems)
    mine = [r for r in results if r.contract == record_id]
    for failed in (r for r in mine if not r.success):
        problems.append(Problem(kind="salesforce_error", detail=failed.described()))
    if any(p.kind in ("salesforce_error", "not_allowed") for p in problems):
        outcome = "failed"
    elif not item.refs:
        outcome = "unchanged"
    else:
        outcome = "created" if item.ctx.snapshot.insight is None else "updated"
    return ContractOutcome(record_id=record_id, name=item.contract.record.name, outcome=outcome, target=item.target,
                           problems=problems, review=item.review)
