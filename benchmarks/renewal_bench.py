"""A renewal scan over 10,000 executed contracts in the Salesforce sandbox: API calls per 1,000 contracts (target
<= 10), wall time, peak memory, and that a rescan with nothing changed writes nothing.

Setup (reported apart, not measured): a seeded org (one Opportunity per contract) and `--contracts` contract
insights put on file directly through the sandbox store, in bulk, with terms drawn from a fixed-seed RNG: about
45 % auto-renewing (renewal term mostly 12 months, notice 30/60/90 days), 25 % fixed term, 15 % expired, 5 %
evergreen (auto-renews with no stated term), 10 % unknown (no term end on file); term ends spread over the past
year and the next three, a fifth of them stated only as start date + initial term and a tenth on a month's last
day; values log-normal (median about 60,000 a year), so some renewals reach the playbook's approval threshold
(`playbook_store/rules/renewal.yaml`), and about 7 % have Needs_Review__c set.

Measured: each phase runs in its own process (`--phase`) with the real `SalesforceClient` over HTTPS, so its peak
RSS is the scanner's alone, not the sandbox's; calls are the client's `calls` counter, cross-checked with what
the sandbox counted. The phases, as of `--as-of` with the CLI's default horizon:

1. the first scan: read the portfolio (one paged SOQL query), plan, write the changed plans (two batch rounds);
2. a rescan with nothing changed (its write calls and records changed in the org must be 0);
3. (`--amend 0.01`) a rescan after 1 % of the contracts with a renewal on file had their expiry moved: the same
   renewals move; a COUNT query checks there is still one renewal Opportunity per planned contract.

"Records changed" are counted in the org: the records stamped with the phase's correlation id.

Run: .venv/bin/python -m benchmarks.renewal_bench [--contracts 10000] [--as-of 2026-12-01] [--horizon-days 180]
     [--amend 0.01] [--page-size 2000]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

PHASES = ("first scan", "rescan (nothing changed)", "rescan after amendments")
RENEWAL_OBJECTS = ("Opportunity", "Task", "Event", "SBQQ__Quote__c", "SBQQ__QuoteLine__c", "CampaignMember")


# --- setup: contract insights on file ------------------------------------------------------------------------

def _month_end(day: date) -> date:
    return day + relativedelta(day=31)


def insight_rows(opportunities: list[dict[str, Any]], contracts: int, as_of: date, seed: int) -> tuple[
        list[dict[str, Any]], dict[str, int]]:
    """Contract insights as the sync writes them, one per Opportunity (cycling if there are fewer)."""
    rng = random.Random(seed)
    kinds = {"auto_renewing": 0, "fixed_term": 0, "expired": 0, "evergreen": 0, "unknown": 0}
    rows = []
    for n in range(contracts):
        opportunity = opportunities[n % len(opportunities)]
        kind = rng.choices(list(kinds), weights=[45, 25, 15, 5, 10])[0]
        kinds[kind] += 1
        initial = rng.choice([12, 12, 24, 36])
        annual = round(math.exp(rng.gauss(11.0, 1.0)), -2) or 1000.0
        row: dict[str, Any] = {
            "External_Key__c": f"ironclad-bench-{n:06d}", "Opportunity__c": opportunity["Id"],
            "Account__c": opportunity["AccountId"], "Currency__c": "USD",
            "Total_Contract_Value__c": annual * initial / 12,
            "Termination_For_Convenience__c": rng.random() < 0.15, "Needs_Review__c": rng.random() < 0.07,
            "Auto_Renewal__c": kind in ("auto_renewing", "evergreen"),
        }
        if kind == "expired":
            term_end = as_of - timedelta(days=rng.randint(1, 365))
        elif kind == "unknown":
            term_end = None
        else:
            term_end = as_of + timedelta(days=rng.randint(-365 if kind != "fixed_term" else 0, 3 * 365))
        if term_end is not None and rng.random() < 0.1:
            term_end = _month_end(term_end)
        if kind == "auto_renewing":
            row["Renewal_Term_Months__c"] = rng.choice([12, 12, 12, 12, 12, 12, 24, 36, 6, 1])
            row["Notice_Period_Days__c"] = rng.choice([30, 60, 90])
        elif kind == "fixed_term" and rng.random() < 0.2:  # an option to renew, which is not automatic
            row["Renewal_Term_Months__c"] = 12
        if term_end is None:
            if rng.random() < 0.5:  # a start date, but no term to end it
                row["Effective_Date__c"] = (as_of - timedelta(days=rng.randint(30, 1500))).isoformat()
        elif rng.random() < 0.2:  # the term end only as start + initial term
            row["Effective_Date__c"] = (term_end - relativedelta(months=initial)).isoformat()
            row["Initial_Term_Months__c"] = initial
        else:
            row["Expiration_Date__c"] = term_end.isoformat()
            row["Effective_Date__c"] = (term_end - relativedelta(months=initial)).isoformat()
            row["Initial_Term_Months__c"] = initial
        rows.append(row)
    return rows, kinds


def put_on_file(store: Any, rows: list[dict[str, Any]], chunk: int = 2000) -> None:
    with store.transaction():
        for start in range(0, len(rows), chunk):
            store.insert_many("Contract_Insight__c", rows[start:start + chunk])


def amend_expiries(store: Any, share: float, seed: int) -> int:
    """Move the expiry of `share` of the contracts that have a renewal on file by 1-4 months either way (the
    amendment as the sync writes it). Returns how many were amended."""
    with_renewal = store.query(
        "SELECT Contract_Insight__c FROM Opportunity WHERE Contractloop_Renewal_Key__c LIKE 'renewal:%' "
        "ORDER BY Contract_Insight__c").records
    ids = sorted({r["Contract_Insight__c"] for r in with_renewal})
    total = store.count("Contract_Insight__c")
    rng = random.Random(f"amend:{seed}")
    chosen = rng.sample(ids, min(len(ids), max(1, round(total * share))))
    amended = 0
    for insight_id in chosen:
        row = store.get("Contract_Insight__c", insight_id, ["Expiration_Date__c", "Effective_Date__c",
                                                             "Initial_Term_Months__c"])
        if row.get("Expiration_Date__c"):
            current = date.fromisoformat(row["Expiration_Date__c"])
        else:
            current = date.fromisoformat(row["Effective_Date__c"]) + relativedelta(
                months=int(row["Initial_Term_Months__c"]))
        moved = current + relativedelta(months=rng.choice([-4, -3, -2, -1, 1, 2, 3, 4]))
        store.update("Contract_Insight__c", insight_id, {"Expiration_Date__c": moved.isoformat()})
        amended += 1
    return amended


def stale_reminders(store: Any) -> dict[str, int]:
    """Planner Tasks and Events whose date is not their lead time before the renewal's current deadline (the
    notice deadline, else the renewal date), e.g. left behind when a deadline moved."""
    deadlines = {}
    for r in store.query("SELECT Contractloop_Renewal_Key__c, CloseDate, Notice_Deadline__c, StageName FROM "
                         "Opportunity WHERE Contractloop_Renewal_Key__c LIKE 'renewal:%'").records:
        if r["StageName"] not in ("Closed Won", "Closed Lost"):
            deadlines[r["Contractloop_Renewal_Key__c"]] = date.fromisoformat(r["Notice_Deadline__c"] or r["CloseDate"])
    found = {"tasks": 0, "events": 0, "all_tasks": 0, "all_events": 0}
    for name, kind in (("Task", "tasks"), ("Event", "events")):
        for r in store.query(f"SELECT Contractloop_Key__c, ActivityDate FROM {name} WHERE Contractloop_Key__c "
                             "LIKE 'renewal:%'").records:
            key, _, suffix = r["Contractloop_Key__c"].rpartition(":")
            if key not in deadlines:
                continue
            found[f"all_{kind}"] += 1
            lead = int(suffix[len("notice-"):-1]) if suffix.startswith("notice-") else 0
            if r["ActivityDate"] != (deadlines[key] - timedelta(days=lead)).isoformat():
                found[kind] += 1
    return found


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM; ru_maxrss would carry the parent's over a vfork + exec)."""
    status = Path("/proc/self/status").read_text()
    return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))


