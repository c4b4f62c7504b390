"""The renewals of a backfill batch: each contract the batch wrote has its renewal planned at once from the terms
just written, as a sync's is (`agents.renewal_planner`, the same horizon), and written unless the playbook holds
it for a person. Held ones are counted in the report; `contractloop renewals plan --dry-run` shows them and
`--approve-held` writes them once read. A resumed batch plans again and writes only what changed."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field

from agents.renewal_planner.deal_details import IN_CHUNK
from agents.renewal_planner.nodes import AFTER_SYNC_HORIZON_DAYS
from agents.renewal_planner.portfolio import read_portfolio
from agents.renewal_planner.scan import plan_all, write_plans
from playbook_store.loader import load_renewal_rules
from tools.salesforce import SalesforceClient


class BatchRenewals(BaseModel):
    written: int = 0
    held: int = Field(0, description="Held for approval by the playbook: not written.")
    failures: dict[str, list[str]] = Field(default_factory=dict, description="Insight key -> what Salesforce said.")


def plan_batch_renewals(salesforce: SalesforceClient, insight_ids: list[str], correlation_id: str,
                        campaigns: dict[str, str] | None = None) -> BatchRenewals:
    """`insight_ids`: the batch's contract insights on file (written now, or already holding these terms);
    `campaigns`: the run's email-sequence campaigns, read by the first batch that needs them."""
    rules, as_of = load_renewal_rules(), date.today()
    horizon = timedelta(days=AFTER_SYNC_HORIZON_DAYS)
    outcome = BatchRenewals()
    for start in range(0, len(insight_ids), IN_CHUNK):  # Ids, as the deal details are read: one GET each
        ids = insight_ids[start:start + IN_CHUNK]
        plans = [p for p in plan_all(salesforce, read_portfolio(salesforce, insight_ids=ids), as_of, horizon,
                                     rules, correlation_id, campaigns) if p.changes]
        written, failures, _ = write_plans(salesforce, plans)
        outcome.written += written
        outcome.held += sum(1 for p in plans if p.approval_reasons)
        keys_by_id = {p.contract.insight_id: p.contract.insight_key for p in plans}
        for failure in failures:
            outcome.failures.setdefault(keys_by_id.get(failure.contract, failure.contract), []).append(
                f"renewal {failure.described()}")
    return outcome
