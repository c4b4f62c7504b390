"""`contractloop eval extraction --dataset DIR [--dataset DIR ...] --predictions FILE.jsonl [--report DIR]
[--engine offline|model] [--cv K]`.

With `--cv K` the offline engine is cross-validated (grouped K-fold over the contracts of all datasets, see
`cross_validation.py`): the predictions file holds the out-of-fold lines, and the report shows those figures
beside the packaged engine's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.extractor.model_engine import ModelExtractor
from evals.extraction.calibration import CalibrationFigures, format_figures
from evals.extraction.calibration import cross_validate as cross_validate_calibration
from evals.extraction.calibration_examples import read_prediction_lines, value_examples
from evals.extraction.calibration_html import calibration_section
from evals.extraction.cross_validation import cross_validate
from evals.extraction.dataset import Contract, DatasetError, load_dataset
from evals.extraction.report import format_clause_table, format_table, write_report
from evals.extraction.runner import Summary, run_eval, write_predictions, write_summary
from extraction.engine import Extractor
from runtime.context import configured_model


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("extraction", help="extract the CUAD focus fields and score them")
    parser.add_argument("--dataset", required=True, type=Path, action="append",
                        help="directory with labels.jsonl and texts/ (repeat to pool several)")
    parser.add_argument("--predictions", required=True, type=Path, help="where to write one JSON line per contract")
    parser.add_argument("--report", type=Path, help="directory for summary.json and index.html")
    parser.add_argument("--engine", choices=["offline", "model"], default="offline")
    parser.add_argument("--cv", type=int, metavar="K", default=None,
                        help="grouped K-fold cross-validation: train the clause finder on K-1 folds, read the K-th")
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
    if args.cv is not None and args.engine != "offline":
        print("--cv cross-validates the offline engine (its learned clause finder); drop --engine model",
              file=sys.stderr)
        return 2
    contracts = load_all(args.dataset)
    if contracts is None:
        return 2
    if args.cv is not None:
        return _run_cv(args, contracts)
    _, summary = run_eval(contracts, args.predictions, extractor)
    print(format_table(summary))
    if args.report:
        write_summary(summary, args.report / "summary.json")
        print(f"report: {write_report(summary, args.report)}")
    return 0


def load_all(directories: list[Path]) -> list[Contract] | None:
    """Every contract of the datasets, in order (ids unique across them); None after printing why not."""
    contracts: list[Contract] = []
    for directory in directories:
        try:
            found = load_dataset(directory)
        except DatasetError as exc:
            print(f"cannot read dataset: {exc}", file=sys.stderr)
            return None
        if not found:
            print(f"{directory}/labels.jsonl lists no contracts", file=sys.stderr)
            return None
        contracts += found
    ids = [c.id for c in contracts]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        print(f"contract ids appear in more than one dataset: {', '.join(twice[:5])}", file=sys.stderr)
        return None
    return contracts


def _run_cv(args: argparse.Namespace, contracts: list[Contract]) -> int:
    try:
        predictions, summary = cross_validate(contracts, args.cv)
    except ValueError as exc:
        print(f"cannot cross-validate: {exc}", file=sys.stderr)
        return 2
    write_predictions(predictions, args.predictions)
    print(f"cross-validated ({args.cv}-fold, grouped by contract, pooled over folds):")
    print(format_table(summary))
    print(format_clause_table(summary))
    calibration = _calibration(args, contracts)
    if calibration is not None:
        print(format_figures(calibration))
    if args.report:
        # The packaged engine's figures beside the out-of-fold ones (on contracts its finder was trained on).
        _, packaged = run_eval(contracts, args.report / "packaged-predictions.jsonl")
        print(f"packaged engine (finder trained on these contracts): macro F1 {packaged.macro_f1:.3f}, "
              f"clause macro F1 {_clause_macro(packaged):.3f}")
        write_summary(summary, args.report / "summary.json")
        write_summary(packaged, args.report / "packaged-summary.json")
        sections = calibration_section(calibration) if calibration is not None else ""
        print(f"report: {write_report(packaged, args.report, cross_validated=summary, folds=args.cv, extra_sections=sections)}")
    return 0


def _calibration(args: argparse.Namespace, contracts: list[Contract]) -> CalibrationFigures | None:
    """The confidence calibrator cross-validated on the out-of-fold lines just written (None: too few values)."""
    examples = value_examples(read_prediction_lines(args.predictions), contracts)
    datasets = {c.id: c.text_path.parent.parent.name for c in contracts}
    try:
        figures, _ = cross_validate_calibration(examples, k=args.cv, datasets=datasets)
    except ValueError as exc:
        print(f"confidence calibration not cross-validated: {exc}")
        return None
    return figures


def _clause_macro(summary: Summary) -> float:
    return summary.clauses.macro_f1 if summary.clauses else 0.0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m evals.extraction.command ...`) until the console command wires it in."""
    parser = argparse.ArgumentParser(prog="contractloop eval")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
