"""`contractloop eval review --dataset FILE.json --predictions FILE.jsonl [--report DIR] [--cv K]`.

Reads a ContractNLI file (documents with spans and, where labelled, the 17 hypotheses' gold), predicts every
hypothesis for every document with the packaged NDA reader, writes one JSON line per document (`predict.py`)
and prints accuracy, per-class F1 and evidence P/R/F1 (`scoring.py`). `--cv K` instead scores each document
with a reader trained on the other folds of the same file: the honest figure on the data the reader ships
trained on (ContractNLI dev). `--report DIR` writes `summary.json` and `index.html`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from evals.review.cross_validation import FOLD_SEED, cross_validate
from evals.review.predict import predict_all, write_lines
from evals.review.report import write_report
from evals.review.scoring import format_table, score
from review.nda_reader.model import ReaderArtifactsError, load_reader
from review.nda_reader.training_data import NliDataError, load_contract_nli


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("review", help="NDA hypotheses (ContractNLI): entailed, contradicted or not "
                                                  "mentioned, with evidence")
    parser.add_argument("--dataset", required=True, type=Path, help="a ContractNLI JSON file (e.g. dev.json)")
    parser.add_argument("--predictions", required=True, type=Path, help="where to write one JSON line per document")
    parser.add_argument("--report", type=Path, help="directory for summary.json and index.html")
    parser.add_argument("--cv", type=int, metavar="K", default=None,
                        help="grouped K-fold cross-validation: train on K-1 folds of the file, score the K-th")
    parser.add_argument("--fold-seed", type=int, default=None,
                        help="which split into folds --cv makes (default 1; others show the figures' spread)")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        dataset = load_contract_nli(args.dataset)
    except NliDataError as exc:
        print(f"cannot read the dataset: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.cv:
        if args.cv < 2 or args.cv > len(dataset.documents):
            print(f"--cv needs 2..{len(dataset.documents)} folds", file=sys.stderr)
            return 2
        lines = cross_validate(dataset.documents, dataset.hypotheses, args.cv,
                               fold_seed=FOLD_SEED if args.fold_seed is None else args.fold_seed)
        how = f"{args.cv}-fold cross-validated (each document read by a reader trained on the other folds)"
    else:
        try:
            reader = load_reader()
        except ReaderArtifactsError as exc:
            print(f"cannot load the NDA reader: {exc}", file=sys.stderr)
            return 2
        lines = predict_all(reader, dataset.documents)
        trained_on = set(reader.trained_on)
        seen = sum(d.id in trained_on for d in dataset.documents)
        how = "packaged reader"
        if seen:
            how += (f"; {seen} of {len(dataset.documents)} documents are in its training data, so these are not "
                    "generalisation figures (--cv K gives them)")
    seconds = time.perf_counter() - started
    write_lines(lines, args.predictions)
    labelled = [d for d in dataset.documents if d.labels]
    print(f"{len(dataset.documents)} documents read in {seconds:.1f} s ({how}); predictions: {args.predictions}")
    if not labelled:
        print("the file has no gold labels: predictions written, nothing scored")
        return 0
    figures = score(labelled, lines)
    print(format_table(str(args.dataset), figures, dataset.hypotheses))
    if args.report:
        path = write_report(figures, dataset.hypotheses, args.report, how=how, seconds=seconds)
        print(f"report: {path}")
    return 0
