"""The backfill over real HTTP: a sandbox Ironclad tenant of executed contracts, a sandbox org, the typed clients.

One story on one tenant: a run stopped by --limit, a crash between the Salesforce write and the checkpoint, a
Salesforce outage, the resume that finishes it without duplicates, and a second run that changes nothing.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from backfill.checkpoint import BatchRecord, Checkpoint, ContractOutcome
from backfill.job import BackfillOptions, run_backfill
from contractloop import cli
from core.settings import get_settings
from tests.fixtures.backfill import BackfillWorld


class PowerCutCheckpoint(Checkpoint):
    """Dies once, after a batch's Salesforce writes returned and before they were recorded."""

    def record_batch(self, run_id: str, batch: BatchRecord, outcomes: list[ContractOutcome]) -> None:
        raise RuntimeError("power cut before the checkpoint was written")


def _insights(world: BackfillWorld) -> list[dict]:
    return world.salesforce().query(
        "SELECT Id, External_Key__c, Opportunity__c, Account__c, Needs_Review__c, Contractloop_Correlation_Id__c, "
        "(SELECT Id, Contract_Insight__c, External_Key__c FROM Contract_Obligations__r) "
        "FROM Contract_Insight__c WHERE External_Key__c LIKE 'ironclad-%'")


def test_backfill_resumes_after_limit_crash_and_outage_without_duplicates(backfill_world: BackfillWorld,
                                                                          tmp_path: Path) -> None:
    world, tenant, org = backfill_world, backfill_world.tenant, backfill_world.stack.salesforce
    sf = world.salesforce()
    path = tmp_path / "backfill.sqlite"
    total = len(tenant.records)
    org.reset_usage()

    first = run_backfill(world.ironclad, sf, Checkpoint(path), BackfillOptions(batch_size=5, limit=12, renewals=False))
    assert (first.complete, first.contracts, first.created, first.failed) == (False, 12, 12, 0)
    assert first.salesforce_api_calls == org.api_calls == 2 * 3  # per batch: one bulk read, one bulk write

    crashed = run_backfill(world.ironclad, sf, PowerCutCheckpoint(path), BackfillOptions(batch_size=5, renewals=False))
    assert crashed.stopped and "power cut" in crashed.stopped and crashed.contracts == 12
    assert len(_insights(world)) == 17  # the unrecorded batch did reach Salesforce

    org.inject("SERVER_UNAVAILABLE", count=sf.max_retries + 1, path="/composite$", method="POST")
    outage = run_backfill(world.ironclad, sf, Checkpoint(path), BackfillOptions(batch_size=5, renewals=False))
    assert outage.stopped and "SERVER_UNAVAILABLE" in outage.stopped
    assert (outage.complete, outage.contracts, outage.sessions) == (False, 12, 3)

    org.reset_usage()
    final = run_backfill(world.ironclad, sf, Checkpoint(path), BackfillOptions(batch_size=5, renewals=False))
    assert final.complete and final.stopped is None and final.sessions == 4
    assert (final.contracts, final.failed) == (total, 0)
    # the 5 written before the power cut are found already in Salesforce: nothing is sent for them again
    assert (final.created, final.unchanged, final.updated) == (total - 5, 5, 0)
    resumed_batches = math.ceil((total - 12) / 5)
    assert final.salesforce_api_calls - first.salesforce_api_calls == org.api_calls <= 2 * resumed_batches

    insights = _insights(world)
    keys = Counter(i["External_Key__c"] for i in insights)
    assert keys == Counter({f"ironclad-{record}": 1 for record in tenant.records})  # one each, no duplicates
    assert {i["Contractloop_Correlation_Id__c"] for i in insights} == {final.correlation_id}
    by_record = {i["External_Key__c"].removeprefix("ironclad-"): i for i in insights}
    for record, opportunity in tenant.to_opportunity.items():
        assert by_record[record]["Opportunity__c"] == opportunity
        assert sf.get("Opportunity", opportunity)["Ironclad_Status__c"] == "Executed"
    for record, account in tenant.to_account.items():
        assert (by_record[record]["Opportunity__c"], by_record[record]["Account__c"]) == (None, account)
    for record in tenant.unmatched | tenant.ambiguous:
        assert by_record[record]["Account__c"] is None and by_record[record]["Needs_Review__c"] is True
    for record in tenant.corrupt:
        assert by_record[record]["Needs_Review__c"] is True
    obligations = [o for i in insights for o in (i.get("Contract_Obligations__r") or {}).get("records", [])]
    assert obligations, "the MSA's obligations were written"
    for insight in insights:
        for obligation in (insight.get("Contract_Obligations__r") or {}).get("records", []):
            assert obligation["Contract_Insight__c"] == insight["Id"]  # linked through the insight's external key
    [task] = sf.query("SELECT WhatId FROM Task WHERE Contractloop_Key__c = "
                      f"'ironclad-{next(iter(tenant.corrupt))}-task-unreadable'")
    assert task["WhatId"] == tenant.to_account[next(iter(tenant.corrupt))]

    kinds = {(f.record_id, f.kind) for f in final.failures}
    assert {(r, "unreadable_pdf") for r in tenant.corrupt} <= kinds
    assert {(r, "no_salesforce_match") for r in tenant.unmatched} <= kinds
    assert {(r, "ambiguous_match") for r in tenant.ambiguous} <= kinds
    assert any(kind == "opportunity_not_found" for _, kind in kinds)

    org.reset_usage()
    again = run_backfill(world.ironclad, sf, Checkpoint(path), BackfillOptions(batch_size=200, renewals=False))
    assert again.complete and again.run_id != final.run_id and again.sessions == 1
    assert (again.contracts, again.unchanged, again.records_sent) == (total, total, 0)
    assert org.api_calls == again.salesforce_api_calls == 1  # one bulk read for all of them, zero writes
    assert len(_insights(world)) == total
    # the signed copies are unchanged: their terms come from the reading cache, no PDF is parsed again
    # the two batches read before the power cut (one is read while the one before it is written) are not
    # parsed again when the run resumes
    assert (final.documents_parsed, final.documents_from_cache) == (total - 10, 10)
    assert (again.documents_parsed, again.documents_from_cache) == (0, total)


def test_console_command_resumes_and_writes_the_json_report(backfill_world: BackfillWorld, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in backfill_world.stack.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CONTRACTLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    report_file = tmp_path / "report.json"
    try:
        assert cli.main(["backfill", "--batch-size", "10", "--limit", "10", "--report", str(report_file)]) == 1
        partial = json.loads(report_file.read_text())
        assert (partial["contracts"], partial["finished_at"]) == (10, None)
        assert cli.main(["backfill", "--batch-size", "10", "--report", str(report_file)]) == 0
    finally:
        get_settings.cache_clear()
    report = json.loads(report_file.read_text())
    assert report["contracts"] == len(backfill_world.tenant.records) and report["sessions"] == 2
    assert report["finished_at"] and report["failed"] == 0
    assert {f["kind"] for f in report["failures"]} >= {"unreadable_pdf", "no_salesforce_match", "ambiguous_match"}
    assert (tmp_path / "backfill.sqlite").exists()


def test_console_command_refuses_bad_options_and_touches_nothing(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert cli.main(["backfill", "--batch-size", "0"]) == 2
    finally:
        get_settings.cache_clear()
    assert not (tmp_path / "backfill.sqlite").exists()
