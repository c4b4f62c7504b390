"""One contract's renewal plan: its schedule, likelihood, and the Salesforce writes that carry them.

The writes are a write plan like every other (the allow-list, the correlation stamp, a diff against what
Salesforce holds), keyed so a re-run upserts the same records:

- the renewal Opportunity, `renewal:<insight key>`: one per contract, moved (never duplicated) when the dates
  change, closed as lost with the reason when the contract ends without renewing;
- Tasks for the owner at the playbook's lead times before the deadline (`...:notice-<n>d`), and an Event on the
  deadline itself (`...:deadline`). The deadline is the notice deadline of an auto-renewing contract, else the
  renewal date (the term end a new signature must beat). None is made for a day already past, but those on file
  move with the deadline even into the past (a stale date would mislead); a Task's Status is set only when it is
  made, so a reminder its owner completed stays completed;
- a CPQ renewal quote (`renewal-quote:<insight key>`), primary, with a line per line item of the signed deal at
  its price plus the playbook's uplift;
- the deal's contacts enrolled in the email sequence the playbook picks by agreement type and value: one
  CampaignMember per campaign and contact (`<campaign key>:<contact id>`, as Salesforce allows only one).

Only what would change is written; a rescan with nothing new writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from agents.extractor.plan import add_months, months_of
from agents.renewal_planner.deal_details import DealDetails, quote_key
from agents.renewal_planner.portfolio import KEY_PREFIX
from core.renewal_schedule import RenewalSchedule, TermEnd, schedule_for
from playbook_store.renewal_likelihood import (
    EXPLANATION_BREAK,
    Likelihood,
    RenewalSignals,
    renewal_likelihood,
)
from playbook_store.renewal_rules import RenewalRules
from runtime.renewals import ContractOnFile, RenewalPlan
from tools.write_plan import WriteOp, WritePlan, diff

OPEN_STAGE = "Prospecting"
CANCELLED = "Cancelled: "
LOST_STAGE = "Closed Lost"
CLOSED_STAGES = ("Closed Won", "Closed Lost")


def renewal_key(contract: ContractOnFile, cycle: int | None = None) -> str:
    """One key per renewal cycle of a contract: the first is `renewal:<insight key>`, the next ones `...:2`,
    `...:3`, so a renewal that happened stays on file as won while the next one is worked."""
    cycle = contract.renewals_closed if cycle is None else cycle
    return f"{KEY_PREFIX}{contract.insight_key}" + (f":{cycle + 1}" if cycle else "")


def contract_schedule(contract: ContractOnFile, as_of: date) -> RenewalSchedule:
    """The schedule from the terms on file: the expiry, else the start date + the initial term."""
    term_end: TermEnd = contract.expiration_date
    if term_end is None and contract.effective_date and contract.initial_term_months:
        term_end = add_months(contract.effective_date, int(contract.initial_term_months))
    renewal_term = f"P{int(contract.renewal_term_months)}M" if contract.renewal_term_months else None
    notice = f"P{int(contract.notice_period_days)}D" if contract.notice_period_days else None
    return schedule_for(term_end, contract.auto_renewal, renewal_term, notice, as_of,
                        renewal_option=renewal_term is not None)


def renewal_amount(contract: ContractOnFile, schedule: RenewalSchedule, rules: RenewalRules) -> Decimal | None:
    """The contract's annual value over the renewal term, with the playbook's uplift. The value is the one read
    from the executed contract, else the signed deal's amount (the Opportunity the contract closed)."""
    value = contract.total_contract_value if contract.total_contract_value is not None else \
        contract.opportunity_amount
    if value is None:
        return None
    term_months = Decimal(str(contract.initial_term_months)) if contract.initial_term_months else Decimal(12)
    renewal_months = Decimal(months_of(schedule.renewal_term) or 12)
    annual = Decimal(value) * 12 / term_months
    uplifted = annual * renewal_months / 12 * (1 + rules.uplift_percent / 100)
    return uplifted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def likelihood_text(likelihood: Likelihood, held: dict[str, Any] | None) -> str:
    """The likelihood's reasons, one a line; a model's explanation written above the same reasons earlier is
    kept (`explanation.with_explanation`), so a rescan with unchanged reasons changes nothing."""
    reasons = "\n".join(likelihood.reasons)
    on_file = str((held or {}).get("Renewal_Likelihood_Reasons__c") or "")
    return on_file if on_file.endswith(EXPLANATION_BREAK + reasons) else reasons


