"""Executed contract -> Salesforce write plan: the contract insight (with the clauses it states), account and
opportunity fields, obligation records, and Tasks and Events for obligations and milestones.

Every value written comes from a cited term; external keys derive from the Ironclad record id (and, for
obligations, their text), so re-running the same contract upserts the same records and changes nothing.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from agents.extractor.account_renewals import expires_later
from agents.extractor.clause_fields import clause_fields
from agents.extractor.context import ContractContext
from core.contract_terms import Citation, ContractTerms, Obligation
from extraction.durations import duration_key
from tools.write_plan import WriteOp, WritePlan

RECURRENCE = {"daily": "Ongoing", "weekly": "Ongoing", "monthly": "Monthly", "quarterly": "Quarterly",
              "annually": "Annually"}
RECURRENCE_MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_period(day: date, iso: str, sign: int = 1) -> date | None:
    """`day` plus (or minus) an ISO-8601 period of one unit; None for periods we cannot place on a calendar."""
    try:
        months, days = duration_key(iso)
    except ValueError:
        return None
    return add_months(day, sign * months) if months else day + timedelta(days=sign * days)


def months_of(iso: str | None) -> int | None:
    if not iso or iso == "perpetual":
        return None
    try:
        months, days = duration_key(iso)
    except ValueError:
        return None
    return months or None


def _cite(citation: Citation) -> dict[str, Any]:
    return {"page": citation.page, "start": citation.start, "end": citation.end, "quote": citation.quote}


def _where(citation: Citation) -> str:
    return f"p.{citation.page} [{citation.start}:{citation.end}] \"{citation.quote[:160]}\""


class _Fields:
    """Collects field values with the citation each came from."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.citations: dict[str, Citation] = {}

    def put(self, name: str, value: Any, citation: Citation | None) -> None:
        if value is None:
            return
        self.values[name] = value
        if citation is not None:
            self.citations[name] = citation


def insight_fields(terms: ContractTerms, ctx: ContractContext) -> _Fields:
    f = _Fields()
    f.put("Opportunity__c", ctx.opportunity_id, None)
    f.put("Account__c", ctx.account_id, None)
    f.put("Ironclad_Record_Id__c", ctx.ironclad_record_id, None)
    # A contract that states no effective date of its own takes effect on the date it was made.
    effective = terms.effective_date or terms.agreement_date
    for name, cited in (("Agreement_Date__c", terms.agreement_date), ("Effective_Date__c", effective)):
        if cited:
            f.put(name, cited.value, cited.citation)
    if terms.expiration_date and isinstance(terms.expiration_date.value, date):
        f.put("Expiration_Date__c", terms.expiration_date.value, terms.expiration_date.citation)
    if terms.initial_term:
        f.put("Initial_Term_Months__c", months_of(terms.initial_term.value), terms.initial_term.citation)
    if terms.auto_renewal:
        f.put("Auto_Renewal__c", terms.auto_renewal.value, terms.auto_renewal.citation)
    if terms.renewal_term:
        f.put("Renewal_Term_Months__c", months_of(terms.renewal_term.value), terms.renewal_term.citation)
    notice_days = notice_period_days(terms)
    if notice_days is not None and terms.notice_period_to_terminate_renewal:
        f.put("Notice_Period_Days__c", notice_days, terms.notice_period_to_terminate_renewal.citation)
    if terms.termination_for_convenience:
        f.put("Termination_For_Convenience__c", terms.termination_for_convenience.value,
              terms.termination_for_convenience.citation)
    if terms.governing_law:
        f.put("Governing_Law__c", terms.governing_law.value, terms.governing_law.citation)
    if terms.payment_terms_net_days:
        f.put("Payment_Terms_Days__c", terms.payment_terms_net_days.value, terms.payment_terms_net_days.citation)
    if terms.total_contract_value:
        f.put("Total_Contract_Value__c", terms.total_contract_value.amount, terms.total_contract_value.citation)
        f.put("Currency__c", terms.total_contract_value.currency, terms.total_contract_value.citation)
    if terms.liability_cap:
        f.put("Liability_Cap__c", liability_cap_text(terms), terms.liability_cap.citation)
    return f


def notice_period_days(terms: ContractTerms) -> int | None:
    """Days of notice; a period in months is counted back from the expiration date, or left unset."""
    notice = terms.notice_period_to_terminate_renewal
    if notice is None or notice.value == "perpetual":
        return None
    months, days = duration_key(notice.value)
    if not months:
        return days
    expiration = terms.expiration_date.value if terms.expiration_date else None
    if isinstance(expiration, date):
        return (expiration - add_months(expiration, -months)).days
    return None


