"""`contractloop train clauses|review|confidence ...`: rebuild a learned component's packaged artifacts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contractloop.commands import train_confidence


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("train", help="rebuild a learned component's artifacts from the shared data")
    models = parser.add_subparsers(dest="model", required=True)
    clauses = models.add_parser("clauses", help="the clause finder (41 CUAD categories), from dev100 + train150")
    clauses.add_argument("--data", type=Path, default=None,
                         help="CUAD directory with categories.json, dev100/ and train150/ (default ../shared/data/cuad)")
    clauses.add_argument("--out", type=Path, default=None,
                         help="where to write the artifacts (default extraction/clause_finder/artifacts)")
    clauses.add_argument("--seed", type=int, default=0)
    clauses.set_defaults(handler=run_clauses)
    review = models.add_parser("review", help="the NDA reader (17 ContractNLI hypotheses), from ContractNLI dev")
    review.add_argument("--data", type=Path, default=None,
                        help="a ContractNLI JSON file (default ../shared/data/contract-nli/dev.json)")
    review.add_argument("--out", type=Path, default=None,
                        help="where to write the artifacts (default review/nda_reader/artifacts)")
    review.add_argument("--seed", type=int, default=0)
    review.set_defaults(handler=run_review)
    train_confidence.add_parser(models)


def run_clauses(args: argparse.Namespace) -> int:
    from evals.shared_data import shared_path
    from extraction.clause_finder.model import ARTIFACTS
    from extraction.clause_finder.rebuild import rebuild_artifacts
    from extraction.clause_finder.training_data import TrainingDataError

    data = args.data or shared_path("data", "cuad")
    out = args.out or ARTIFACTS
    try:
        finder, contracts, seconds = rebuild_artifacts(data, out, args.seed)
    except TrainingDataError as exc:
        print(f"cannot train the clause finder: {exc}", file=sys.stderr)
        return 2
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    print(f"clause finder: {len(finder.categories)} categories, {len(finder.featurizer.vocabulary):,} terms, "
          f"trained on {contracts} contracts in {seconds:.1f} s -> {out} ({size / 1e6:.1f} MB)")
    return 0


def run_review(args: argparse.Namespace) -> int:
    from evals.shared_data import shared_path
    from review.nda_reader.model import ARTIFACTS
    from review.nda_reader.rebuild import rebuild_artifacts
    from review.nda_reader.training_data import NliDataError

    data = args.data or shared_path("data", "contract-nli", "dev.json")
    out = args.out or ARTIFACTS
    try:
        reader, documents, seconds = rebuild_artifacts(data, out, args.seed)
    except (NliDataError, ValueError) as exc:
        print(f"cannot train the NDA reader: {exc}", file=sys.stderr)
        return 2
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    print(f"NDA reader: {len(reader.ids)} hypotheses, {len(reader.featurizer.vocabulary):,} terms, "
          f"trained on {documents} documents in {seconds:.1f} s -> {out} ({size / 1e6:.1f} MB)")
    return 0
