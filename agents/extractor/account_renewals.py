"""Which contract's dates an Account carries when several executed contracts belong to it.

The Account's renewal fields (expiration, auto-renewal, notice) follow its latest-expiring contract. A backfill
walks old contracts in no particular order, so a contract updates the Account only when it expires later than
what the Account holds and than any other contract of the same batch: older paper never moves the Account
backwards, and two contracts of one Account never take turns overwriting each other on reruns.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from tools.write_plan import WritePlan

ACCOUNT_REF = "account"


class AccountUpdate(BaseModel):
    """One contract's plan, the refs of it that will be sent, and the Account as Salesforce holds it."""

    plan: WritePlan
    refs: list[str]
    held: dict[str, Any]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def expires_later(mine: Any, held: Any) -> bool:
    """Whether a contract expiring on `mine` should carry the Account whose fields say `held`."""
    mine_date, held_date = _as_date(mine), _as_date(held)
    return mine_date is not None and (held_date is None or mine_date > held_date)


def keep_latest_account_renewals(updates: list[AccountUpdate]) -> None:
    """Drop the Account update from every plan that does not carry the latest expiration (in place)."""
    claimed: dict[str, date] = {}
    for update in updates:
        if ACCOUNT_REF not in update.refs:
            continue
        op = next(op for op in update.plan.operations if op.ref == ACCOUNT_REF)
        assert op.record_id
        mine = op.fields.get("Contract_Expiration_Date__c")
        if not (expires_later(mine, update.held.get("Contract_Expiration_Date__c"))
                and expires_later(mine, claimed.get(op.record_id))):
            update.refs.remove(ACCOUNT_REF)
            continue
        claimed[op.record_id] = date.fromisoformat(str(mine)[:10])