# --- the measured part: one phase, in its own process --------------------------------------------------------

def run_phase(args: argparse.Namespace) -> None:
    """Read, plan and write once; print the figures as JSON on stdout."""
    from agents.renewal_planner.portfolio import read_portfolio
    from agents.renewal_planner.scan import plan_all, write_plans
    from core.settings import settings_from
    from playbook_store.loader import load_renewal_rules
    from tools.salesforce import SalesforceClient

    settings = settings_from(json.loads(Path(args.env_file).read_text()))
    client = SalesforceClient.from_settings(settings)
    rules = load_renewal_rules()
    if args.page_size != 2000:
        client.sf.headers["Sforce-Query-Options"] = f"batchSize={args.page_size}"
    started = time.perf_counter()
    rows_with_children = 0

    def counted(contracts: Any) -> Any:
        nonlocal rows_with_children
        for contract in contracts:
            if contract.renewal is not None:
                rows_with_children += 1 + len(contract.tasks) + len(contract.events)
            yield contract
    plans = plan_all(client, counted(read_portfolio(client)), date.fromisoformat(args.as_of),
                     timedelta(days=args.horizon_days), rules, args.correlation_id)
    read_calls = client.calls
    planned = time.perf_counter()
    due = [p for p in plans if p.plan is not None and p.changes and not p.approval_reasons]
    records_planned = sum(len({c.ref for c in p.changes}) for p in due)
    written, failures, write_calls = write_plans(client, plans)
    finished = time.perf_counter()
    outcomes: dict[str, int] = {}
    for p in plans:
        label = ("renews beyond the horizon" if p.outcome.endswith("beyond the horizon") else
                 p.outcome.split(" 2")[0] if p.outcome.startswith(("renews", "renewal moved")) else p.outcome)
        outcomes[label] = outcomes.get(label, 0) + 1
    print(json.dumps({
        "contracts": len(plans), "read_calls": read_calls, "write_calls": write_calls,
        "read_seconds": planned - started, "write_seconds": finished - planned,
        "with_changes": sum(1 for p in plans if p.changes),
        "held": sum(1 for p in plans if p.changes and p.approval_reasons),
        "written": written, "records_planned": records_planned, "failures": len(failures),
        "failure_sample": [f.model_dump() for f in failures[:3]],
        "renewals_held_on_file": sum(1 for p in plans if p.contract.renewal is not None),
        "child_rows": rows_with_children, "outcomes": outcomes,
        "peak_rss_mb": peak_rss_mb(),
    }))


