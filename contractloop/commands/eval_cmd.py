"""`contractloop eval ...`: evaluation suites (extraction on CUAD-layout datasets, ...)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from evals.drafting import command as drafting
    from evals.extraction import calibration_command as calibration
    from evals.extraction import command as extraction
    from evals.qa import command as qa
    from evals.qa.revenue import command as qa_revenue
    from evals.renewals import command as renewals
    from evals.review import command as review

    parser = sub.add_parser("eval", help="run an evaluation suite and print its figures")
    suites = parser.add_subparsers(dest="suite", required=True)
    extraction.add_parser(suites)
    calibration.add_parser(suites)
    drafting.add_parser(suites)
    renewals.add_parser(suites)
    review.add_parser(suites)
    qa.add_parser(suites)
    qa_revenue.add_parser(suites)
