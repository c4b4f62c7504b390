"""`contractloop demo`: the loop on the embedded sandbox, driven exactly as Salesforce would drive it.

Starts both sandboxes and the LangGraph server, puts a few deals of different shapes into the org, posts the
Flow's "Opportunity reached Contracting" events to the Flow API, answers the approvals (automatically, or by
asking with --interactive), shows what changed in Salesforce and Ironclad and why, then plays the humans in
Ironclad (approvals, signature) and receives the signed webhook with the executed contract. It ends with what
changed where and what to try next.

Each run starts from a fresh org under `<data dir>/demo/` and leaves it there, so `contractloop sandbox up
--data-dir …` can open the last run's org and tenant again.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from contractloop.commands.serve import LangGraphServer
from contractloop.demo_deals import DEMO_DEALS
from contractloop.demo_questions import show_questions
from contractloop.demo_review import show_audit_packets, show_review
from contractloop.demo_summary import DemoRecord, FieldTypes, print_next_steps, print_summary
from contractloop.render import console, money, print_bundle, quote_around, short, shown
from core.settings import get_settings, settings_from
from runtime.audit_trail import log_path as audit_log_path
from sandbox.chat import ChatSandbox
from sandbox.salesforce.deals import create_deal
from sandbox.stack import SandboxStack
from tools.ironclad import IroncladClient
from tools.ironclad.registration import register_webhook, webhook_url
from tools.salesforce import SalesforceClient

FINAL = {"launched", "rejected", "failed", "completed", "not_launched"}
OPPORTUNITY_FIELDS = ("Ironclad_Workflow_Id__c", "Ironclad_Workflow_Link__c", "Ironclad_Status__c",
                      "Contract_Risk_Score__c", "Contractloop_Correlation_Id__c")
WORKFLOW_ATTRIBUTES = ("counterpartyName", "effectiveDate", "totalContractValue", "initialTermMonths",
                       "paymentTermsDays", "liabilityCapMultiple", "governingLaw")
INSIGHT_FIELDS = ("Effective_Date__c", "Expiration_Date__c", "Initial_Term_Months__c", "Auto_Renewal__c",
                  "Renewal_Term_Months__c", "Notice_Period_Days__c", "Governing_Law__c", "Payment_Terms_Days__c",
                  "Total_Contract_Value__c", "Liability_Cap__c")
WEBHOOK_ANSWERS = {202: "sync of the executed contract started",
                   200: "this contract is already syncing: no second sync",
                   401: "signature rejected"}
STATE_DIRS = ("sandbox", "server", "executed")  # what one run leaves under <data dir>/demo/


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the loop on the local sandbox, as Salesforce would, and show it")
    parser.add_argument("--opportunities", type=int, default=100, help="size of the seeded sandbox org")
    parser.add_argument("--interactive", action="store_true", help="ask a human at each approval")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = get_settings().contractloop_data_dir / "demo"
    for name in STATE_DIRS:  # every run starts fresh; the last run's state stays until the next one
        shutil.rmtree(root / name, ignore_errors=True)
    api_key = secrets.token_urlsafe(18)
    console.rule("[bold]contractloop demo[/bold]")
    console.print("Starting the Salesforce and Ironclad sandboxes and the LangGraph server (Flow API) …")
    with SandboxStack(root / "sandbox", opportunities=args.opportunities, sf_port=None, ironclad_port=None,
                      fresh=True) as stack, ChatSandbox() as chat:
        # Slack's side is the chat sandbox: the server verifies its signatures and posts answers back to it.
        env = {**stack.env(), "CONTRACTLOOP_API_KEY": api_key,
               "CONTRACTLOOP_DATA_DIR": str(root / "server" / "data"),
               # the server appends to the audit log `contractloop audit verify` reads, not one under the demo
               "CONTRACTLOOP_AUDIT_PATH": str(audit_log_path()),
               **chat.env(slack_webhook=False, slack_api=False, teams=False, slack_questions=True)}
        with LangGraphServer(root / "server", env, jobs=4) as server:
            settings = settings_from(env)
            sf = SalesforceClient.from_settings(settings)
            with IroncladClient.from_settings(settings) as ironclad, \
                    httpx.Client(base_url=server.url, headers={"X-API-Key": api_key}, timeout=30) as flow:
                console.print(f"  Salesforce org  {stack.salesforce.instance_url}  ({args.opportunities} "
                              "seeded opportunities)")
                console.print(f"  Ironclad        {stack.ironclad.base_url}")
                console.print(f"  Flow API        {server.url}/flow  (OpenAPI at /flow/openapi.json)")
                console.print(f"  Rollout mode    {settings.rollout.describe()}  (CONTRACTLOOP_MODE, "
                              "CONTRACTLOOP_PILOT_TEMPLATES)")
                record = DemoRecord(root=root, opportunities=args.opportunities,
                                    salesforce_url=stack.salesforce.instance_url,
                                    ironclad_url=stack.ironclad.base_url, server_log=server.log_path)
                code = _loop(stack, sf, ironclad, flow, record, chat, interactive=args.interactive)
                print_summary(record, sf, ironclad)
    print_next_steps(record)
    return code


def _loop(stack: SandboxStack, sf: SalesforceClient, ironclad: IroncladClient, flow: httpx.Client,
          record: DemoRecord, chat: ChatSandbox, interactive: bool) -> int:
    types = FieldTypes(sf)
    for label, spec in DEMO_DEALS:
        opp_id = create_deal(stack.salesforce.store, spec)
        record.add_deal(opp_id, sf.get("Opportunity", opp_id)["Name"], label)
    record.mark_start()
    console.rule("0. One deal as the drafter reads it, in one SOQL query")
    console.print("  Opportunity, Account, contact roles, line items and the primary CPQ quote:")
    stack.salesforce.reset_usage()
    print_bundle(sf.read_opportunity_bundle(record.deals[-1].opportunity_id))
    console.print(f"  (Salesforce API calls for this read: {stack.salesforce.api_calls})")

    console.rule("1. Opportunities reach Contracting: the Flow posts one event each")
    for deal in record.deals:
        event = {"opportunity_id": deal.opportunity_id, "stage": "Contracting",
                 "event_id": f"evt-{uuid.uuid4().hex[:12]}"}
        answer = _post(flow, "/flow/opportunity-events", event)
        console.print(f"  [bold]{deal.name}[/bold] ({deal.label})\n"
                      f"    POST /flow/opportunity-events {deal.opportunity_id} → {answer['status']} "
                      f"(thread {answer['thread_id']})")
        retry = _post(flow, "/flow/opportunity-events", event)
        same = "the same run, nothing new started" if retry["thread_id"] == answer["thread_id"] else \
            f"a DIFFERENT thread {retry['thread_id']}"
        console.print(f"    the same event again (a Flow retry) → duplicate: {shown(retry['duplicate'])}, {same}")

    console.rule("2. Drafting, risk review and approvals")
    for deal in record.deals:
        console.print(f"  [bold]{deal.name}[/bold]")
        status = _wait(flow, deal.opportunity_id, until=FINAL | {"awaiting_approval"})
        if status["status"] == "awaiting_approval":
            status = _approve(flow, deal.opportunity_id, status, interactive)
        else:
            console.print(f"    risk score {shown(status.get('risk_score'))}/100, route {status.get('risk_route')}: "
                          f"no approval needed")
        deal.status = status
        console.print(f"    → [bold]{status['status']}[/bold]"
                      + (f" — {status['error']}" if status.get("error") else ""))

    console.rule("3. What changed in Salesforce and Ironclad, and why")
    for deal in record.deals:
        _show_outcome(deal.name, deal.label, deal.opportunity_id, deal.status, sf, ironclad)

    console.rule("4. Ironclad: the humans approve and sign; the signed-contract webhook reaches contractloop")
    launched = [d for d in record.deals if d.status["status"] == "launched"]
    webhook = register_webhook(ironclad, webhook_url(str(flow.base_url))).webhook  # as `serve` does at start
    try:
        console.print(f"  contractloop registered Ironclad webhook {webhook.id} → {webhook.target_url}")
        console.print(f"    for {', '.join(webhook.events)}")
        console.print("  The sandbox plays Ironclad's humans: each launched workflow is approved, signed and archived.")
        for deal in launched:
            response = httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{deal.status['workflow_id']}"
                                  "/complete", timeout=30)
            response.raise_for_status()
            done = response.json()
            console.print(f"    {done['ironcladId']} {done['title']} → step {done['step']}, "
                          f"executed record {', '.join(done['recordIds'])}")
        _show_deliveries(stack.ironclad.base_url, expected=len(launched))

        console.rule("5. Executed contract → Salesforce: cited terms, the write plan, one Composite write")
        pdf_dir = record.root / "executed"
        pdf_dir.mkdir(parents=True, exist_ok=True)
        for deal in launched:
            sync = _wait_sync(flow, deal.status["workflow_id"], interactive)
            deal.sync = sync
            _show_sync(deal.opportunity_id, sync, sf, ironclad, pdf_dir, types, record)
        console.print("\n  Audit packets (regulated deals: required clauses attested in the signed copy):")
        if not show_audit_packets(sf, [d.opportunity_id for d in launched]):
            console.print("    none: no launched deal is in a regulated profile")
    finally:
        ironclad.delete_webhook(webhook.id)
    if launched:
        console.rule("6. Renewal plan: the renewal Opportunity, its CPQ quote, deadline Tasks, the email sequence")
        _show_renewals(sf, [d.opportunity_id for d in launched])
    console.rule("7. Inbound paper: the counterparty's NDA reviewed against the playbook")
    review_route = show_review(flow, sf, record.deals[0].opportunity_id, record.deals[0].name)
    console.rule("8. Questions about the signed contracts: two from Slack, one from the Opportunity")
    signed = [(d.opportunity_id, d.name, _account_name(sf, d.opportunity_id)) for d in launched]
    asked = show_questions(chat, flow, sf, signed)
    failed = [d for d in record.deals if d.status["status"] == "failed" or (d.sync or {}).get("status") == "failed"]
    return 1 if failed or review_route == "failed" or not asked else 0


def _account_name(sf: SalesforceClient, opportunity_id: str) -> str:
    rows = sf.query(f"SELECT Account.Name FROM Opportunity WHERE Id = '{opportunity_id}'")
    return str(rows[0]["Account"]["Name"])


def _show_renewals(sf: SalesforceClient, opportunity_ids: list[str]) -> None:
    """The renewals each sync planned at once (step 5), as a scan (`contractloop renewals plan`) sees them now:
    as of today, with a horizon reaching their term ends; up to date, so nothing is written twice."""
    from agents.renewal_planner.portfolio import read_portfolio
    from agents.renewal_planner.scan import plan_all, write_plans
    from playbook_store.loader import load_renewal_rules

    ids = ", ".join(f"'{o}'" for o in opportunity_ids)
    insights = [r["Id"] for r in sf.query(f"SELECT Id FROM Contract_Insight__c WHERE Opportunity__c IN ({ids})")]
    today = date.today()
    plans = plan_all(sf, read_portfolio(sf, insights), today, timedelta(days=5 * 366), load_renewal_rules(),
                     f"demo-renewals-{uuid.uuid4().hex[:12]}")
    # The demo plays the RevOps reviewer too: it approves the held plans (`renewals plan --approve-held`).
    written, failures, calls = write_plans(sf, plans, approved_held=True)
    for plan in plans:
        who = plan.contract.account_name or plan.contract.insight_id
        console.print(f"  [bold]{who}[/bold]: {plan.outcome} ({plan.schedule.kind.replace('_', ' ')}; term ends "
                      f"{shown(plan.schedule.term_end)}, notice deadline {shown(plan.schedule.notice_deadline)})")
        if plan.likelihood:
            console.print(f"    likelihood {plan.likelihood.probability:.0%} → forecast "
                          f"{plan.likelihood.forecast_category}: {'; '.join(plan.likelihood.reasons)}")
        if plan.approval_reasons:
            console.print(f"    held for approval ({'; '.join(plan.approval_reasons)}): the demo's reviewer "
                          "approved it")
        for op in plan.plan.operations if plan.plan else []:
            what = op.fields.get("Name") or op.fields.get("Subject") or op.fields.get("SBQQ__ProductName__c") \
                or op.external_id
            when = op.fields.get("CloseDate") or op.fields.get("ActivityDate") or op.fields.get("SBQQ__StartDate__c")
            amount = op.fields.get("Amount") or op.fields.get("SBQQ__NetPrice__c")
            console.print(f"    {op.sobject:<20} {short(str(what), 70)}" + (f"  {shown(when)}" if when else "")
                          + (f"  {money(amount, plan.contract.currency or 'USD')}" if amount else ""))
    for failure in failures:
        console.print(f"  [red]{failure.sobject} for {failure.contract} failed: {failure.errors}[/red]")
    console.print(f"  {written} renewal plan(s) written in {calls} Salesforce call(s); a rescan writes nothing "
                  "(`contractloop renewals plan --dry-run` shows it)")


def _show_deliveries(ironclad_url: str, expected: int, timeout: float = 30.0) -> None:
    """Ironclad delivers webhooks from its own queue; show them once each completed workflow's event is out."""
    deadline = time.monotonic() + timeout
    while True:
        attempts = httpx.get(f"{ironclad_url}/_sandbox/webhook-deliveries", timeout=10).json()["list"]
        done = [a for a in attempts if a["event"] == "workflow_completed" and a["status_code"] is not None]
        if len(done) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    console.print("  Ironclad → contractloop, signed webhook deliveries:")
    for attempt in attempts:
        code = attempt["status_code"]
        answer = f"HTTP {code}, {WEBHOOK_ANSWERS.get(code, 'see the server log')}" if code else \
            f"failed: {attempt['error']}"
        console.print(f"    {attempt['event']:<40} → {answer} ({shown(round(attempt['elapsed_ms']))} ms)")