def liability_cap_text(terms: ContractTerms) -> str | None:
    cap = terms.liability_cap
    if cap is None:
        return None
    if cap.kind == "amount" and cap.amount:
        return f"{cap.amount.currency} {cap.amount.amount:,.2f}"
    if cap.kind == "multiple_of_fees" and cap.multiple is not None:
        return f"{cap.multiple.normalize():f}x fees"
    return {"fees_paid": "fees paid", "excluded_damages": "consequential damages excluded",
            "claim_time_limit": "time limit on claims", "uncapped": "uncapped"}.get(cap.kind, cap.kind)


_LEADING_HEADING = re.compile(r"^(?:[A-Z][A-Z&/,'-]*\s+){1,6}(?:\d+(?:\.\d+)*\.?\s+)?(?=[A-Z][a-z])")


def obligation_text(obligation: Obligation) -> str:
    """The obligation as a sentence for people: one line, without the section heading it was printed under
    (the verbatim quote stays in the citation)."""
    return _LEADING_HEADING.sub("", " ".join(obligation.description.split()))


def obligation_key(ctx: ContractContext, obligation: Obligation) -> str:
    digest = hashlib.sha256(" ".join(obligation.description.lower().split()).encode()).hexdigest()[:12]
    return f"{ctx.key}-obl-{digest}"


def obligation_due(terms: ContractTerms, obligation: Obligation) -> date | None:
    started = terms.effective_date or terms.agreement_date  # no stated effective date: the date it was made
    start = started.value if started else None
    if start is None:
        return None
    if obligation.recurrence in RECURRENCE_MONTHS:
        return add_months(start, RECURRENCE_MONTHS[obligation.recurrence])
    if obligation.due:
        return add_period(start, obligation.due)
    return None


def _party(obligation: Obligation) -> str | None:
    party = (obligation.obligated_party or "").lower()
    if not party:
        return None
    if party in ("both", "each party", "mutual", "either party"):
        return "Mutual"
    if any(word in party for word in ("customer", "client", "licensee", "buyer", "subscriber")):
        return "Customer"
    return "Provider"


def renewal_deadline(terms: ContractTerms) -> date | None:
    """The last day to give notice of non-renewal, when the contract auto-renews on a known date."""
    if not (terms.auto_renewal and terms.auto_renewal.value and terms.notice_period_to_terminate_renewal):
        return None
    expiration = terms.expiration_date.value if terms.expiration_date else None
    if not isinstance(expiration, date):
        return None
    return add_period(expiration, terms.notice_period_to_terminate_renewal.value, sign=-1)


