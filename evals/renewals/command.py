"""`contractloop eval renewals --dataset DIR [--dataset DIR ...] --as-of YYYY-MM-DD --predictions FILE.jsonl
[--report DIR] [--auto-write-confidence P]`.

Runs the offline extractor over every contract (loaded as the extraction eval loads them), writes each
contract's renewal schedule as one JSON line (`predict.py`), and prints a table of figures per dataset (and
pooled, for several) against the gold schedules (`gold.py`, `scoring.py`). `--report DIR` writes
`summary.json`. `--auto-write-confidence` sets one auto-write cut for every field, as
CONTRACTLOOP_AUTO_WRITE_CONFIDENCE does for the sync; without it each field's shipped cut applies.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from evals.extraction.command import load_all
from evals.extraction.dataset import load_dataset
from evals.renewals.gold import gold_schedule
from evals.renewals.predict import predict_all, write_lines
from evals.renewals.scoring import format_table, score


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("renewals", help="renewal dates and notice deadlines against CUAD's gold answers")
    parser.add_argument("--dataset", required=True, type=Path, action="append",
                        help="directory with labels.jsonl and texts/ (repeat for several; a table for each)")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the date the next renewal is counted from")
    parser.add_argument("--predictions", required=True, type=Path, help="where to write one JSON line per contract")
    parser.add_argument("--report", type=Path, help="directory for summary.json")
    parser.add_argument("--auto-write-confidence", type=float, metavar="P", default=None,
                        help="one auto-write cut for every field (default: each field's shipped cut)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    contracts = load_all(args.dataset)
    if contracts is None:
        return 2
    started = time.perf_counter()
    lines = predict_all(contracts, args.as_of, args.auto_write_confidence)
    seconds = time.perf_counter() - started
    write_lines(lines, args.predictions)
    golds = {c.id: gold_schedule(c.id, c.answers, args.as_of) for c in contracts}
    groups = {str(d): [c.id for c in load_dataset(d)] for d in args.dataset}
    if len(groups) > 1:
        groups["all"] = [c.id for c in contracts]
    summary = {}
    for name, ids in groups.items():
        figures = score([golds[i] for i in ids], lines)
        print(format_table(name, figures, args.as_of) + "\n")
        summary[name] = figures.model_dump()
    print(f"{len(contracts)} contracts read and scheduled in {seconds:.1f} s; predictions: {args.predictions}")
    if args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        path = args.report / "summary.json"
        path.write_text(json.dumps({"as_of": args.as_of.isoformat(), "seconds": round(seconds, 2),
                                    "auto_write_confidence": args.auto_write_confidence, "datasets": summary},
                                   indent=2) + "\n", encoding="utf-8")
        print(f"report: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m evals.renewals.command renewals ...`)."""
    parser = argparse.ArgumentParser(prog="contractloop eval")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