def _wait_sync(flow: httpx.Client, workflow_id: str, interactive: bool, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = flow.get(f"/ironclad/workflows/{workflow_id}/sync")
        sync: dict[str, Any] = response.json() if response.status_code == 200 else \
            {"status": "waiting for the webhook"}
        if sync["status"] == "awaiting_approval":
            if sync.get("awaiting") == "renewal":
                renewal = sync.get("renewal") or {}
                console.print(f"  [bold]Renewal held for approval[/bold] after the sync of {sync['record_name']}: "
                              + "; ".join(renewal.get("approval_reasons") or []))
            else:
                console.print(f"  [bold]Review needed[/bold] before writing {sync['record_name']}: "
                              + " ".join(sync["review_reasons"]))
            decision = _ask() if interactive else {"decision": "approve",
                                                   "reviewer": "demo reviewer (automatic, unattended demo)"}
            _post(flow, "/flow/approvals", {"thread_id": sync["thread_id"], **decision})
            time.sleep(0.3)
            continue
        if sync["status"] in ("completed", "rejected", "failed"):
            return dict(sync)
        if time.monotonic() > deadline:
            raise SystemExit(f"the sync of workflow {workflow_id} did not finish in {timeout:.0f} s: {sync}")
        time.sleep(0.3)


def _show_sync(opp_id: str, sync: dict[str, Any], sf: SalesforceClient, ironclad: IroncladClient,
               pdf_dir: Path, types: FieldTypes, record: DemoRecord) -> None:
    console.print(f"\n  [bold]{sync.get('record_name')}[/bold]: sync {sync['status']}"
                  + (f" — {sync['error']}" if sync.get("error") else ""))
    if sync.get("record_id"):
        pdf = pdf_dir / f"{_slug(sync.get('record_name') or sync['record_id'])}.pdf"
        pdf.write_bytes(ironclad.download_signed_copy(sync["record_id"]))
        record.files.append((pdf, "signed PDF"))
        console.print(f"    executed PDF saved to {record.display_path(pdf)}")
    _show_plan(sync, types)
    rows = sf.query(f"SELECT {', '.join(INSIGHT_FIELDS)}, Citations__c, Clauses__c FROM Contract_Insight__c "
                    f"WHERE Opportunity__c = '{opp_id}'")
    if rows:
        _show_insight(rows[0], types)
        _show_clauses(rows[0])
    tasks = sf.query(f"SELECT Subject, ActivityDate FROM Task WHERE WhatId = '{opp_id}' "
                     "AND Contractloop_Key__c LIKE 'ironclad-%' ORDER BY ActivityDate")
    if tasks:
        console.print("    Tasks for the account team:")
    for task in tasks:
        console.print(f"      {task['ActivityDate']}  {short(task['Subject'], 100)}")
    if renewal := sync.get("renewal"):
        console.print(f"    Renewal planned at once from these terms: {renewal['outcome']} (renewal "
                      f"{shown(renewal['renewal_date'])}, notice deadline {shown(renewal['notice_deadline'])}), "
                      + ("written" if renewal["written"] else "not written"))


def _show_plan(sync: dict[str, Any], types: FieldTypes) -> None:
    """The write plan per record: updates of existing records in full (old → new), new records by count."""
    by_record: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in sync["changes"]:
        by_record.setdefault((change["sobject"], change["record"]), []).append(change)
    console.print(f"    write plan: {len(sync['changes'])} field changes on {len(by_record)} records, "
                  f"{sync['written_records']} written in one Composite call:")
    new: dict[str, int] = {}
    for (sobject, record_key), changes in by_record.items():
        if all(c["old"] is None for c in changes):
            new[sobject] = new.get(sobject, 0) + 1
            continue
        console.print(f"      update {sobject} {record_key}:")
        for c in changes:
            kind = types.of(sobject, c["field"])
            console.print(f"        {c['field']:<30} {shown(c['old'], kind)} → {shown(c['new'], kind)}")
    if new:
        console.print("      create " + ", ".join(f"{n} {sobject}" for sobject, n in new.items()))


def _show_insight(insight: dict[str, Any], types: FieldTypes) -> None:
    citations = json.loads(insight.get("Citations__c") or "{}")
    console.print("    Contract_Insight__c in Salesforce, each value with its citation into the PDF:")
    for field in INSIGHT_FIELDS:
        value = insight.get(field)
        if value is None:
            continue
        kind = types.of("Contract_Insight__c", field)
        text = shown(value, kind)
        cite = citations.get(field)
        quote, note = quote_around(cite["quote"], field, value, insight) if cite else ("", None)
        console.print(f"      {field:<24} {text:<12} " + (f'p.{cite["page"]} "{quote}"' if cite else "no citation"))
        if note:
            console.print(f"      {'':<24} {'':<12} ({note})")


def _show_clauses(insight: dict[str, Any], most: int = 12) -> None:
    """The CUAD clauses the clause finder found, as Clauses__c holds them (category, score, page, quote)."""
    lines = str(insight.get("Clauses__c") or "").splitlines()
    if not lines:
        return
    console.print(f"    Clauses the contract states ({lines[0].rstrip(':.')}; all in Clauses__c):", highlight=False)
    for line in lines[1:most + 1]:
        console.print(f"      {short(line, 110)}", highlight=False)
    if len(lines) > most + 1:
        console.print(f"      … and {len(lines) - most - 1} more", highlight=False)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "contract"


def _post(flow: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = flow.post(path, json=body)
    if response.status_code >= 400:
        raise SystemExit(f"{path} answered {response.status_code}: {response.text}")
    return dict(response.json())


def _wait(flow: httpx.Client, opp_id: str, until: set[str], timeout: float = 90.0,
          changed_since: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status = flow.get(f"/flow/opportunities/{opp_id}").json()
        fresh = changed_since is None or status.get("updated_at") != changed_since
        if status.get("status") in until and fresh:
            return dict(status)
        if time.monotonic() > deadline:
            raise SystemExit(f"run for {opp_id} did not finish in {timeout:.0f} s: {status}")
        time.sleep(0.3)


def _approve(flow: httpx.Client, opp_id: str, status: dict[str, Any], interactive: bool) -> dict[str, Any]:
    """Answer approvals until the run settles: an edit is re-reviewed and may ask again."""
    while status["status"] == "awaiting_approval":
        approval = status["approval"]
        console.print(f"    [bold]Approval needed[/bold] from {approval['approver_role']} "
                      f"(Salesforce Task {approval['salesforce_task_id']}):")
        for line in approval["risk_summary"].splitlines():
            console.print(f"      {line}")
        console.print(f"      templates {shown(approval['templates'])}; "
                      f"clauses {shown(approval['clauses']) if approval['clauses'] else 'standard only'}")
        if interactive:
            decision = _ask()
        else:
            decision = {"decision": "approve", "reviewer": "demo approver (automatic, unattended demo)"}
            console.print("    → approved automatically (run `contractloop demo --interactive` to decide yourself)")
        before = status.get("updated_at")
        _post(flow, "/flow/approvals", {"opportunity_id": opp_id, **decision})
        status = _wait(flow, opp_id, until=FINAL | {"awaiting_approval"},
                       changed_since=before)
    return status


def _ask() -> dict[str, Any]:
    while True:
        choice = console.input("    approve / edit / reject? ").strip().lower()
        reviewer = "demo user (interactive)"
        if choice in ("a", "approve"):
            return {"decision": "approve", "reviewer": reviewer}
        if choice in ("r", "reject"):
            reason = console.input("    reason: ").strip() or "rejected in the demo"
            return {"decision": "reject", "reviewer": reviewer, "message": reason}
        if choice in ("e", "edit"):
            raw = console.input('    attributes as JSON, e.g. {"paymentTermsDays": 30}: ').strip()
            try:
                edited = json.loads(raw)
            except ValueError:
                console.print("    not JSON; try again")
                continue
            return {"decision": "edit", "reviewer": reviewer, "edited_attributes": edited}
        console.print("    please answer approve, edit or reject")


def _show_outcome(name: str, label: str, opp_id: str, status: dict[str, Any], sf: SalesforceClient,
                  ironclad: IroncladClient) -> None:
    opp = sf.get("Opportunity", opp_id)
    console.print(f"\n  [bold]{name}[/bold] ({label})")
    console.print(f"    Salesforce Opportunity {opp_id}:")
    for field in OPPORTUNITY_FIELDS:
        console.print(f"      {field:<32} {shown(opp.get(field))}")
    console.print("      Contract_Risk_Summary__c:")
    for line in (opp.get("Contract_Risk_Summary__c") or "").splitlines():
        console.print(f"        {line}")
    for workflow_id in ([status["workflow_id"]] if status.get("workflow_id") else []) + \
            list(status.get("addendum_workflow_ids") or []):
        workflow = ironclad.get_workflow(workflow_id)
        console.print(f"    Ironclad workflow {workflow.ironclad_id} ({workflow.title}), step {workflow.step}:")
        for attr in WORKFLOW_ATTRIBUTES:
            if attr in workflow.attributes:
                console.print(f"      {attr:<22} {shown(workflow.attributes[attr])}")