def build_plan(terms: ContractTerms, ctx: ContractContext, correlation_id: str,
               needs_review: bool = False) -> tuple[WritePlan, dict[str, dict[str, Any] | None]]:
    """(write plan, current record per op ref) for the dry-run diff."""
    snap = ctx.snapshot
    what = ctx.opportunity_id or ctx.account_id
    ops: list[WriteOp] = []
    current: dict[str, dict[str, Any] | None] = {}

    insight = insight_fields(terms, ctx)
    insight.put("Needs_Review__c", needs_review, None)
    clauses = clause_fields(terms, snap.insight)
    insight.values.update(clauses.values)
    cited = {**insight.citations, **clauses.citations}
    insight.values["Citations__c"] = json.dumps({k: _cite(c) for k, c in sorted(cited.items())}, sort_keys=True)
    ops.append(WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=ctx.key,
                       fields=insight.values, citations={k: _where(c) for k, c in insight.citations.items()}))
    current["insight"] = snap.insight

    if ctx.account_id and expires_later(insight.values.get("Expiration_Date__c"),
                                        snap.account.get("Contract_Expiration_Date__c")):
        account = _Fields()
        if "Expiration_Date__c" in insight.values:
            account.put("Contract_Expiration_Date__c", insight.values["Expiration_Date__c"],
                        insight.citations["Expiration_Date__c"])
        if "Auto_Renewal__c" in insight.values:
            account.put("Auto_Renewal__c", insight.values["Auto_Renewal__c"], insight.citations["Auto_Renewal__c"])
        if "Notice_Period_Days__c" in insight.values:
            account.put("Renewal_Notice_Days__c", insight.values["Notice_Period_Days__c"],
                        insight.citations["Notice_Period_Days__c"])
        if account.values:
            ops.append(WriteOp(ref="account", action="update", sobject="Account", record_id=ctx.account_id,
                               fields=account.values, citations={k: _where(c) for k, c in account.citations.items()}))
            current["account"] = snap.account
    if ctx.opportunity_id:
        ops.append(WriteOp(ref="opportunity", action="update", sobject="Opportunity", record_id=ctx.opportunity_id,
                           fields={"Ironclad_Status__c": "Executed"}))
        current["opportunity"] = snap.opportunity

    for index, obligation in enumerate(terms.obligations):
        key = obligation_key(ctx, obligation)
        due = obligation_due(terms, obligation)
        fields = {"Contract_Insight__c": "@{insight.id}", "Account__c": ctx.account_id,
                  "Description__c": obligation_text(obligation), "Obligated_Party__c": _party(obligation),
                  "Due_Date__c": due, "Recurrence__c": RECURRENCE.get(obligation.recurrence or "", "One-time"),
                  "Is_SLA__c": obligation.sla_percent is not None, "Citation__c": _where(obligation.citation)}
        ref = f"obligation{index}"
        ops.append(WriteOp(ref=ref, action="upsert", sobject="Contract_Obligation__c", external_id=key,
                           fields={k: v for k, v in fields.items() if v is not None},
                           citations={"Description__c": _where(obligation.citation)}))
        existing = snap.obligations.get(key)
        current[ref] = None if existing is None else {**existing, "Contract_Insight__c": "@{insight.id}"}
        if due and what:
            task_key = f"{key}-task"
            ops.append(WriteOp(ref=f"task{index}", action="upsert", sobject="Task", external_id=task_key,
                               fields={"Subject": f"Contract obligation: {obligation_text(obligation)[:200]}",
                                       "WhatId": what, "OwnerId": ctx.owner_id, "ActivityDate": due,
                                       "Status": "Not Started", "Priority": "Normal",
                                       "Description": f"From the executed contract, {_where(obligation.citation)}"},
                               citations={"ActivityDate": _where(obligation.citation)}))
            current[f"task{index}"] = snap.tasks.get(task_key)

    if what:
        ops += _milestones(terms, ctx, what, current)
    for op in ops:
        op.fields = {k: v for k, v in op.fields.items() if v is not None}
    return WritePlan(correlation_id=correlation_id, operations=ops,
                     summary=f"executed contract {ctx.ironclad_record_id}"), current


def _milestones(terms: ContractTerms, ctx: ContractContext, what: str,
                current: dict[str, dict[str, Any] | None]) -> list[WriteOp]:
    ops = []
    expiration = terms.expiration_date
    if expiration and isinstance(expiration.value, date):
        key = f"{ctx.key}-event-expiration"
        ops.append(WriteOp(ref="expirationEvent", action="upsert", sobject="Event", external_id=key, fields={
            "Subject": "Contract expires", "WhatId": what, "OwnerId": ctx.owner_id, "IsAllDayEvent": True,
            "ActivityDate": expiration.value, "DurationInMinutes": 1440,
            "Description": f"Expiration date from the executed contract, {_where(expiration.citation)}"},
            citations={"ActivityDate": _where(expiration.citation)}))
        current["expirationEvent"] = ctx.snapshot.events.get(key)
    deadline = renewal_deadline(terms)
    if deadline and terms.notice_period_to_terminate_renewal:
        cite = _where(terms.notice_period_to_terminate_renewal.citation)
        key = f"{ctx.key}-task-renewal-notice"
        ops.append(WriteOp(ref="renewalTask", action="upsert", sobject="Task", external_id=key, fields={
            "Subject": "Renewal decision: last day to give notice of non-renewal", "WhatId": what,
            "OwnerId": ctx.owner_id, "ActivityDate": deadline, "Status": "Not Started", "Priority": "High",
            "Description": f"The contract renews automatically unless notice is given by {deadline.isoformat()}; "
                           f"{cite}"}, citations={"ActivityDate": cite}))
        current["renewalTask"] = ctx.snapshot.tasks.get(key)
    return ops


def contract_value_gap(terms: ContractTerms, ctx: ContractContext) -> Decimal | None:
    """Relative difference between the contract's total value and the Opportunity Amount, if both are known."""
    if terms.total_contract_value is None or not ctx.opportunity_amount:
        return None
    amount = Decimal(str(ctx.opportunity_amount))
    return abs(terms.total_contract_value.amount - amount) / amount
