"""`contractloop backfill`: every executed contract already in Ironclad, read and written into Salesforce.

Resumable: an interrupted run (Ctrl-C, a crash, a failed batch) continues where it stopped the next time the
command runs; `--restart` starts a new run instead. Ends with the reconciliation report (printed, and as JSON).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

CHECKPOINT_FILE = "backfill.sqlite"


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("backfill", help="read every executed Ironclad contract into Salesforce (resumable)")
    parser.add_argument("--batch-size", type=int, default=400,
                        help="contracts per batch: one bulk Salesforce read, then Composite writes (default 400)")
    parser.add_argument("--limit", type=int, default=None, help="stop after this many contracts in this session")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--resume", dest="restart", action="store_false", default=False,
                      help="continue the unfinished run, if any (the default)")
    mode.add_argument("--restart", dest="restart", action="store_true",
                      help="abandon an unfinished run and start again from the first record")
    parser.add_argument("--report", type=Path, default=None,
                        help="write the reconciliation report as JSON here (default: DATA_DIR/backfill-report.json)")
    parser.add_argument("--workers", type=int, default=1, help="processes reading PDFs (default 1)")
    parser.add_argument("--reread", action="store_true",
                        help="parse every signed copy again, not taking the terms this engine read earlier from "
                             "the same file (the cache is refreshed)")
    parser.add_argument("--no-renewals", dest="renewals", action="store_false", default=True,
                        help="write the terms only; do not plan each contract's renewal (a later "
                             "`contractloop renewals plan` does)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from backfill.checkpoint import Checkpoint
    from backfill.job import BackfillOptions, run_backfill
    from core.settings import get_settings
    from tools.ironclad import IroncladClient
    from tools.salesforce import SalesforceClient

    console = Console()
    try:
        options = BackfillOptions(batch_size=args.batch_size, limit=args.limit, restart=args.restart,
                                  workers=args.workers, reread=args.reread, renewals=args.renewals)
        settings = get_settings()
        ironclad = IroncladClient.from_settings(settings)
    except ValueError as exc:  # bad options or missing configuration: say which, touch nothing
        console.print(f"[red]backfill: {exc}[/red]")
        return 2
    salesforce = SalesforceClient.from_settings(settings)
    checkpoint = Checkpoint(settings.contractloop_data_dir / CHECKPOINT_FILE)
    report_path = args.report or settings.contractloop_data_dir / "backfill-report.json"
    bar = Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), console=console, transient=True)
    task = bar.add_task("contracts", total=None)
    try:
        with bar:  # Ctrl-C ends the session after the last finished batch; the report says so
            report = run_backfill(ironclad, salesforce, checkpoint, options,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    finally:
        ironclad.close()
    report.print(console)
    report.write(report_path)
    console.print(f"Report: {report_path}")
    checkpoint.close()
    return 0 if report.complete and report.failed == 0 else 1
