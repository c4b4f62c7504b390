"""How `contractloop demo` ends: what changed in each system, the files it left, and what to try next."""

from __future__ import annotations

import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contractloop.render import console, short
from core.settings import PROJECT_ROOT
from sandbox.salesforce.server import DEFAULT_VERSION
from sandbox.stack import DEFAULT_IRONCLAD_PORT, DEFAULT_SF_PORT
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient

# What contractloop writes (tools/write_allowlist.yaml), each with the field that names a record for a person.
WRITTEN_OBJECTS = (("Opportunity", "Name"), ("Account", "Name"), ("Contract_Insight__c", "Name"),
                   ("Contract_Obligation__c", "Description__c"), ("Task", "Subject"), ("Event", "Subject"),
                   ("SBQQ__Quote__c", "Name"), ("SBQQ__QuoteLine__c", "Name"), ("CampaignMember", "Contractloop_Key__c"))
CUAD_DEV100 = PROJECT_ROOT.parent / "shared" / "data" / "cuad" / "dev100"


@dataclass
class DemoDeal:
    opportunity_id: str
    name: str
    label: str
    status: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] | None = None


@dataclass
class DemoRecord:
    """What one demo run did, collected as it goes, for the closing summary."""

    root: Path
    opportunities: int
    salesforce_url: str
    ironclad_url: str
    server_log: Path
    deals: list[DemoDeal] = field(default_factory=list)
    files: list[tuple[Path, str]] = field(default_factory=list)
    started: datetime | None = None
    example_opportunity: str | None = None

    def add_deal(self, opportunity_id: str, name: str, label: str) -> None:
        self.deals.append(DemoDeal(opportunity_id, name, label))

    def mark_start(self) -> None:
        """Records created after this were created by the loop; older ones (the seeded org) were updated."""
        self.started = datetime.now(UTC)

    @staticmethod
    def display_path(path: Path) -> str:
        """Relative to the working directory when inside it, so it can be pasted as is."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
        except ValueError:
            return str(path)


class FieldTypes:
    """Salesforce field types from describe, to show text values (a write plan's) as what they are."""

    def __init__(self, sf: SalesforceClient) -> None:
        self._sf = sf
        self._types: dict[str, dict[str, str]] = {}

    def of(self, sobject: str, field_name: str) -> str | None:
        if sobject not in self._types:
            self._types[sobject] = {f["name"]: f["type"] for f in self._sf.describe(sobject)["fields"]}
        return self._types[sobject].get(field_name)


def print_summary(record: DemoRecord, sf: SalesforceClient, ironclad: IroncladClient) -> None:
    console.rule("Summary: what the demo changed, and where")
    console.print(f"  [bold]Salesforce[/bold] org {record.salesforce_url}")
    for sobject, name_field in WRITTEN_OBJECTS:
        rows = sf.query(f"SELECT Id, {name_field}, CreatedDate FROM {sobject} "
                        "WHERE Contractloop_Correlation_Id__c != null ORDER BY CreatedDate")
        if not rows:
            continue
        created = [r for r in rows if _created_since(r["CreatedDate"], record.started)]
        counts = ", ".join(p for p in (f"{len(created)} created" if created else "",
                                       f"{len(rows) - len(created)} updated" if len(rows) > len(created) else "")
                           if p)
        console.print(f"    {sobject} ({counts})")
        clauses = clauses_by_insight(sf) if sobject == "Contract_Insight__c" else {}
        for row in rows:
            verb = "created" if row in created else "updated"
            console.print(f"      {verb:<8} {row['Id']}  {short(str(row.get(name_field) or ''), 80)}")
            for line in textwrap.wrap(clauses.get(row["Id"], ""), 100):
                console.print(f"               {line}", highlight=False)
        deals = {d.opportunity_id for d in record.deals}
        if sobject == "Opportunity" and (synced := [r["Id"] for r in rows if r["Id"] in deals]):
            record.example_opportunity = synced[-1]  # a deal the loop drafted and synced, not its renewal
    console.print(f"  [bold]Ironclad[/bold] {record.ironclad_url}")
    for deal in record.deals:
        ids = ([deal.status["workflow_id"]] if deal.status.get("workflow_id") else []) + \
            list(deal.status.get("addendum_workflow_ids") or [])
        for workflow_id in ids:
            workflow = ironclad.get_workflow(workflow_id)
            if workflow.status == "completed":
                state, record_ids = "completed", f", executed record {', '.join(workflow.record_ids)}"
            else:
                state = f"{workflow.status} at step {workflow.step}" + \
                    (" (the demo signs only the main agreements)" if workflow_id != ids[0] else "")
                record_ids = ""
            console.print(f"    {workflow.ironclad_id} {workflow.title}: {state}")
            console.print(f"      workflow id {workflow.id}{record_ids}")
    if not any(d.status.get("workflow_id") for d in record.deals):
        console.print("    no workflow was launched")
    console.print("  [bold]Files[/bold]")
    for path, what in record.files:
        console.print(f"    {record.display_path(path)}  {what}")
    console.print(f"    {record.display_path(record.root / 'sandbox')}/  the org and the Ironclad tenant, kept "
                  "until the next demo run")
    console.print(f"    {record.display_path(record.server_log)}  the LangGraph server's log")


def clauses_by_insight(sf: SalesforceClient) -> dict[str, str]:
    """Per contract insight, one line on the CUAD clauses its contract states (from Clauses__c and
    Clauses_Present__c), e.g. "clauses: 9 of 41 CUAD clause categories found: Governing Law, Anti-Assignment, …"."""
    rows = sf.query("SELECT Id, Clauses_Present__c, Clauses__c FROM Contract_Insight__c "
                    "WHERE Contractloop_Correlation_Id__c != null")
    lines = {}
    for row in rows:
        if not row.get("Clauses__c"):
            continue
        head = str(row["Clauses__c"]).splitlines()[0].rstrip(":.")
        present = [c for c in str(row.get("Clauses_Present__c") or "").split(";") if c]
        lines[row["Id"]] = f"clauses: {head}" + (f": {', '.join(present)}" if present else "")
    return lines


def print_next_steps(record: DemoRecord) -> None:
    cli = command_prefix()
    data_dir = record.display_path(record.root / "sandbox")
    opp = record.example_opportunity or (record.deals[-1].opportunity_id if record.deals else "<an Opportunity Id>")
    soql = ("SELECT+Id,Name,StageName,Ironclad_Workflow_Id__c,Ironclad_Status__c+FROM+Opportunity"
            f"+WHERE+Id=%27{opp}%27")
    console.rule("Next steps")
    console.print("  Open this demo's org and Ironclad tenant again (it stays in the foreground; Ctrl-C stops it):")
    console.print(f"    {cli} sandbox up --data-dir {data_dir} --opportunities {record.opportunities}")
    console.print(f"  (add --sf-port N --ironclad-port M if ports {DEFAULT_SF_PORT} / {DEFAULT_IRONCLAD_PORT} are taken;")
    console.print("  keep --opportunities as shown: another number re-seeds the org)")
    console.print("  It prints SF_* and IRONCLAD_* settings as KEY=value lines. In another shell, `export` those "
                  "lines,")
    console.print("  then query the org:")
    console.print(f'    curl -s --cacert "$SF_CA_BUNDLE" -H "Authorization: Bearer $SF_ACCESS_TOKEN" '
                  f'"$SF_INSTANCE_URL/services/data/v{DEFAULT_VERSION}/query?q={soql}"')
    console.print("  and open an Ironclad workflow in a browser: "
                  f"http://127.0.0.1:{DEFAULT_IRONCLAD_PORT}/workflow/<workflow id above>")
    console.print("  (simple-salesforce and Ironclad's API with curl: README, \"Running pieces on their own\")")
    console.print("  Decide the approvals yourself (approve / edit / reject):")
    console.print(f"    {cli} demo --interactive")
    console.print("  Run the Flow API for a Salesforce Flow, with LangGraph Studio on the graph:")
    console.print(f"    {cli} serve      then, with the settings it prints exported, in another shell:")
    console.print(f"    {cli} studio     and open the Studio link it prints")
    console.print("  Measure the agents:")
    console.print(f"    {cli} eval drafting")
    dataset = record.display_path(CUAD_DEV100) if CUAD_DEV100.is_dir() else "<a CUAD-layout directory>"
    console.print(f"    {cli} eval extraction --dataset {dataset} --predictions p.jsonl --report reports/extraction")


def command_prefix() -> str:
    """How to call contractloop from here: by name when it is on PATH, else the script's path."""
    script = Path(sys.executable).parent / "contractloop"
    on_path = shutil.which("contractloop")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "contractloop"
    return DemoRecord.display_path(script) if script.exists() else f"{sys.executable} -m contractloop.cli"


def _created_since(created: str, started: datetime | None) -> bool:
    if started is None:
        return False
    stamp = datetime.strptime(created.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")
    return stamp >= started

