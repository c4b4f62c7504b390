"""A renewal scan: every contract on file planned as of a date, and the plans with changes written in bulk.

Reads are one SOQL query's pages (`portfolio`); writes go through the batch writer (the allow-list and the
correlation stamp, sObject Collections inside Composite calls) in two rounds: the renewal Opportunities, then
the Tasks and Events that hang on them (a Task's WhatId is polymorphic, so it names the renewal by the Id
the first round returned). Plans the playbook holds for approval are listed and not written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from agents.renewal_planner.deal_details import IN_CHUNK, Querying, read_campaigns, read_details
from agents.renewal_planner.plan import contract_schedule, plan_renewal
from playbook_store.renewal_rules import RenewalRules
from runtime import audit_trail
from runtime.renewals import ContractOnFile, RenewalPlan
from tools.salesforce import SalesforceClient
from tools.salesforce.batch_writer import PlannedWrite, RecordResult, write_batch
from tools.write_plan import WritePlan, for_existing

RENEWAL_REF = "@{renewal.id}"


def plan_all(salesforce: Querying, contracts: Iterable[ContractOnFile], as_of: date, horizon: timedelta,
             rules: RenewalRules, correlation_id: str, campaigns: dict[str, str] | None = None) -> list[RenewalPlan]:
    """A plan per contract, in order. Only contracts with a renewal to plan (due within the horizon, or one on
    file) need their deal's details, read for up to `IN_CHUNK` of them at a time. `campaigns` (key -> Id): the
    email-sequence campaigns a caller planning batch after batch has read already (updated in place)."""
    # read once, and only if some contract has a renewal to plan
    campaign_ids: dict[str, str] | None = campaigns if campaigns else None
    plans: dict[str, RenewalPlan] = {}
    order: list[str] = []
    waiting: list[ContractOnFile] = []

    def flush() -> None:
        nonlocal campaign_ids
        if campaign_ids is None:
            campaign_ids = read_campaigns(salesforce, {rule.campaign_key for rule in rules.campaigns})
            if campaigns is not None:
                campaigns.update(campaign_ids)
        details = read_details(salesforce, {c.insight_key: c.opportunity_id for c in waiting}, campaign_ids.values(),
                               on_file={c.insight_key: c.renewals_closed for c in waiting if c.renewal})
        for c in waiting:
            plans[c.insight_id] = plan_renewal(c, as_of, horizon, rules, correlation_id,
                                               details.deals.get(c.insight_key), details.members, campaign_ids)
        waiting.clear()

    for contract in contracts:
        order.append(contract.insight_id)
        renewal_date = contract_schedule(contract, as_of).renewal_date
        if contract.renewal is None and (renewal_date is None or renewal_date > as_of + horizon):
            plans[contract.insight_id] = plan_renewal(contract, as_of, horizon, rules, correlation_id)
            continue
        waiting.append(contract)
        if len(waiting) == IN_CHUNK:
            flush()
    if waiting:
        flush()
    return [plans[i] for i in order]


def write_plans(client: SalesforceClient, plans: list[RenewalPlan], approved_held: bool = False
                ) -> tuple[int, list[RecordResult], int]:
    """(contracts written, failed records, API calls) for the plans with changes and no approval pending;
    `approved_held`: a person has approved the held plans too (after reading them), so they are written."""
    due = [p for p in plans if p.plan is not None and p.changes and (approved_held or not p.approval_reasons)]
    calls_before = client.calls
    changed = {p.contract.insight_id: {c.ref for c in p.changes} for p in due}
    first = [PlannedWrite(contract=p.contract.insight_id, plan=p.plan, refs=["renewal"])
             for p in due if p.plan is not None and "renewal" in changed[p.contract.insight_id]]
    failures: list[RecordResult] = []
    renewal_ids = {p.contract.insight_id: (p.contract.renewal or {}).get("Id") for p in due}
    if first:
        report = write_batch(client, first)
        audit_trail.record_batch(first, report.results, "renewal_writer")
        for result in report.results:
            if result.success:
                renewal_ids[result.contract] = result.id
            else:
                failures.append(result)
    second = []
    for p in due:
        assert p.plan is not None
        renewal_id = renewal_ids.get(p.contract.insight_id)
        refs = sorted(changed[p.contract.insight_id] - {"renewal"})
        if refs and renewal_id:  # create-only fields (a line's quote, a member's campaign) go on create only
            plan = for_existing(_with_renewal_id(p.plan, renewal_id), p.held)
            second.append(PlannedWrite(contract=p.contract.insight_id, plan=plan, refs=refs))
    if second:
        report = write_batch(client, second)
        audit_trail.record_batch(second, report.results, "renewal_writer")
        failures += [r for r in report.results if not r.success]
    failed = {f.contract for f in failures}
    return len([p for p in due if p.contract.insight_id not in failed]), failures, client.calls - calls_before


def _with_renewal_id(plan: WritePlan, renewal_id: str) -> WritePlan:
    operations = []
    for op in plan.operations:
        fields: dict[str, Any] = {k: renewal_id if v == RENEWAL_REF else v for k, v in op.fields.items()}
        operations.append(op.model_copy(update={"fields": fields}))
    return plan.model_copy(update={"operations": operations})