def measure(org: Any, env_file: Path, args: argparse.Namespace, label: str, correlation_id: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.renewal_bench", "--phase", "--env-file", str(env_file),
               "--as-of", args.as_of, "--horizon-days", str(args.horizon_days), "--page-size", str(args.page_size),
               "--correlation-id", correlation_id]
    org.reset_usage()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{label} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = time.perf_counter() - started
    figures["sandbox_calls"] = org.api_calls
    figures["changed_in_org"] = {
        name: org.store.query(f"SELECT COUNT() FROM {name} WHERE Contractloop_Correlation_Id__c = "
                              f"'{correlation_id}'").total_size for name in RENEWAL_OBJECTS}
    return figures


def report(label: str, f: dict[str, Any], page_size: int) -> None:
    n = max(1, f["contracts"])
    per_k = 1000 / n
    seconds = f["read_seconds"] + f["write_seconds"]
    changed = sum(f["changed_in_org"].values())
    print(f"{label}: {f['contracts']:,} contracts in {seconds:.1f} s ({f['contracts'] / seconds:,.0f} contracts/s; "
          f"read + plan {f['read_seconds']:.1f} s, write {f['write_seconds']:.1f} s; "
          f"{f['process_seconds']:.1f} s with the process start)")
    print(f"  Salesforce API calls: {f['read_calls']} read + {f['write_calls']} write = "
          f"{f['read_calls'] + f['write_calls']} (sandbox counted {f['sandbox_calls']}); per 1,000 contracts "
          f"{f['read_calls'] * per_k:.2f} read + {f['write_calls'] * per_k:.2f} write = "
          f"{(f['read_calls'] + f['write_calls']) * per_k:.2f} (target <= 10)")
    print(f"  plans with changes {f['with_changes']:,}, held for approval {f['held']:,}, written {f['written']:,} "
          f"contracts / {f['records_planned']:,} records, failures {f['failures']}; records changed in the org: "
          f"{changed:,} ({', '.join(f'{k} {v:,}' for k, v in f['changed_in_org'].items())})")
    print(f"  renewals already on file when read {f['renewals_held_on_file']:,}; child rows in the read "
          f"{f['child_rows']:,}; peak RSS of the scanning process {f['peak_rss_mb']:,.0f} MiB")
    if f["failure_sample"]:
        print(f"  failures, first {len(f['failure_sample'])}: {f['failure_sample']}")
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(f["outcomes"].items(), key=lambda kv: -kv[1]))
    print(f"  outcomes: {outcomes}")


