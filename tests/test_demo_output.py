"""`contractloop demo` as a user sees it: the command run as a subprocess, its output read line by line.

The demo starts its sandboxes and LangGraph server on free loopback ports; its state goes under a temporary
CONTRACTLOOP_DATA_DIR. After it exits, the `sandbox up` command it printed is run as printed (plus free ports)
and the org is queried over HTTPS, as the printed curl line does.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from sandbox.http import free_port

CLI = Path(sys.executable).parent / "contractloop"
RULE = re.compile(r"^─+ ?(.*?) ?─+$")
CITATION = re.compile(r"^\s+(?P<field>\w+__c)\s+(?P<value>.+?)\s+p\.\d+ \"(?P<quote>.*)\"$")
NOTE = re.compile(r"^\s+\((?P<note>computed: .*)\)$")  # under a citation whose value is computed from the quote


@dataclass
class DemoRun:
    cwd: Path
    env: dict[str, str]
    returncode: int
    output: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


def _run_demo(cwd: Path, env: dict[str, str]) -> DemoRun:
    done = subprocess.run([str(CLI), "demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    return DemoRun(cwd, env, done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    cwd = tmp_path_factory.mktemp("demo-user")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SF_", "IRONCLAD_", "OPENAI_", "CONTRACTLOOP_"))}
    env.update(CONTRACTLOOP_DATA_DIR=str(cwd / "var"), COLUMNS="200", TERM="dumb")
    return _run_demo(cwd, env)


def _sections(lines: list[str]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        rule = RULE.match(line)
        if rule:
            current = rule.group(1)
            sections[current] = []
        elif current is not None and line.strip():
            sections[current].append(line)
    return sections


def _spelled_in(quote: str, field: str, value: str, note: str | None) -> bool:
    """Whether the shown quote shows the shown value, spelled as a contract spells it."""
    computed = re.match(r"computed: effective date \S+ \+ (\d+) months", note or "")
    if computed:
        return f"{computed.group(1)} months" in quote
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        return f"{day:%B} {day.day}, {day.year}" in quote
    if value == "yes" and field == "Auto_Renewal__c":
        return "automatically renew" in quote
    if value.startswith("USD "):
        return value.removeprefix("USD ") in quote
    if re.fullmatch(r"[\d,]+", value):
        return re.search(rf"(?<![\d,]){value}(?![\d])", quote) is not None
    multiple = re.fullmatch(r"(\d+)x fees", value)
    if multiple:
        return f"{multiple.group(1)} TIMES THE FEES" in quote.upper()
    return value.lower() in quote.lower()


def test_demo_output_has_no_empty_section_and_ends_with_summary_and_next_steps(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.output[-3000:]
    sections = _sections(demo_run.lines)
    headings = list(sections)
    assert headings[0] == "contractloop demo"
    assert [h.split(".")[0] for h in headings[1:7]] == ["0", "1", "2", "3", "4", "5"], headings
    assert headings[-2:] == ["Summary: what the demo changed, and where", "Next steps"], headings
    empty = [heading for heading, body in sections.items() if not body]
    assert not empty, f"sections printed with nothing under them: {empty}"

    drafting = "\n".join(sections[headings[3]])
    # the regulated deal (a German bank): its DPA is drafted, the security addendum its profile requires is not
    assert "COMPLIANCE-FINANCIAL_SERVICES-SECURITY_ADDENDUM" in drafting and "no Security addendum found" in drafting
    webhooks = "\n".join(sections[headings[5]])
    assert "registered Ironclad webhook" in webhooks
    assert re.search(r"IC-1 .*→ step Complete", webhooks) and "executed record" in webhooks
    assert "HTTP 202, sync of the executed contract started" in webhooks
    sync = "\n".join(sections[headings[6]])
    assert re.search(r"Clauses the contract states \(\d+ of 41 CUAD clause categories found", sync), sync
    assert re.search(r'^\s+Parties — score (?:1|0\.\d\d?) — p\.1 \[\d+:\d+\] "', sync, re.M), sync
    # the German bank's signed MSA: its audit packet is a File on the Opportunity
    assert re.search(r"Audit packet - .*Kestrel Bank.*: File 069\w+ on the Opportunity", sync), sync
    assert re.search(r"required clause\(s\) attested, \d+ missing", sync), sync

    summary = "\n".join(sections["Summary: what the demo changed, and where"])
    renewals = "\n".join(sections[headings[7]])
    assert headings[7].startswith("6. Renewal plan"), headings
    for expected in ("Opportunity ", "SBQQ__Quote__c ", "SBQQ__QuoteLine__c ", "Task ", "Event ", "CampaignMember "):
        assert expected in renewals, expected
    assert re.search(r"Renewal \d{4}-\d\d\s+\d{4}-\d\d-\d\d\s+USD [\d,]+$", renewals, re.M), renewals
    # each sync planned its renewal at once (the large one after its approval); the scan finds both up to date
    assert sync.count("Renewal planned at once from these terms: renews ") == 2 and "written" in sync
    assert "Renewal held for approval after the sync of Master Subscription Agreement" in sync
    assert renewals.count("renewal up to date") == 2 and "0 renewal plan(s) written" in renewals
    review = "\n".join(sections[headings[8]])
    assert headings[8].startswith("7. Inbound paper"), headings
    assert re.search(r"Contract_Review__c CR-\d+: NDA, risk score \d+/100, route Legal", review), review
    assert "[HIGH] No non-solicitation in an NDA" in review and "negotiate: Delete the non-solicitation" in review
    assert "Task for the approver: [Legal review] Inbound paper: Counterparty mutual NDA" in review
    # contract questions: signed Slack requests answered with cited quotes, nothing for a rep without access
    assert headings[9].startswith("8. Questions about the signed contracts"), headings
    questions = "\n".join(sections[headings[9]])
    assert questions.count("acknowledged in") == 3 and "*Payment Terms*: net 30 days" in questions, questions
    assert "*Governing Law*: Ireland" in questions and "_page 3_" in questions
    assert "chat.postEphemeral" in questions  # a mention's answer goes to the asker, not the channel
    outsider = questions.split("Nina Brooks", 1)[1].split("Salesforce: asked on Opportunity", 1)[0]
    assert "No contract you can see matches this question." in outsider and "net 30" not in outsider
    assert re.search(r"→ answered from Kestrel Bank AG \(Cap On Liability", questions), questions
    assert re.search(r'p\.\d: “.*2 times the fees', questions, re.I), questions
    for expected in ("Salesforce", "Opportunity (2 created, 2 updated)", "Contract_Insight__c (2 created)", "Ironclad",
                     "IC-1 ", ": completed", "executed record", "Files", "var/demo/sandbox/"):
        assert expected in summary, expected
    # each executed contract's insight says which CUAD clauses the clause finder found in it
    clause_lines = re.findall(r"clauses: (\d+) of 41 CUAD clause categories found", summary)
    assert len(clause_lines) == 2 and all(int(n) > 0 for n in clause_lines), summary
    assert "Governing Law" in " ".join(summary.split())  # the list wraps over lines
    pdfs = re.findall(r"(var/demo/executed/\S+\.pdf)", summary)
    assert len(pdfs) == 2
    for pdf in pdfs:
        assert (demo_run.cwd / pdf).read_bytes().startswith(b"%PDF")

    steps = "\n".join(sections["Next steps"])
    for expected in (" demo --interactive", " serve ", " studio ",
                     " eval drafting", " eval extraction --dataset ", " sandbox up --data-dir var/demo/sandbox"):
        assert expected in steps, expected


def test_every_shown_citation_quote_contains_its_value(demo_run: DemoRun) -> None:
    rows, notes = [], []
    for line, following in zip(demo_run.lines, demo_run.lines[1:] + [""], strict=True):
        if row := CITATION.match(line):
            rows.append(row)
            notes.append(note["note"] if (note := NOTE.match(following)) else None)
    fields = {m["field"] for m in rows}
    assert len(rows) >= 15 and {"Effective_Date__c", "Total_Contract_Value__c", "Liability_Cap__c",
                                "Governing_Law__c", "Notice_Period_Days__c"} <= fields, rows
    hidden = [(m["field"], m["value"], m["quote"]) for m, note in zip(rows, notes, strict=True)
              if not _spelled_in(m["quote"], m["field"], m["value"], note)]
    assert notes.count(None) < len(notes)  # the expiration dates say how they are computed
    assert not hidden, f"quotes that do not show their value: {hidden}"


def test_numbers_and_money_follow_one_format(demo_run: DemoRun) -> None:
    integral_floats = [line for line in demo_run.lines if re.search(r"(?<![\w.,])\d+\.0+(?![\w.])", line)]
    assert not integral_floats, integral_floats
    # Money is "USD 862,000": currency, separators, cents only when there are any. (Quotes, Task subjects and
    # obligation texts are the contract's own words and may say "USD 38,000.00".)
    assert not [line for line in demo_run.lines if re.search(r"USD \d{4,}", line)]
    assert not [line for line in demo_run.lines if re.search(r"(?<![\w.,-])\d{4,}\.\d+\b", line)]
    assert re.search(r"│ Amount\s+│ USD 862,000\s", demo_run.output)
    assert re.search(r"totalContractValue\s+USD 38,000\n", demo_run.output)
    assert re.search(r"Total_Contract_Value__c\s+USD 38,000\s+p\.1", demo_run.output)
    assert re.search(r"│ Contractloop Platform - Enterprise\s+│ Platform\s+│\s+150 │\s+4,860 │\s+10 % │", demo_run.output)


def test_the_printed_sandbox_up_command_reopens_the_org_and_a_second_run_starts_fresh(demo_run: DemoRun) -> None:
    assert demo_run.returncode == 0, demo_run.output[-3000:]
    assert (demo_run.cwd / "var" / "demo" / "sandbox" / "salesforce" / "org.sqlite").is_file()
    up_line = next(line for line in demo_run.lines if " sandbox up --data-dir " in line)
    curl_line = next(line for line in demo_run.lines if line.strip().startswith("curl "))
    command = shlex.split(up_line.strip()) + ["--sf-port", str(free_port()), "--ironclad-port", str(free_port())]
    sandbox = subprocess.Popen(command, cwd=demo_run.cwd, env=demo_run.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        settings: dict[str, str] = {}
        assert sandbox.stdout is not None
        for line in sandbox.stdout:
            if line.startswith("# sandbox running"):
                break
            key, _, value = line.strip().partition("=")
            settings[key] = value
        assert "SF_INSTANCE_URL" in settings, settings
        url = shlex.split(curl_line)[-1]
        for key in ("SF_INSTANCE_URL", "SF_API_VERSION"):
            url = url.replace(f"${key}", settings[key])
        answer = httpx.get(url, headers={"Authorization": f"Bearer {settings['SF_ACCESS_TOKEN']}"},
                           verify=str(demo_run.cwd / settings["SF_CA_BUNDLE"]), timeout=10)
        assert answer.status_code == 200, answer.text
        [opportunity] = answer.json()["records"]
        assert opportunity["Ironclad_Workflow_Id__c"] and opportunity["Ironclad_Status__c"] == "Executed"
    finally:
        sandbox.send_signal(signal.SIGINT)
        sandbox.wait(timeout=30)

    again = _run_demo(demo_run.cwd, demo_run.env)
    assert again.returncode == 0, again.output[-3000:]
    assert "Contract_Insight__c (2 created)" in again.output  # a fresh org, not the last run's plus two
    assert again.output.count("→ started (thread") == 2  # the last run's events are not taken for duplicates


def test_the_demo_trail_verifies_and_an_edited_entry_is_named(demo_run: DemoRun) -> None:
    """`contractloop audit verify` on the demo's trail: intact, then one edited entry named."""
    audit_path = Path(demo_run.env["CONTRACTLOOP_DATA_DIR"]) / "audit.sqlite"

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(CLI), "audit", "verify"], cwd=demo_run.cwd, env=demo_run.env,
                              capture_output=True, text=True, timeout=60)

    intact = verify()
    assert intact.returncode == 0 and "chain intact" in intact.stdout, intact.stdout + intact.stderr
    with sqlite3.connect(audit_path) as db:  # someone with the file: the triggers go first, then one entry
        kinds = {kind for (kind,) in db.execute("SELECT kind FROM audit_log")}
        db.execute("DROP TRIGGER audit_log_no_update")
        [seq] = db.execute("SELECT MIN(seq) + 1 FROM audit_log").fetchone()
        db.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = ?", (seq,))
    assert {"ironclad_launch", "write_applied", "decision"} <= kinds, kinds
    broken = verify()
    assert broken.returncode == 1 and f"entry {seq} fails" in broken.stdout, broken.stdout + broken.stderr