def plan_renewal(contract: ContractOnFile, as_of: date, horizon: timedelta, rules: RenewalRules,
                 correlation_id: str, details: DealDetails | None = None,
                 members: dict[str, dict[str, Any]] | None = None,
                 campaign_ids: dict[str, str] | None = None) -> RenewalPlan:
    """`details`, `members` and `campaign_ids` (see `deal_details`) add the quote and the sequence enrolment;
    without them the plan holds the renewal, its Tasks and its Event."""
    schedule = contract_schedule(contract, as_of)
    held = contract.renewal
    result = RenewalPlan(contract=contract, schedule=schedule)
    if schedule.renewal_date is None:
        if held and held.get("StageName") not in CLOSED_STAGES:
            return _close_lost(result, correlation_id)
        result.outcome = f"no renewal ({schedule.kind})"
        return result
    cycle, held_tasks, held_events = contract.renewals_closed, contract.tasks, contract.events
    opening: list[WriteOp] = []
    if held and str(held.get("CloseDate")) < schedule.renewal_date.isoformat() and \
            (held.get("StageName") in CLOSED_STAGES or (schedule.auto_renews and str(held.get("CloseDate")) < str(as_of))):
        # The renewal on file is behind us: an auto-renewal that happened is won; the next cycle starts fresh.
        if held.get("StageName") not in CLOSED_STAGES:
            opening.append(WriteOp(ref="renewed", action="upsert", sobject="Opportunity",
                                   external_id=renewal_key(contract), fields={
                                       "StageName": "Closed Won", "ForecastCategoryName": "Closed",
                                       "Renewal_Likelihood__c": 100, "Renewal_Likelihood_Reasons__c":
                                       f"Renewed automatically on {held.get('CloseDate')}: no notice was given."}))
        cycle, held, held_tasks, held_events = cycle + 1, None, {}, {}
    if schedule.renewal_date > as_of + horizon and not held:
        result.outcome = f"renews {schedule.renewal_date.isoformat()}, beyond the horizon"
        if opening:  # only the renewal that happened is written now
            result.plan = WritePlan(correlation_id=correlation_id, operations=opening,
                                    summary=f"renewal of contract insight {contract.insight_id} won")
            result.current = result.held = {"renewed": contract.renewal}
            result.changes = diff(result.plan, result.current)
            result.outcome = f"renewal won; the next renews {schedule.renewal_date.isoformat()}, beyond the horizon"
        return result
    if held and held.get("StageName") in CLOSED_STAGES:
        result.outcome = f"renewal already {held['StageName']}"
        return result
    likelihood = renewal_likelihood(RenewalSignals(
        auto_renews=schedule.auto_renews, termination_for_convenience=contract.termination_for_convenience,
        notice_days=int(contract.notice_period_days) if contract.notice_period_days else None,
        open_support_cases=contract.open_support_cases,
        usage_trend=contract.usage_trend if contract.usage_trend in ("Growing", "Flat", "Declining") else None,
        days_payment_late=contract.days_payment_late), rules)
    amount = renewal_amount(contract, schedule, rules)
    result.likelihood, result.amount = likelihood, amount
    deadline = schedule.notice_deadline or schedule.renewal_date
    name = f"{contract.account_name or contract.opportunity_name or 'Contract'} - Renewal {schedule.renewal_date:%Y-%m}"
    ops = [*opening, WriteOp(ref="renewal", action="upsert", sobject="Opportunity", external_id=renewal_key(contract, cycle),
                   fields={"Name": name[:120], "AccountId": contract.account_id, "StageName": OPEN_STAGE,
                           "CloseDate": schedule.renewal_date, "Amount": amount, "Type": "Renewal",
                           "ForecastCategoryName": likelihood.forecast_category,
                           "Renewal_Of__c": contract.opportunity_id, "Contract_Insight__c": contract.insight_id,
                           "Renewal_Likelihood__c": round(likelihood.probability * 100),
                           "Renewal_Likelihood_Reasons__c": likelihood_text(likelihood, held),
                           "Notice_Deadline__c": schedule.notice_deadline, "OwnerId": contract.owner_id})]
    current: dict[str, dict[str, Any] | None] = {"renewal": held, **({"renewed": contract.renewal} if opening else {})}
    what = "@{renewal.id}"
    held_id = held.get("Id") if held else None
    subject = (f"Renewal notice deadline {deadline.isoformat()}" if schedule.notice_deadline
               else f"Contract ends {deadline.isoformat()}: agree the renewal")
    for lead in sorted(rules.reminder_lead_days, reverse=True):
        due = deadline - timedelta(days=lead)
        key, ref = f"{renewal_key(contract, cycle)}:notice-{lead}d", f"reminder{lead}"
        held_task = held_tasks.get(key)
        if due < as_of and held_task is None:  # no new reminder for a day gone by; one on file still moves
            continue
        fields = {"Subject": f"{subject} (in {lead} days)", "WhatId": what, "OwnerId": contract.owner_id,
                  "ActivityDate": due, "Status": "Not Started", "Priority": "High" if lead <= 30 else "Normal",
                  "Description": _why(schedule)}
        if held_task is not None:
            del fields["Status"]  # set when the reminder is made; after that it is the owner's (done stays done)
        ops.append(WriteOp(ref=ref, action="upsert", sobject="Task", external_id=key, fields=fields))
        current[ref] = _as_planned(held_task, held_id)
    if deadline >= as_of or f"{renewal_key(contract, cycle)}:deadline" in held_events:
        key = f"{renewal_key(contract, cycle)}:deadline"
        ops.append(WriteOp(ref="deadline", action="upsert", sobject="Event", external_id=key, fields={
            "Subject": subject, "WhatId": what, "OwnerId": contract.owner_id, "IsAllDayEvent": True,
            "ActivityDate": deadline, "DurationInMinutes": 1440, "Description": _why(schedule)}))
        current["deadline"] = _as_planned(held_events.get(key), held_id)
    held_lines: dict[str, dict[str, Any] | None] = {}
    if details is not None:
        ops += _quote_ops(contract, schedule, details, rules, current, held_lines, cycle)
        campaign_key = rules.campaign_for(details.agreement_type, amount)
        campaign_id = (campaign_ids or {}).get(campaign_key)
        for index, contact_id in enumerate(details.contact_ids if campaign_id else []):
            key, ref = f"{campaign_key}:{contact_id}", f"member{index}"
            ops.append(WriteOp(ref=ref, action="upsert", sobject="CampaignMember", external_id=key,
                               fields={"CampaignId": campaign_id, "ContactId": contact_id}))
            current[ref] = (members or {}).get(key)
    for op in ops:
        op.fields = {k: v for k, v in op.fields.items() if v is not None}
    result.plan = WritePlan(correlation_id=correlation_id, operations=ops,
                            summary=f"renewal of contract insight {contract.insight_id}")
    result.current, result.changes = current, diff(result.plan, current)
    result.held = {**current, **held_lines}
    if contract.needs_review:
        result.approval_reasons.append("the contract's terms were sent to review when it was synced")
    if amount is not None and amount >= rules.approval_threshold:
        result.approval_reasons.append(f"renewal amount {amount:,.2f} is at or above {rules.approval_threshold:,.0f}")
    moved = held and str(held.get("CloseDate")) != schedule.renewal_date.isoformat()
    result.outcome = (f"renewal moved to {schedule.renewal_date.isoformat()}" if moved else
                      f"renews {schedule.renewal_date.isoformat()}" if held is None else "renewal up to date"
                      if not result.changes else "renewal updated")
    return result


