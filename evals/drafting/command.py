"""`contractloop eval drafting`: template, route, attribute and finding accuracy on the drafting cases."""

from __future__ import annotations

import argparse
from pathlib import Path

from evals.drafting.runner import evaluate, print_report, write_report
from runtime.context import configured_model


def add_parser(suites: argparse._SubParsersAction) -> None:
    parser = suites.add_parser("drafting", help="drafter + risk reviewer on hand-written opportunity cases")
    parser.add_argument("--report", type=Path, default=None, help="directory for drafting_summary.json")
    parser.add_argument("--engine", choices=["offline", "model"], default="offline",
                        help="model = the configured OpenAI-compatible model drafts special terms")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    model = None
    if args.engine == "model":
        model = configured_model()
        if model is None:
            print("no model configured: set OPENAI_BASE_URL (and OPENAI_API_KEY)")
            return 2
    summary, scores = evaluate(model=model)
    print_report(summary, scores)
    if args.report:
        write_report(args.report, summary, scores)
    return 0 if summary.errors == 0 else 1
