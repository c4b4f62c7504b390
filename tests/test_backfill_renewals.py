"""The backfill plans each contract's renewal from the terms it just wrote: one renewal Opportunity per contract
that renews, dated by the schedule rules; the playbook's holds are counted, not written; a second run writes
no renewal twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agents.renewal_planner.plan import contract_schedule
from agents.renewal_planner.portfolio import read_portfolio
from backfill.checkpoint import Checkpoint
from backfill.job import BackfillOptions, run_backfill
from tests.fixtures.backfill import BackfillWorld


def _renewals(world: BackfillWorld) -> dict[str, dict]:
    rows = world.salesforce().query("SELECT Id, Contractloop_Renewal_Key__c, CloseDate, Type, StageName, "
                                    "Contract_Insight__c FROM Opportunity WHERE Contractloop_Renewal_Key__c LIKE 'renewal:ironclad-%'")
    return {r["Contractloop_Renewal_Key__c"]: r for r in rows}


def test_backfilled_contracts_get_their_renewals_once(backfill_world: BackfillWorld, tmp_path: Path) -> None:
    world = backfill_world
    sf = world.salesforce()
    report = run_backfill(world.ironclad, sf, Checkpoint(tmp_path / "b.sqlite"), BackfillOptions(batch_size=5))
    assert report.complete and report.failed == 0

    today = date.today()
    renewing = {c.insight_key: contract_schedule(c, today) for c in read_portfolio(sf)
                if c.insight_key.startswith("ironclad-")}
    due = {key: s for key, s in renewing.items() if s.renewal_date is not None}
    assert due, "the tenant has contracts that renew"
    renewals = _renewals(world)
    written = {key.removeprefix("renewal:") for key in renewals}
    assert report.renewals_written == len(written) and report.renewals_held == len(due) - len(written)
    for key in written:  # each one dated by the schedule, linked to its insight
        assert renewals[f"renewal:{key}"]["CloseDate"] == due[key].renewal_date.isoformat()
    assert written <= set(due)

    again = run_backfill(world.ironclad, sf, Checkpoint(tmp_path / "b.sqlite"),
                         BackfillOptions(batch_size=50, restart=True))
    assert again.complete and again.renewals_written == 0
    assert _renewals(world) == renewals  # nothing moved, nothing duplicated