def _quote_ops(contract: ContractOnFile, schedule: RenewalSchedule, details: DealDetails, rules: RenewalRules,
               current: dict[str, dict[str, Any] | None], held_lines: dict[str, dict[str, Any] | None],
               cycle: int) -> list[WriteOp]:
    assert schedule.renewal_date is not None
    key = quote_key(contract.insight_key, cycle)
    months = months_of(schedule.renewal_term) or 12
    held = details.quote if details.quote and str(details.quote.get("Contractloop_Key__c")) == key else None
    ops = [WriteOp(ref="quote", action="upsert", sobject="SBQQ__Quote__c", external_id=key, fields={
        "SBQQ__Opportunity2__c": "@{renewal.id}", "SBQQ__Account__c": contract.account_id,
        "SBQQ__PrimaryContact__c": details.contact_ids[0] if details.contact_ids else None,
        "SBQQ__Primary__c": True, "SBQQ__Status__c": "Draft", "SBQQ__Type__c": "Renewal",
        "SBQQ__StartDate__c": schedule.renewal_date,
        "SBQQ__EndDate__c": add_months(schedule.renewal_date, months) - timedelta(days=1),
        "SBQQ__SubscriptionTerm__c": months, "OwnerId": contract.owner_id})]
    renewal_id = (contract.renewal or {}).get("Id")
    current["quote"] = None if held is None else {
        **held, "SBQQ__Opportunity2__c": "@{renewal.id}" if held.get("SBQQ__Opportunity2__c") == renewal_id
        else held.get("SBQQ__Opportunity2__c")}
    uplift = 1 + rules.uplift_percent / 100
    for index, line in enumerate(details.lines):
        line_key, ref = f"{key}:line-{index + 1}", f"quoteLine{index + 1}"
        net = (Decimal(line.unit_price) * uplift).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) \
            if line.unit_price is not None else None
        ops.append(WriteOp(ref=ref, action="upsert", sobject="SBQQ__QuoteLine__c", external_id=line_key, fields={
            "SBQQ__Quote__c": "@{quote.id}", "SBQQ__Product__c": line.product_id,
            "SBQQ__ProductName__c": line.product_name, "SBQQ__Quantity__c": line.quantity,
            "SBQQ__ListPrice__c": line.list_price, "SBQQ__Discount__c": line.discount, "SBQQ__NetPrice__c": net}))
        held_line = details.quote_lines.get(line_key) if held else None
        held_lines[ref] = held_line
        current[ref] = None if held_line is None else {**held_line, "SBQQ__Quote__c": "@{quote.id}"} \
            if held and held_line.get("SBQQ__Quote__c") == held.get("Id") else held_line
    return ops



