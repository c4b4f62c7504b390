"""`contractloop demo`: the loop on the embedded sandbox, driven exactly as Salesforce would drive it.

Starts both sandboxes and the LangGraph server, puts a few deals of different shapes into the org, posts the
Flow's "Opportunity reached Contracting" events to the Flow API, answers the approvals (automatically, or by
asking with --interactive), shows what changed in Salesforce and Ironclad and why, then plays the humans in
Ironclad (approvals, signature) and receives the signed webhook with the executed contract.
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from contractloop.commands.serve import LangGraphServer
from contractloop.demo_deals import DEMO_DEALS
from contractloop.render import console, print_bundle
from contractloop.settings import get_settings, settings_from
from sandbox.salesforce.deals import create_deal
from sandbox.stack import SandboxStack
from tools.ironclad import IroncladClient
from tools.ironclad.registration import register_webhook, webhook_url
from tools.salesforce import SalesforceClient

FINAL = {"launched", "rejected", "failed", "completed"}
OPPORTUNITY_FIELDS = ("Ironclad_Workflow_Id__c", "Ironclad_Workflow_Link__c", "Ironclad_Status__c",
                      "Contract_Risk_Score__c", "Contractloop_Correlation_Id__c")


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="run the loop on the local sandbox, as Salesforce would, and show it")
    parser.add_argument("--opportunities", type=int, default=100, help="size of the seeded sandbox org")
    parser.add_argument("--interactive", action="store_true", help="ask a human at each approval")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="contractloop-demo-") as tmp:
        root = Path(tmp)
        api_key = secrets.token_urlsafe(18)
        console.rule("[bold]contractloop demo[/bold]")
        console.print("Starting the Salesforce and Ironclad sandboxes and the LangGraph server (Flow API) …")
        with SandboxStack(root / "sandbox", opportunities=args.opportunities, sf_port=None, ironclad_port=None,
                          fresh=True) as stack:
            env = {**stack.env(), "CONTRACTLOOP_API_KEY": api_key, "CONTRACTLOOP_DATA_DIR": str(root / "data")}
            with LangGraphServer(root / "langgraph", env, jobs=4) as server:
                settings = settings_from(env)
                sf = SalesforceClient.from_settings(settings)
                with IroncladClient.from_settings(settings) as ironclad, \
                        httpx.Client(base_url=server.url, headers={"X-API-Key": api_key}, timeout=30) as flow:
                    console.print(f"  Salesforce org  {stack.salesforce.instance_url}  ({args.opportunities} "
                                  "seeded opportunities)")
                    console.print(f"  Ironclad        {stack.ironclad.base_url}")
                    console.print(f"  Flow API        {server.url}/flow  (OpenAPI at /flow/openapi.json)")
                    return _loop(stack, sf, ironclad, flow, root, interactive=args.interactive)


def _loop(stack: SandboxStack, sf: SalesforceClient, ironclad: IroncladClient, flow: httpx.Client, root: Path,
          interactive: bool) -> int:
    opportunities = []
    for label, spec in DEMO_DEALS:
        opp_id = create_deal(stack.salesforce.store, spec)
        opportunities.append((label, opp_id))
    console.rule("0. A deal as the drafter reads it: Opportunity, Account, contact roles, line items and the "
                 "primary CPQ quote, in one SOQL query")
    stack.salesforce.reset_usage()
    print_bundle(sf.read_opportunity_bundle(opportunities[-1][1]))
    console.print(f"  (Salesforce API calls for this read: {stack.salesforce.api_calls})")
    console.rule("1. Opportunities reach Contracting: the Flow posts one event each")
    threads: dict[str, str] = {}
    for label, opp_id in opportunities:
        event = {"opportunity_id": opp_id, "stage": "Contracting", "event_id": f"evt-{uuid.uuid4().hex[:12]}"}
        answer = _post(flow, "/flow/opportunity-events", event)
        threads[opp_id] = answer["thread_id"]
        console.print(f"  {label}\n    POST /flow/opportunity-events {opp_id} → {answer['status']} "
                      f"(thread {answer['thread_id']})")
        retry = _post(flow, "/flow/opportunity-events", event)
        console.print(f"    same event again (a Flow retry) → duplicate={retry['duplicate']}, same thread: "
                      f"{retry['thread_id'] == answer['thread_id']}")

    console.rule("2. Drafting, risk review and approvals")
    statuses: dict[str, dict[str, Any]] = {}
    for label, opp_id in opportunities:
        status = _wait(flow, opp_id, until=FINAL | {"awaiting_approval"})
        if status["status"] == "awaiting_approval":
            status = _approve(flow, opp_id, status, interactive)
        statuses[opp_id] = status
        console.print(f"  {label}: [bold]{status['status']}[/bold]"
                      + (f" — {status['error']}" if status.get("error") else ""))

    console.rule("3. What changed in Salesforce and Ironclad, and why")
    for label, opp_id in opportunities:
        _show_outcome(label, opp_id, statuses[opp_id], sf, ironclad)

    console.rule("4. Ironclad: the humans approve and sign; the signed-contract webhook reaches contractloop")
    launched = [(label, o, statuses[o]) for label, o in opportunities if statuses[o]["status"] == "launched"]
    webhook = register_webhook(ironclad, webhook_url(str(flow.base_url))).webhook  # as `serve` does at start
    try:
        for _label, _opp, status in launched:
            httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{status['workflow_id']}/complete",
                       timeout=30).raise_for_status()
        console.rule("5. Executed contract -> Salesforce: cited terms, the write plan, one Composite write")
        pdf_dir = get_settings().contractloop_data_dir / "demo" / "executed"
        pdf_dir.mkdir(parents=True, exist_ok=True)
        for label, opp_id, status in launched:
            sync = _wait_sync(flow, status["workflow_id"], interactive)
            _show_sync(label, opp_id, sync, sf, ironclad, pdf_dir)
            if sync["status"] == "failed":
                statuses[opp_id] = sync
    finally:
        ironclad.delete_webhook(webhook.id)
    failed = [o for o in statuses.values() if o["status"] == "failed"]
    return 1 if failed else 0


def _wait_sync(flow: httpx.Client, workflow_id: str, interactive: bool, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = flow.get(f"/ironclad/workflows/{workflow_id}/sync")
        sync = response.json() if response.status_code == 200 else {"status": "waiting for the webhook"}
        if sync["status"] == "awaiting_approval":
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


def _show_sync(label: str, opp_id: str, sync: dict[str, Any], sf: SalesforceClient, ironclad: IroncladClient,
               pdf_dir: Path) -> None:
    console.print(f"\n  [bold]{sync.get('record_name')}[/bold] ({label}): sync {sync['status']}"
                  + (f" — {sync['error']}" if sync.get("error") else ""))
    if sync.get("record_id"):
        pdf = pdf_dir / f"{sync['record_id']}.pdf"
        pdf.write_bytes(ironclad.download_signed_copy(sync["record_id"]))
        console.print(f"    executed PDF: {pdf}")
    console.print(f"    write plan ({len(sync['changes'])} field changes, {sync['written_records']} records "
                  "written in one Composite call):")
    for change in sync["changes"][:14]:
        console.print(f"      {change['sobject']}.{change['field']}: {change['old']} -> {str(change['new'])[:60]}")
    if len(sync["changes"]) > 14:
        console.print(f"      … and {len(sync['changes']) - 14} more")
    rows = sf.query("SELECT Effective_Date__c, Expiration_Date__c, Auto_Renewal__c, Renewal_Term_Months__c, "
                    "Notice_Period_Days__c, Governing_Law__c, Payment_Terms_Days__c, Total_Contract_Value__c, "
                    f"Liability_Cap__c, Citations__c FROM Contract_Insight__c WHERE Opportunity__c = '{opp_id}'")
    if not rows:
        return
    insight = rows[0]
    citations = json.loads(insight.get("Citations__c") or "{}")
    console.print("    Contract_Insight__c in Salesforce, each value with its citation into the PDF:")
    for field, value in insight.items():
        if field in ("attributes", "Citations__c") or value is None:
            continue
        cite = citations.get(field)
        where = f"p.{cite['page']} \"{' '.join(cite['quote'].split())[:70]}…\"" if cite else ""
        console.print(f"      {field:<26} {str(value):<14} {where}")
    tasks = sf.query(f"SELECT Subject, ActivityDate FROM Task WHERE WhatId = '{opp_id}' "
                     "AND Contractloop_Key__c LIKE 'ironclad-%' ORDER BY ActivityDate")
    for task in tasks:
        console.print(f"    Task {task['ActivityDate']}: {task['Subject'][:90]}")


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
        console.print(f"\n  [bold]Approval needed[/bold] from {approval['approver_role']} "
                      f"(Salesforce Task {approval['salesforce_task_id']}):")
        for line in approval["risk_summary"].splitlines():
            console.print(f"    {line}")
        console.print(f"    templates {approval['templates']}, clauses {approval['clauses'] or 'standard only'}")
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


def _show_outcome(label: str, opp_id: str, status: dict[str, Any], sf: SalesforceClient,
                  ironclad: IroncladClient) -> None:
    opp = sf.get("Opportunity", opp_id)
    console.print(f"\n  [bold]{opp['Name']}[/bold] ({label})")
    console.print(f"    Salesforce Opportunity {opp_id}:")
    for field in OPPORTUNITY_FIELDS:
        console.print(f"      {field:<32} {opp.get(field)}")
    console.print("      Contract_Risk_Summary__c:")
    for line in (opp.get("Contract_Risk_Summary__c") or "").splitlines():
        console.print(f"        {line}")
    if status.get("workflow_id"):
        workflow = ironclad.get_workflow(status["workflow_id"])
        attrs = workflow.attributes
        console.print(f"    Ironclad workflow {workflow.ironclad_id} ({workflow.title}), step {workflow.step}:")
        for name in ("counterpartyName", "effectiveDate", "totalContractValue", "initialTermMonths",
                     "paymentTermsDays", "liabilityCapMultiple", "governingLaw"):
            if name in attrs:
                console.print(f"      {name:<22} {attrs[name]}")
        for addendum in status.get("addendum_workflow_ids") or []:
            console.print(f"    addendum workflow {addendum}")