def paging_note(f: dict[str, Any], page_size: int) -> None:
    """What real Salesforce could do with the same read: it counts child rows toward the batch size, and may
    return smaller batches still for large or complex rows (down to the 200-record floor)."""
    n = f["contracts"]
    rows = n + f["child_rows"]
    with_children = math.ceil(rows / page_size)
    floor = math.ceil(n / 200)
    print(f"  paging: the sandbox pages {page_size:,} top-level records per call whatever the subqueries return "
          f"({f['read_calls']} read calls for {n:,}); if child rows count toward the batch as Salesforce documents "
          f"({rows:,} rows), ~{with_children} calls ({1000 * with_children / n:.2f} per 1,000); at the 200-record "
          f"floor {floor} calls ({1000 * floor / n:.2f} per 1,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--as-of", default=date.today().isoformat(), help="plan as of this date (YYYY-MM-DD)")
    parser.add_argument("--horizon-days", type=int, default=180)
    parser.add_argument("--amend", type=float, default=0.01, help="share of contracts amended before phase 3; 0 "
                                                                  "skips it")
    parser.add_argument("--page-size", type=int, default=2000, help="Sforce-Query-Options batchSize (200-2000)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--env-file", help=argparse.SUPPRESS)
    parser.add_argument("--correlation-id", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return

    from sandbox.salesforce.server import SalesforceSandbox

    as_of = date.fromisoformat(args.as_of)
    with tempfile.TemporaryDirectory(prefix="renewal-bench-") as directory:
        base = Path(directory)
        started = time.perf_counter()
        org = SalesforceSandbox(base / "salesforce", opportunities=args.contracts, seed=5).start()
        try:
            seeded = time.perf_counter()
            opportunities = org.store.query("SELECT Id, AccountId FROM Opportunity ORDER BY Id").records
            rows, kinds = insight_rows(opportunities, args.contracts, as_of, args.seed)
            put_on_file(org.store, rows)
            setup = time.perf_counter() - started
            flagged = sum(1 for r in rows if r["Needs_Review__c"])
            print(f"setup: org with {len(opportunities):,} opportunities in {seeded - started:.1f} s; "
                  f"{len(rows):,} contract insights on file in {setup - (seeded - started):.1f} s "
                  f"({', '.join(f'{k} {v:,}' for k, v in kinds.items())}; Needs_Review__c {flagged:,}); "
                  f"setup total {setup:.1f} s")
            print(f"as of {as_of.isoformat()}, horizon {args.horizon_days} days, query page size {args.page_size:,}; "
                  f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
            env_file = base / "env.json"
            env_file.write_text(json.dumps(org.env()))
            env_file.chmod(0o600)
            phases = PHASES if args.amend > 0 else PHASES[:2]
            results = {}
            for number, label in enumerate(phases, start=1):
                if number == 3:
                    amending = time.perf_counter()
                    amended = amend_expiries(org.store, args.amend, args.seed)
                    print(f"amended the expiry of {amended:,} contracts with a renewal on file "
                          f"({time.perf_counter() - amending:.1f} s, not measured)")
                results[label] = figures = measure(org, env_file, args, label, f"renewal-bench-phase{number}")
                report(label, figures, args.page_size)
                if number == 2:
                    paging_note(figures, args.page_size)
            rescan = results[PHASES[1]]
            nothing = rescan["write_calls"] == 0 and sum(rescan["changed_in_org"].values()) == 0
            print(f"rescan with nothing changed: {rescan['write_calls']} write calls, "
                  f"{sum(rescan['changed_in_org'].values())} records changed -> {'OK' if nothing else 'FAILED'}")
            renewals = org.store.query("SELECT COUNT() FROM Opportunity WHERE Contractloop_Renewal_Key__c "
                                       "LIKE 'renewal:%'").total_size
            insights = {r["Contract_Insight__c"] for r in org.store.query(
                "SELECT Contract_Insight__c FROM Opportunity WHERE Contractloop_Renewal_Key__c LIKE 'renewal:%'"
            ).records}
            print(f"renewal Opportunities on file: COUNT() {renewals:,} for {len(insights):,} planned contracts -> "
                  f"{'one each' if renewals == len(insights) else 'DUPLICATES'}")
            stale = stale_reminders(org.store)
            print(f"reminders on file that disagree with their renewal's deadline: {stale['tasks']:,} Tasks, "
                  f"{stale['events']:,} Events (of {stale['all_tasks']:,} and {stale['all_events']:,})")
            print(f"peak RSS of this process (the sandbox org in-process, and setup): {peak_rss_mb():,.0f} MiB")
            if not nothing or renewals != len(insights) or stale["tasks"] or stale["events"]:
                raise SystemExit(1)
        finally:
            org.stop()


if __name__ == "__main__":
    main()
