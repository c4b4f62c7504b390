"""The renewal planner against the Salesforce sandbox over HTTP: contract insights on file become renewal
Opportunities, deadline Tasks and an Event; re-runs write nothing, amended dates move the same records, a
contract that ends without renewing closes its renewal as lost, and the playbook's approval cases wait."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from agents.renewal_planner.portfolio import read_portfolio
from agents.renewal_planner.scan import plan_all, write_plans
from contractloop import cli
from core.settings import get_settings
from playbook_store.loader import load_renewal_rules
from runtime.audit_log import AuditLog
from runtime.renewals import RenewalPlan
from tests.fixtures.loop import Loop
from tests.support.renewal_records import insight_on_file as _insight
from tests.support.renewal_records import renewals_of as _renewals
from tools.write_plan import WriteOp, WritePlan

AS_OF = date(2026, 12, 1)
HORIZON = timedelta(days=180)


def _scan(loop: Loop, *insight_ids: str, as_of: date = AS_OF) -> tuple[list[RenewalPlan], int]:
    plans = plan_all(loop.salesforce, read_portfolio(loop.salesforce, list(insight_ids)), as_of, HORIZON, load_renewal_rules(),
                     "test-renewals-0001")
    written, failures, calls = write_plans(loop.salesforce, plans)
    assert not failures, failures
    return plans, calls


def _contact(loop: Loop, renewal: dict[str, Any]) -> str:
    roles = loop.salesforce.query(f"SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = "
                                  f"'{renewal['Renewal_Of__c']}'")
    return str(roles[0]["ContactId"])


def _activities(loop: Loop, renewal_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tasks = loop.salesforce.query(f"SELECT Subject, ActivityDate, Contractloop_Key__c FROM Task WHERE WhatId = "
                                  f"'{renewal_id}' ORDER BY ActivityDate")
    events = loop.salesforce.query(f"SELECT Subject, ActivityDate FROM Event WHERE WhatId = '{renewal_id}'")
    return tasks, events


def test_an_auto_renewing_contract_gets_one_renewal_with_its_deadlines_and_a_rescan_writes_nothing(
        loop: Loop) -> None:
    insight = _insight(loop, "Auto Renew Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Initial_Term_Months__c=36,
                       Total_Contract_Value__c=360000)

    plans, calls = _scan(loop, insight)

    (plan,) = plans
    assert plan.schedule.renewal_date == date(2027, 3, 31) and plan.schedule.notice_deadline == date(2027, 1, 30)
    assert calls == 2  # the Opportunity, then its Tasks and Event
    (renewal,) = _renewals(loop, insight)
    assert (renewal["Type"], renewal["StageName"], renewal["CloseDate"]) == ("Renewal", "Prospecting", "2027-03-31")
    assert renewal["Amount"] == pytest.approx(126000.0)  # 360,000 over 36 months = 120,000 a year, + 5 %
    assert renewal["Notice_Deadline__c"] == "2027-01-30" and renewal["Contractloop_Correlation_Id__c"]
    assert "renews automatically" in renewal["Renewal_Likelihood_Reasons__c"]
    assert 0 < renewal["Renewal_Likelihood__c"] <= 100
    tasks, events = _activities(loop, renewal["Id"])
    # 90 days before the deadline is already past on the as-of date; 60 and 30 are not.
    assert [t["ActivityDate"] for t in tasks] == ["2026-12-01", "2026-12-31"]
    assert [e["ActivityDate"] for e in events] == ["2027-01-30"]

    # The renewal quote carries the signed lines at the playbook's uplift, and is the renewal's primary quote.
    signed = loop.salesforce.query("SELECT Quantity, UnitPrice FROM OpportunityLineItem WHERE OpportunityId = "
                                   f"'{renewal['Renewal_Of__c']}'")
    (quote,) = loop.salesforce.query(
        "SELECT Id, SBQQ__Primary__c, SBQQ__Type__c, SBQQ__StartDate__c, SBQQ__EndDate__c, (SELECT "
        "SBQQ__Quantity__c, SBQQ__NetPrice__c FROM SBQQ__LineItems__r) FROM SBQQ__Quote__c WHERE "
        f"SBQQ__Opportunity2__c = '{renewal['Id']}'")
    assert (quote["SBQQ__Primary__c"], quote["SBQQ__Type__c"]) == (True, "Renewal")
    assert (quote["SBQQ__StartDate__c"], quote["SBQQ__EndDate__c"]) == ("2027-03-31", "2028-03-30")
    lines = quote["SBQQ__LineItems__r"]["records"]
    assert [(li["SBQQ__Quantity__c"], li["SBQQ__NetPrice__c"]) for li in lines] == [
        (s["Quantity"], pytest.approx(round(s["UnitPrice"] * 1.05, 2))) for s in signed]
    # The deal's contact joins the email sequence for an enterprise MSA renewal.
    members = loop.salesforce.query("SELECT Campaign.Contractloop_Key__c, ContactId FROM CampaignMember WHERE "
                                    f"Contractloop_Key__c LIKE 'renewal-seq:%:{_contact(loop, renewal)}'")
    assert [m["Campaign"]["Contractloop_Key__c"] for m in members] == ["renewal-seq:enterprise-msa"]

    again, calls = _scan(loop, insight)
    assert not again[0].changes and calls == 0
    assert len(_renewals(loop, insight)) == 1


def test_amended_dates_move_the_same_renewal_and_its_reminders(loop: Loop) -> None:
    insight = _insight(loop, "Amended Co", Expiration_Date__c="2027-02-28", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=30, Total_Contract_Value__c=50000)
    _scan(loop, insight)
    (first,) = _renewals(loop, insight)

    key = loop.salesforce.query(f"SELECT External_Key__c FROM Contract_Insight__c WHERE Id = '{insight}'")[0]
    loop.salesforce.apply(WritePlan(correlation_id="test-amend", operations=[WriteOp(  # the amendment, synced
        ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=key["External_Key__c"],
        fields={"Expiration_Date__c": "2027-05-31"})]))
    plans, _ = _scan(loop, insight)

    assert plans[0].outcome == "renewal moved to 2027-05-31"
    (moved,) = _renewals(loop, insight)
    assert moved["Id"] == first["Id"] and moved["CloseDate"] == "2027-05-31"
    tasks, events = _activities(loop, moved["Id"])
    assert [e["ActivityDate"] for e in events] == ["2027-05-01"]
    assert len(tasks) == len({t["Contractloop_Key__c"] for t in tasks})  # moved, not added
    assert max(t["ActivityDate"] for t in tasks) == "2027-04-01"


def test_a_deadline_moved_earlier_moves_the_reminders_already_on_file_too(loop: Loop) -> None:
    # Found by benchmarks/renewal_bench.py: reminders whose new due date had passed were left at the old dates.
    insight = _insight(loop, "Earlier Deadline Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=40000)
    _scan(loop, insight)  # deadline 2027-01-30: reminders on 2026-12-01 (60 days) and 2026-12-31 (30 days)
    key = loop.salesforce.query(f"SELECT External_Key__c FROM Contract_Insight__c WHERE Id = '{insight}'")[0]
    loop.salesforce.apply(WritePlan(correlation_id="test-amend", operations=[WriteOp(
        ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=key["External_Key__c"],
        fields={"Expiration_Date__c": "2027-01-31"})]))

    _scan(loop, insight, as_of=date(2026, 12, 5))  # the deadline is now 2026-12-02, already past

    (renewal,) = _renewals(loop, insight)
    assert renewal["Notice_Deadline__c"] == "2026-12-02"
    tasks, events = _activities(loop, renewal["Id"])
    assert [(t["Contractloop_Key__c"].rsplit(":", 1)[1], t["ActivityDate"]) for t in tasks] == [
        ("notice-60d", "2026-10-03"), ("notice-30d", "2026-11-02")]
    assert all("2026-12-02" in t["Subject"] for t in tasks)
    assert [e["ActivityDate"] for e in events] == ["2026-12-02"]


def test_a_reminder_the_owner_completed_stays_completed_on_a_rescan(loop: Loop) -> None:
    insight = _insight(loop, "Completed Reminder Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=40000)
    _scan(loop, insight)
    (renewal,) = _renewals(loop, insight)
    tasks, _ = _activities(loop, renewal["Id"])
    done = next(t for t in tasks if t["Contractloop_Key__c"].endswith("notice-30d"))  # due 2026-12-31
    loop.stack.salesforce.store.update("Task", loop.salesforce.query(
        f"SELECT Id FROM Task WHERE Contractloop_Key__c = '{done['Contractloop_Key__c']}'")[0]["Id"],
        {"Status": "Completed"})  # the owner ticks it off

    again, calls = _scan(loop, insight, as_of=date(2026, 12, 10))

    assert calls == 0 and not again[0].changes
    (status,) = loop.salesforce.query(
        f"SELECT Status FROM Task WHERE Contractloop_Key__c = '{done['Contractloop_Key__c']}'")
    assert status["Status"] == "Completed"


def test_a_contract_that_ends_without_renewing_closes_its_renewal_as_lost(loop: Loop) -> None:
    insight = _insight(loop, "Fixed Term Co", Expiration_Date__c="2027-01-15", Auto_Renewal__c=False,
                       Total_Contract_Value__c=20000, Initial_Term_Months__c=12)
    _scan(loop, insight)
    (open_renewal,) = _renewals(loop, insight)
    assert open_renewal["StageName"] == "Prospecting"

    plans, _ = _scan(loop, insight, as_of=date(2027, 2, 1))  # the term ended, nobody renewed it

    assert plans[0].outcome == "renewal closed as lost"
    (closed,) = _renewals(loop, insight)
    assert closed["StageName"] == "Closed Lost" and closed["ForecastCategoryName"] == "Omitted"
    assert "ended on 2027-01-15 without renewing" in closed["Renewal_Likelihood_Reasons__c"]
    reminders = loop.salesforce.query(f"SELECT Status, Description FROM Task WHERE WhatId = '{closed['Id']}'")
    assert reminders and {r["Status"] for r in reminders} == {"Deferred"}
    assert all("closed as lost" in r["Description"] for r in reminders)
    # the deadline stays in the owner's calendar, marked cancelled
    events = loop.salesforce.query(f"SELECT Subject, Description FROM Event WHERE WhatId = '{closed['Id']}'")
    assert events and all(e["Subject"].startswith("Cancelled: Contract ends 2027-01-15") for e in events)
    assert all("closed as lost" in e["Description"] for e in events)
    again, calls = _scan(loop, insight, as_of=date(2027, 2, 1))
    assert not again[0].changes and calls == 0


def test_written_renewals_are_on_the_audit_trail_with_their_records(loop: Loop, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_PATH", str(tmp_path / "audit.sqlite"))
    get_settings.cache_clear()
    insight = _insight(loop, "Trail Renew Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=60, Total_Contract_Value__c=80000)
    _scan(loop, insight)
    (renewal,) = _renewals(loop, insight)
    entries = [e for e in AuditLog(tmp_path / "audit.sqlite").entries() if e.kind == "write_applied"]
    # two rounds (the renewal Opportunity, then what hangs on it), each one entry for the contract
    assert [e.actor for e in entries] == ["renewal_writer", "renewal_writer"]
    assert all(insight in e.refs for e in entries)
    first_ids = {r["id"] for r in entries[0].payload["results"]}
    assert renewal["Id"] in first_ids and entries[0].payload["operations"][0]["sobject"] == "Opportunity"
    assert {op["sobject"] for op in entries[1].payload["operations"]} >= {"Task", "Event"}
    assert AuditLog(tmp_path / "audit.sqlite").verify().intact
    get_settings.cache_clear()


def test_renewals_the_playbook_holds_for_approval_are_not_written(loop: Loop) -> None:
    large = _insight(loop, "Large Renewal Co", Expiration_Date__c="2027-04-30", Auto_Renewal__c=True,
                     Renewal_Term_Months__c=12, Notice_Period_Days__c=90, Total_Contract_Value__c=900000,
                     Initial_Term_Months__c=12)
    reviewed = _insight(loop, "Reviewed Terms Co", Expiration_Date__c="2027-04-30", Auto_Renewal__c=True,
                        Renewal_Term_Months__c=12, Total_Contract_Value__c=10000, Needs_Review__c=True)

    plans, calls = _scan(loop, large, reviewed)

    assert calls == 0 and not _renewals(loop, large) and not _renewals(loop, reviewed)
    reasons = {p.contract.insight_id: p.approval_reasons for p in plans}
    assert any("at or above 250,000" in r for r in reasons[large])
    assert any("sent to review" in r for r in reasons[reviewed])


def test_a_contract_renewing_beyond_the_horizon_waits_and_a_perpetual_one_never_renews(loop: Loop) -> None:
    later = _insight(loop, "Later Co", Expiration_Date__c="2028-06-30", Auto_Renewal__c=True,
                     Renewal_Term_Months__c=12, Total_Contract_Value__c=10000)
    expired = _insight(loop, "Expired Co", Expiration_Date__c="2025-06-30", Auto_Renewal__c=False,
                       Total_Contract_Value__c=10000)

    plans, calls = _scan(loop, later, expired)

    assert calls == 0 and not _renewals(loop, later) and not _renewals(loop, expired)
    assert {p.outcome for p in plans} == {"renews 2028-06-30, beyond the horizon", "no renewal (fixed_term)"}


def test_the_console_command_prints_a_dry_run_then_writes_once(loop: Loop, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    insight = _insight(loop, "Console Renewal Co", Expiration_Date__c="2027-03-15", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=45, Total_Contract_Value__c=48000,
                       Initial_Term_Months__c=12)
    for name, value in loop.stack.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "250")  # one console line per change
    get_settings.cache_clear()
    try:
        assert cli.main(["renewals", "plan", "--as-of", "2026-12-01", "--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert "Console Renewal Co" in dry and "CloseDate: None -> '2027-03-15'" in dry
        assert "dry run: nothing written" in dry and not _renewals(loop, insight)

        assert cli.main(["renewals", "plan", "--as-of", "2026-12-01"]) == 0
        assert "wrote" in capsys.readouterr().out and len(_renewals(loop, insight)) == 1

        assert cli.main(["renewals", "plan", "--as-of", "2026-12-01"]) == 0
        assert "nothing to write" in capsys.readouterr().out
        with pytest.raises(SystemExit) as usage:
            cli.main(["renewals", "plan", "--horizon", "soon"])
        assert usage.value.code == 2 and "give days, e.g. 180d" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_a_contract_without_a_value_read_renews_at_the_signed_deals_amount(loop: Loop) -> None:
    insight = _insight(loop, "No Value Read Co", Expiration_Date__c="2027-02-15", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Initial_Term_Months__c=12)
    (plan,), _ = _scan(loop, insight)
    (renewal,) = _renewals(loop, insight)
    deal = loop.salesforce.get("Opportunity", renewal["Renewal_Of__c"])
    assert plan.amount is not None and renewal["Amount"] == pytest.approx(round(deal["Amount"] * 1.05, 2))


def test_an_auto_renewal_that_happened_is_won_and_the_next_term_gets_its_own_renewal(loop: Loop) -> None:
    insight = _insight(loop, "Rolling Renewal Co", Expiration_Date__c="2027-03-31", Auto_Renewal__c=True,
                       Renewal_Term_Months__c=12, Notice_Period_Days__c=30, Total_Contract_Value__c=12000,
                       Initial_Term_Months__c=12)
    _scan(loop, insight)
    (first,) = _renewals(loop, insight)

    # Nobody gave notice: on 2027-04-05 the contract has renewed; the next renewal is beyond the horizon.
    (plan,), _ = _scan(loop, insight, as_of=date(2027, 4, 5))
    assert plan.outcome == "renewal won; the next renews 2028-03-31, beyond the horizon"
    (won,) = _renewals(loop, insight)
    assert won["Id"] == first["Id"] and won["StageName"] == "Closed Won" and won["CloseDate"] == "2027-03-31"

    # In the horizon of the next term: a second renewal with its own reminders and quote; the won one stays.
    (plan,), _ = _scan(loop, insight, as_of=date(2027, 10, 15))
    assert plan.outcome == "renews 2028-03-31"
    renewals = {r["CloseDate"]: r for r in _renewals(loop, insight)}
    assert set(renewals) == {"2027-03-31", "2028-03-31"} and renewals["2027-03-31"]["StageName"] == "Closed Won"
    nxt = renewals["2028-03-31"]
    assert nxt["StageName"] == "Prospecting"
    assert [(e["Subject"], e["ActivityDate"]) for e in _activities(loop, nxt["Id"])[1]] == [
        ("Renewal notice deadline 2028-03-01", "2028-03-01")]
    quotes = loop.salesforce.query(f"SELECT SBQQ__StartDate__c FROM SBQQ__Quote__c WHERE SBQQ__Opportunity2__c = "
                                   f"'{nxt['Id']}'")
    assert [q["SBQQ__StartDate__c"] for q in quotes] == ["2028-03-31"]

    again, calls = _scan(loop, insight, as_of=date(2027, 10, 15))
    assert not again[0].changes and calls == 0 and len(_renewals(loop, insight)) == 2
