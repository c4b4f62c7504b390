"""Faults: with Ironclad answering 30 % of its API calls with a 429 or a 5xx and Salesforce failing 20 % of its
calls with a row lock or an outage, every deal of a batch still goes the whole loop, once.

Over HTTP to the Flow server, as in production: each deal's Contracting event (sent again, as a Flow's fault path
would, when the server answers 503 with Retry-After), its approval where policy asks for one, the launch in
Ironclad and the write-back; then the workflow completed in the Ironclad sandbox (its control route, not
faulted), the signed webhook, and the executed contract's sync to Salesforce with its write plan approved.
Faults are drawn from fixed seeds by the sandboxes themselves (`sandbox/ironclad/faults.py`, part of the 5xx
answered after the work was done, as a lost answer is; `sandbox/salesforce/faults.py`) and cleared before
anything is counted. Counted from the sandboxes' own stores:
- complete: deals launched with the Opportunity linked to its workflow, and contracts synced (an insight written);
- duplicated: Ironclad workflows beyond one per deal, insights beyond one per contract, Tasks and Events repeated;
- lost: deals whose run did not reach its end (failed, timed out, or launched without the link).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.trust.harness import (
    FlowServer,
    Harness,
    duplicated_workflows,
    event,
    settle,
    sync_to_end,
    workflows_by_opportunity,
)
from benchmarks.trust.registry import Figure, Scenario, at_least, equal, info
from sandbox.ironclad.faults import FaultPlan
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from sandbox.salesforce.faults import FaultKind, FaultRule

DEALS = 20  # the quick run (CI) sends as many: fewer would rarely meet a fault outlasting the clients
IRONCLAD_FAULT_RATE, SALESFORCE_FAULT_RATE = 0.30, 0.20
PARALLEL = 4  # deals in flight at once, as a busy day's Flows would send them
RUN_TIMEOUT_SECONDS = 300.0
SEED = 14


@dataclass
class DealOutcome:
    opportunity_id: str
    draft_status: str = ""
    workflow_id: str | None = None
    sync_status: str = ""
    event_retries: int = 0  # 503 answers to the Contracting event, sent again after Retry-After
    notes: list[str] = field(default_factory=list)


def _deal(flow: FlowServer, index: int) -> str:
    """A standard deal; every other one asks for longer payment terms, so policy sends it to a person."""
    return create_deal(flow.stack.salesforce.store, DealSpec(
        account_name=f"Faults {index} {uuid.uuid4().hex[:6]} Ltd", region="NA", deal_type="Expansion",
        payment_terms_days=30 if index % 2 == 0 else 60, governing_law="State of New York",
        lines=[LineSpec(product_code="PLT-STD", quantity=5 + index)]))


def inject(flow: FlowServer) -> None:
    """Both sandboxes start failing calls at their rates, drawn from fixed seeds."""
    flow.stack.ironclad.services.faults.set(FaultPlan(
        rate=IRONCLAD_FAULT_RATE, statuses=[429, 500, 502, 503], count=1_000_000, seed=SEED, retry_after=0.5,
        after_processing_share=0.3))
    salesforce = flow.stack.salesforce.faults
    salesforce.reset_injected()
    # Two rules, each drawn on its own, over every data API call: 1 - 0.9 * 0.889 ~ 20 % fail.
    salesforce.add(FaultRule(kind=FaultKind.UNABLE_TO_LOCK_ROW, count=1_000_000, path=r"^/services/data/",
                             rate=0.10, seed=SEED))
    salesforce.add(FaultRule(kind=FaultKind.SERVER_UNAVAILABLE, count=1_000_000, path=r"^/services/data/",
                             rate=(SALESFORCE_FAULT_RATE - 0.10) / 0.90, seed=SEED + 1))


def clear(flow: FlowServer) -> tuple[dict[str, Any], dict[str, int]]:
    """Stop the faults; what each sandbox injected: Ironclad's matched/faulted/by status, Salesforce's by kind."""
    _, ironclad_stats = flow.stack.ironclad.services.faults.current()
    flow.stack.ironclad.services.faults.set(None)
    salesforce = flow.stack.salesforce.faults
    salesforce.clear()
    return ironclad_stats.model_dump(), salesforce.injected()


def _send_event(http: httpx.Client, outcome: DealOutcome, deadline: float) -> bool:
    """The Contracting event, sent again after Retry-After while the server answers 503 (upstream down)."""
    body = event(outcome.opportunity_id)
    while time.monotonic() < deadline:
        answer = http.post("/flow/opportunity-events", json=body)
        if answer.status_code in (200, 202):
            return True
        if answer.status_code != 503:
            outcome.notes.append(f"event answered {answer.status_code}: {answer.text[:200]}")
            return False
        outcome.event_retries += 1
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    return False


def run_deal(flow: FlowServer, opportunity_id: str) -> DealOutcome:
    """One deal through the whole loop under faults: drafted, approved, launched, signed, synced."""
    outcome = DealOutcome(opportunity_id)
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    with flow.http(timeout=60) as http, flow.raw(timeout=60) as raw:
        if not _send_event(http, outcome, deadline):
            outcome.draft_status = "event refused"
            return outcome
        status = settle(http, opportunity_id, timeout=max(1.0, deadline - time.monotonic()))
        outcome.draft_status = "timed out" if status.get("timed_out") else str(status.get("status"))
        outcome.workflow_id = status.get("workflow_id")
        if outcome.draft_status != "launched" or not outcome.workflow_id:
            outcome.notes.append(f"draft ended {outcome.draft_status}: {status.get('error')}")
            return outcome
        httpx.post(f"{flow.stack.ironclad.base_url}/_sandbox/workflows/{outcome.workflow_id}/complete",
                   timeout=60).raise_for_status()
        synced = sync_to_end(flow, raw, http, outcome.workflow_id, deadline, "evt-faults")
        outcome.sync_status = "timed out" if synced.get("timed_out") else str(synced.get("status"))
        if outcome.sync_status != "completed":
            outcome.notes.append(f"sync ended {outcome.sync_status}: {synced.get('error')}")
    return outcome


def _linked(flow: FlowServer, outcome: DealOutcome) -> bool:
    rows = flow.stack.salesforce.store.query(
        f"SELECT Ironclad_Workflow_Id__c FROM Opportunity WHERE Id = '{outcome.opportunity_id}'").records
    return bool(rows) and bool(outcome.workflow_id) and rows[0].get("Ironclad_Workflow_Id__c") == outcome.workflow_id


def _insights(flow: FlowServer, opportunity_id: str) -> list[str]:
    return [r["Id"] for r in flow.stack.salesforce.store.query(
        f"SELECT Id FROM Contract_Insight__c WHERE Opportunity__c = '{opportunity_id}'").records]


def _repeated_activities(flow: FlowServer, what_ids: list[str]) -> int:
    """Tasks and Events on the deal (or its insight) that repeat another's subject and date."""
    store, repeated = flow.stack.salesforce.store, 0
    for sobject in ("Task", "Event"):
        for what_id in what_ids:
            rows = store.query(f"SELECT Subject, ActivityDate FROM {sobject} WHERE WhatId = '{what_id}'").records
            seen = Counter((r.get("Subject"), r.get("ActivityDate")) for r in rows)
            repeated += sum(n - 1 for n in seen.values())
    return repeated


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    assert harness is not None
    flow = harness.flow
    count = DEALS
    started = time.monotonic()
    opportunities = [_deal(flow, i) for i in range(count)]
    inject(flow)
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            outcomes = list(pool.map(lambda opp: run_deal(flow, opp), opportunities))
    finally:
        ironclad_faults, salesforce_faults = clear(flow)
    workflows = workflows_by_opportunity(flow)
    launched = [o for o in outcomes if o.draft_status == "launched" and _linked(flow, o)]
    synced = [o for o in outcomes if o.sync_status == "completed" and len(_insights(flow, o.opportunity_id)) >= 1]
    insights = {o.opportunity_id: _insights(flow, o.opportunity_id) for o in outcomes}
    duplicated = sum(duplicated_workflows(workflows.get(o.opportunity_id[:15], [])) for o in outcomes)
    lost = [o for o in outcomes if o not in launched or o not in synced]
    faulted_ironclad = int(ironclad_faults.get("faulted", 0))
    matched_ironclad = int(ironclad_faults.get("matched", 0))
    faulted_salesforce = sum(salesforce_faults.values())
    figures = [
        equal("deals launched and linked", len(launched), count),
        equal("contracts synced", len(synced), count),
        equal("lost (run did not reach its end)", len(lost), 0),
        equal("duplicated Ironclad workflows", duplicated, 0),
        equal("duplicated insights", sum(max(0, len(ids) - 1) for ids in insights.values()), 0),
        equal("repeated Tasks and Events",
              sum(_repeated_activities(flow, [o.opportunity_id, *insights[o.opportunity_id]]) for o in outcomes), 0),
        at_least("Ironclad faults injected", faulted_ironclad, 1),
        info("Ironclad share faulted", round(faulted_ironclad / matched_ironclad, 3) if matched_ironclad else 0.0),
        info("Ironclad faults by status", dict(sorted(ironclad_faults.get("by_status", {}).items()))),
        at_least("Salesforce faults injected", faulted_salesforce, 1),
        info("Salesforce faults by kind", dict(sorted(salesforce_faults.items()))),
        info("events sent again after 503", sum(o.event_retries for o in outcomes)),
        info("seconds", round(time.monotonic() - started, 1)),
    ]
    if lost:
        figures.append(info("lost deals", "; ".join(f"{o.opportunity_id}: {' | '.join(o.notes)[:300]}"
                                                    for o in lost[:3])))
    return figures


SCENARIO = Scenario(
    name="faults",
    proves=f"with {IRONCLAD_FAULT_RATE:.0%} of Ironclad calls answered 429/5xx and {SALESFORCE_FAULT_RATE:.0%} of "
           f"Salesforce calls failing (row lock, outage), {DEALS} deals all go the whole loop: 0 duplicated, 0 lost",
    runner=run, needs_server=True)
