"""The backfill plans each contract's renewal from the terms it just wrote. Backfilled terms wait for review
(dates never clear their confidence cut), so the playbook holds every renewal built on them: counted in the
report, written by `contractloop renewals plan --approve-held` once read, and never twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agents.renewal_planner.plan import contract_schedule
from agents.renewal_planner.portfolio import read_portfolio
from backfill.checkpoint import Checkpoint
from backfill.job import BackfillOptions, run_backfill
from contractloop import cli
from core.settings import get_settings
from tests.fixtures.backfill import BackfillWorld


def _renewals(world: BackfillWorld) -> dict[str, dict]:
    rows = world.salesforce().query("SELECT Id, Contractloop_Renewal_Key__c, CloseDate, Type, StageName, "
                                    "Contract_Insight__c FROM Opportunity "
                                    "WHERE Contractloop_Renewal_Key__c LIKE 'renewal:ironclad-%'")
    return {r["Contractloop_Renewal_Key__c"]: r for r in rows}


def test_backfilled_renewals_wait_for_approval_then_are_written_once(backfill_world: BackfillWorld, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    world = backfill_world
    sf = world.salesforce()
    report = run_backfill(world.ironclad, sf, Checkpoint(tmp_path / "b.sqlite"), BackfillOptions(batch_size=5))
    assert report.complete and report.failed == 0

    today = date.today()
    due = {c.insight_key: contract_schedule(c, today) for c in read_portfolio(sf)
           if c.insight_key.startswith("ironclad-") and contract_schedule(c, today).renewal_date is not None}
    assert due, "the tenant has contracts that renew"
    assert (report.renewals_written, report.renewals_held) == (0, len(due)) and _renewals(world) == {}

    for name, value in world.stack.env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:  # a person reads them in a dry run, then writes them (the horizon reaches every renewal the sync planned)
        assert cli.main(["renewals", "plan", "--horizon", "3660d", "--dry-run"]) == 0 and _renewals(world) == {}
        assert cli.main(["renewals", "plan", "--horizon", "3660d", "--approve-held"]) == 0
    finally:
        get_settings.cache_clear()
    renewals = _renewals(world)
    assert set(renewals) == {f"renewal:{key}" for key in due}
    for key, schedule in due.items():  # each dated by the schedule
        assert renewals[f"renewal:{key}"]["CloseDate"] == schedule.renewal_date.isoformat()

    again = run_backfill(world.ironclad, sf, Checkpoint(tmp_path / "b.sqlite"),
                         BackfillOptions(batch_size=50, restart=True))
    assert again.complete and (again.renewals_written, again.renewals_held) == (0, 0)  # up to date: nothing held
    assert _renewals(world) == renewals  # nothing moved, nothing duplicated
