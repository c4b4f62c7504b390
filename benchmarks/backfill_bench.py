"""A 10,000-contract backfill into the sandboxes: wall time, peak memory, Salesforce API calls per 100 contracts.

Setup (reported apart): a seeded org; an Ironclad tenant whose workflows are launched and completed in-process.
The sandbox renders an executed PDF in about 0.2 s, so only `--unique-pdfs` of them are rendered for real and
every other workflow files a copy of the PDF of its terms variant (its record still names its own
counterparty and Opportunity). The measured part is the real command, `contractloop backfill`, in its own
process over HTTP: it lists every record and workflow, downloads and reads all 10,000 signed copies, and writes
to the org. Ironclad's rate limits are raised in the sandbox: a real tenant's 600 record reads per minute would
hold 10,000 downloads to about 17 minutes whatever the client does.

Run: .venv/bin/python -m benchmarks.backfill_bench [--contracts 10000] [--workers 2] [--batch-size 400] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

from sandbox.ironclad import workflows
from sandbox.ironclad.config import RateLimits, SandboxConfig
from sandbox.ironclad.server import IroncladSandbox
from sandbox.salesforce.server import SalesforceSandbox
from tests.fixtures.backfill import msa_attributes, msa_template

UNLIMITED = RateLimits(workflows_read=10**9, workflows_write=10**9, records_read=10**9)


def prepare_tenant(ironclad: IroncladSandbox, org: SalesforceSandbox, contracts: int, unique_pdfs: int) -> dict[str, int]:
    """60% of contracts from Opportunities, 30% naming an Account only, 10% naming nobody Salesforce knows."""
    opportunities = org.store.query("SELECT Id, Account.Name FROM Opportunity ORDER BY Id").records
    accounts = [r["Name"] for r in org.store.query("SELECT Name FROM Account ORDER BY Id").records]
    unique_names = [n for n in accounts if accounts.count(n) == 1]
    engine, user, template = ironclad.services.engine, ironclad.config.integration_user, msa_template()
    variant_of: dict[str, int] = {}
    rendered: dict[int, bytes] = {}

    def render_once_per_variant(template: Any, doc: dict[str, Any], signers: list[dict[str, Any]]) -> bytes:
        variant = variant_of[doc["id"]]
        if variant not in rendered:
            rendered[variant] = workflows_render(template, doc, signers)
        return rendered[variant]

    workflows_render = workflows.render_executed_pdf
    kinds = {"opportunity": 0, "account": 0, "unmatched": 0}
    with mock.patch.object(workflows, "render_executed_pdf", render_once_per_variant):
        for n in range(contracts):
            variant = n % unique_pdfs
            share = n % 10
            if share < 6 and n // 10 * 6 + share < len(opportunities):
                row = opportunities[n // 10 * 6 + share]
                name, opportunity_id, kind = row["Account"]["Name"], row["Id"], "opportunity"
            elif share < 9:
                name, opportunity_id, kind = unique_names[n % len(unique_names)], None, "account"
            else:
                name, opportunity_id, kind = f"Unknown Counterparty {n} GmbH", None, "unmatched"
            attributes = msa_attributes(name, random.Random(variant), opportunity_id)
            workflow = engine.launch({"template": template.id, "attributes": attributes}, user)
            variant_of[workflow["id"]] = variant
            engine.complete(workflow["id"])
            kinds[kind] += 1
    return kinds


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


def run_backfill_command(env: dict[str, str], args: argparse.Namespace, report: Path,
                         reread: bool = False) -> tuple[float, int, float, float]:
    """(seconds, exit code, peak RSS MB of the command's own process, peak RSS MB of all its processes)."""
    command = [sys.executable, "-m", "contractloop.cli", "backfill", "--batch-size", str(args.batch_size),
               "--workers", str(args.workers), "--report", str(report)] + (["--reread"] if reread else [])
    started = time.perf_counter()
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    peak_main = peak_all = 0.0
    while process.poll() is None:  # sample /proc: the workers' memory is part of the cost
        main_mb = _rss_mb(process.pid)
        peak_main = max(peak_main, main_mb)
        peak_all = max(peak_all, main_mb + sum(_rss_mb(c) for c in _children(process.pid)))
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if not report.exists():
        raise SystemExit(f"backfill produced no report (exit {process.returncode}):\n{stderr[-3000:]}")
    return seconds, process.returncode, peak_main, peak_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=400)
    parser.add_argument("--unique-pdfs", type=int, default=200)
    parser.add_argument("--runs", type=int, choices=(1, 2), default=2,
                        help="2 also times a second run, in which nothing has changed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="backfill-bench-") as directory:
        base = Path(directory)
        started = time.perf_counter()
        org = SalesforceSandbox(base / "salesforce", opportunities=max(100, args.contracts * 6 // 10), seed=5).start()
        ironclad = IroncladSandbox(SandboxConfig(rate_limits=UNLIMITED)).start()
        try:
            kinds = prepare_tenant(ironclad, org, args.contracts, args.unique_pdfs)
            setup = time.perf_counter() - started
            print(f"setup: {args.contracts:,} executed contracts ({kinds}) and the org in {setup:.1f} s "
                  f"({min(args.unique_pdfs, args.contracts)} PDFs rendered)")
            env = {**org.env(), **ironclad.env(), "CONTRACTLOOP_DATA_DIR": str(base / "data")}
            for label in ("first run", "second run (nothing changed)")[:args.runs]:
                org.reset_usage()
                report_file = base / f"report-{label[:5]}.json"
                # The first run parses every copy: the tenant's files repeat --unique-pdfs PDFs, which the
                # reading cache would otherwise read once each, unlike a real portfolio of distinct documents.
                seconds, code, peak_main, peak_all = run_backfill_command(env, args, report_file,
                                                                          reread=label == "first run")
                report = json.loads(report_file.read_text())
                calls = org.api_calls
                print(f"{label}: {report['contracts']:,} contracts in {seconds:.1f} s "
                      f"({report['contracts'] / seconds:,.0f}/s), exit {code}; created {report['created']:,}, "
                      f"updated {report['updated']:,}, unchanged {report['unchanged']:,}, failed {report['failed']:,}, "
                      f"needing attention {len(report['failures']):,}")
                print(f"  Salesforce API calls: {calls:,} = {100 * calls / max(1, report['contracts']):.2f} per 100 "
                      f"contracts; {report['records_sent']:,} records sent; peak RSS {peak_main:,.0f} MB (backfill "
                      f"process), {peak_all:,.0f} MB (with its {args.workers} PDF readers)")
                print(f"  signed copies parsed: {report.get('documents_parsed', 0):,}; read from the cache "
                      f"(unchanged since the last run): {report.get('documents_from_cache', 0):,}")
                print(f"  renewals planned from the new terms: {report.get('renewals_written', 0):,} written, "
                      f"{report.get('renewals_held', 0):,} held for approval (their calls are in the count above)")
                if not report["finished_at"]:
                    raise SystemExit(f"the run did not complete: {report['stopped']}")
        finally:
            ironclad.stop()
            org.stop()


if __name__ == "__main__":
    main()
