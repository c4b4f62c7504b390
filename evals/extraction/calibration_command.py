"""`contractloop eval calibration --predictions OOF.jsonl --dataset DIR [--dataset DIR ...] [--calibrate-on DIR]`:
cross-validates the confidence calibrator on out-of-fold predictions and prints precision at the auto-write
threshold, the share of values sent to review and a reliability table (`calibration.py`).

The predictions should be out of fold for every learned part (`contractloop eval extraction --cv 5
--predictions OOF.jsonl` over the same datasets); `--calibrate-on` names the datasets the extraction rules were
not written on, so probabilities and threshold hold for contracts like those rather than for memorised ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals.extraction.calibration import TARGET_PRECISION, cross_validate, format_figures
from evals.extraction.calibration_examples import ValueExample, read_prediction_lines, value_examples
from evals.extraction.calibration_html import calibration_section
from evals.extraction.dataset import Contract, DatasetError, load_dataset


def add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--predictions", required=True, type=Path,
                        help="out-of-fold prediction lines (eval extraction --cv 5 --predictions)")
    parser.add_argument("--dataset", required=True, type=Path, action="append",
                        help="a CUAD-layout directory the predictions cover (repeat for several)")
    parser.add_argument("--calibrate-on", type=Path, action="append", default=None,
                        help="calibrate to and judge on these datasets only (default: all given)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=TARGET_PRECISION,
                        help="precision the auto-written values must reach")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("calibration", help="cross-validate the confidence calibrator and its threshold")
    add_inputs(parser)
    parser.add_argument("--report", type=Path, help="directory for calibration.json and calibration.html")
    parser.set_defaults(handler=run)
    return parser


class Inputs:
    """The examples and the dataset each contract came from, read from the command's arguments."""

    def __init__(self, args: argparse.Namespace) -> None:
        contracts: list[Contract] = []
        self.datasets: dict[str, str] = {}
        for directory in args.dataset:
            loaded = load_dataset(directory)
            contracts += loaded
            self.datasets.update({c.id: directory.name for c in loaded})
        unknown = [d for d in args.calibrate_on or [] if d.resolve() not in {x.resolve() for x in args.dataset}]
        if unknown:
            raise DatasetError(f"--calibrate-on {unknown[0]} is not one of the --dataset directories")
        names = {d.name for d in args.calibrate_on} if args.calibrate_on else None
        self.calibration_contracts = (None if names is None
                                      else {c for c, name in self.datasets.items() if name in names})
        self.examples: list[ValueExample] = value_examples(read_prediction_lines(args.predictions), contracts)
        if not self.examples:
            raise DatasetError(f"{args.predictions} has no calibrated values to learn from")


def run(args: argparse.Namespace) -> int:
    try:
        inputs = Inputs(args)
        figures, _ = cross_validate(inputs.examples, k=args.folds, seed=args.seed, target=args.target,
                                    datasets=inputs.datasets, calibration_contracts=inputs.calibration_contracts)
    except (DatasetError, ValueError) as exc:
        print(f"cannot cross-validate the calibrator: {exc}", file=sys.stderr)
        return 2
    print(format_figures(figures))
    if args.report:
        args.report.mkdir(parents=True, exist_ok=True)
        (args.report / "calibration.json").write_text(json.dumps(figures.model_dump(), indent=2) + "\n",
                                                      encoding="utf-8")
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Confidence calibration</title>'
                f"</head><body>{calibration_section(figures)}</body></html>\n")
        (args.report / "calibration.html").write_text(page, encoding="utf-8")
        print(f"report: {args.report / 'calibration.html'}")
    return 0
