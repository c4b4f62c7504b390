"""`contractloop eval extraction --dataset DIR --predictions FILE.jsonl [--report DIR] [--engine offline|model]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.extractor.engine import Extractor
from agents.extractor.model_engine import ModelExtractor
from evals.extraction.dataset import DatasetError, load_dataset
from evals.extraction.report import format_table, write_report
from evals.extraction.runner import run_eval, write_summary
from graphs.context import configured_model


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("extraction", help="extract the CUAD focus fields and score them")
    parser.add_argument("--dataset", required=True, type=Path, help="directory with labels.jsonl and texts/")
    parser.add_argument("--predictions", required=True, type=Path, help="where to write one JSON line per contract")
    parser.add_argument("--report", type=Path, help="directory for summary.json and index.html")
    parser.add_argument("--engine", choices=["offline", "model"], default="offline")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    extractor: Extractor | None = None
    if args.engine == "model":
        model = configured_model()
        if model is None:
            print("no model configured: set OPENAI_BASE_URL (and OPENAI_API_KEY, CONTRACTLOOP_MODEL) for "
                  "--engine model, or use --engine offline", file=sys.stderr)
            return 2
        extractor = ModelExtractor(model)
    try:
        contracts = load_dataset(args.dataset)
    except DatasetError as exc:
        print(f"cannot read dataset: {exc}", file=sys.stderr)
        return 2
    if not contracts:
        print(f"{args.dataset}/labels.jsonl lists no contracts", file=sys.stderr)
        return 2
    _, summary = run_eval(contracts, args.predictions, extractor)
    print(format_table(summary))
    if args.report:
        write_summary(summary, args.report / "summary.json")
        print(f"report: {write_report(summary, args.report)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m evals.extraction.command ...`) until the console command wires it in."""
    parser = argparse.ArgumentParser(prog="contractloop eval")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
