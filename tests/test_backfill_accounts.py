"""An Account's renewal fields follow its latest-expiring contract: a backfill never moves them backwards, and two
contracts of one Account never take turns overwriting each other on reruns."""

from __future__ import annotations

from agents.extractor.account_renewals import AccountUpdate, keep_latest_account_renewals
from tools.write_plan import WriteOp, WritePlan

ACCOUNT = "0015g0000000001AAA"


def _update(record_id: str, expiration: str | None, held: str | None) -> AccountUpdate:
    fields = {"Auto_Renewal__c": True} | ({"Contract_Expiration_Date__c": expiration} if expiration else {})
    plan = WritePlan(correlation_id="backfill-accounts-test", operations=[
        WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=f"ironclad-{record_id}"),
        WriteOp(ref="account", action="update", sobject="Account", record_id=ACCOUNT, fields=fields)])
    return AccountUpdate(plan=plan, refs=["account", "insight"],
                         held={"Id": ACCOUNT, "Contract_Expiration_Date__c": held})


def test_the_later_contract_of_a_batch_owns_the_account_fields() -> None:
    early, late, undated = _update("a", "2026-01-31", None), _update("b", "2027-06-30", None), _update("c", None, None)
    keep_latest_account_renewals([late, early, undated])
    assert late.refs == ["account", "insight"]
    assert early.refs == ["insight"] and undated.refs == ["insight"]  # their insights are still written


def test_an_older_or_equal_contract_never_moves_the_account_back() -> None:
    older, same, newer = (_update("a", "2026-01-31", "2026-12-31"), _update("b", "2026-12-31", "2026-12-31"),
                          _update("c", "2027-01-01", "2026-12-31"))
    keep_latest_account_renewals([older, same, newer])
    assert ["account" in u.refs for u in (older, same, newer)] == [False, False, True]