def _close_lost(result: RenewalPlan, correlation_id: str) -> RenewalPlan:
    schedule, contract = result.schedule, result.contract
    why = (f"The contract ended on {schedule.term_end} without renewing ({schedule.kind.replace('_', ' ')})."
           if isinstance(schedule.term_end, date) else f"The contract no longer renews ({schedule.kind}).")
    ops = [WriteOp(ref="renewal", action="upsert", sobject="Opportunity", external_id=renewal_key(contract),
                   fields={"StageName": LOST_STAGE, "ForecastCategoryName": "Omitted",
                           "Renewal_Likelihood__c": 0, "Renewal_Likelihood_Reasons__c": why})]
    current: dict[str, dict[str, Any] | None] = {"renewal": contract.renewal}
    # Its open reminders are moot now: deferred, saying why, so nobody chases a deadline that is gone.
    for index, (key, task) in enumerate(sorted(contract.tasks.items())):
        if task.get("Status") in ("Completed", "Deferred"):
            continue
        ref = f"moot{index}"
        ops.append(WriteOp(ref=ref, action="upsert", sobject="Task", external_id=key,
                           fields={"Status": "Deferred", "Description": f"Renewal closed as lost. {why}"}))
        current[ref] = task
    # The deadline in the owner's calendar stays, marked cancelled (the write plan deletes nothing).
    for index, (key, event) in enumerate(sorted(contract.events.items())):
        subject = str(event.get("Subject") or "")
        if subject.startswith(CANCELLED):
            continue
        ref = f"cancelled{index}"
        ops.append(WriteOp(ref=ref, action="upsert", sobject="Event", external_id=key,
                           fields={"Subject": (CANCELLED + subject)[:255],
                                   "Description": f"Renewal closed as lost. {why}"}))
        current[ref] = event
    result.plan = WritePlan(correlation_id=correlation_id, operations=ops,
                            summary=f"renewal of contract insight {contract.insight_id} closed as lost")
    result.current = current
    result.held = current
    result.changes = diff(result.plan, result.current)
    result.outcome = "renewal closed as lost"
    return result


def _as_planned(record: dict[str, Any] | None, renewal_id: str | None) -> dict[str, Any] | None:
    """A held activity as the plan spells it: its WhatId is the renewal the plan names `@{renewal.id}`."""
    if record is None:
        return None
    return {**record, "WhatId": "@{renewal.id}"} if renewal_id and record.get("WhatId") == renewal_id else record


def _why(schedule: RenewalSchedule) -> str:
    if schedule.notice_deadline:
        return (f"The contract renews automatically on {schedule.renewal_date} for {schedule.renewal_term} unless "
                f"notice is given {schedule.notice_period} before; the last day is {schedule.notice_deadline}.")
    return f"The contract's term ends on {schedule.renewal_date}; it does not renew by itself."

