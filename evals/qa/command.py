"""`contractloop eval qa --dataset DIR [--dataset DIR] --questions Q.jsonl [...] --predictions F.jsonl
[--cv K] [--retrieval hybrid|lexical] [--report DIR]`.

Indexes every contract text of the datasets as one corpus (a fresh store and, for `hybrid`, a fresh chromadb
passage index in a temporary directory), answers every question offline, writes one JSON line per question and
prints the figures (`scoring.py`). `--cv K` answers each question with a clause finder trained on the folds its
contract is not in.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from evals.qa.cross_validation import FOLD_SEED, cross_validate
from evals.qa.dataset import QaDataError, load_questions, load_texts
from evals.qa.predict import answer_all, build_store, write_lines
from evals.qa.report import write_report
from evals.qa.scoring import format_table, score
from extraction.clause_finder import FinderArtifactsError, load_finder
from playbook_store.embeddings import embedding_function
from qa import ContractQA
from qa.dense_passages import DensePassages
from qa.question_intent import load_reader


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("qa", help="contract questions: right contract, cited evidence, honest "
                                              "'not in the contract'")
    parser.add_argument("--dataset", required=True, type=Path, action="append",
                        help="a CUAD-layout directory (texts/); repeat to index several as one corpus")
    parser.add_argument("--questions", required=True, type=Path, action="append",
                        help="question lines (qid, question, gold); repeatable")
    parser.add_argument("--predictions", required=True, type=Path, help="where to write one JSON line per question")
    parser.add_argument("--report", type=Path, help="directory for summary.json and index.html")
    parser.add_argument("--cv", type=int, metavar="K", default=None,
                        help="grouped K-fold: each question answered by a finder trained without its contract "
                             "(needs labels.jsonl)")
    parser.add_argument("--fold-seed", type=int, default=FOLD_SEED)
    parser.add_argument("--retrieval", choices=["hybrid", "lexical"], default="hybrid",
                        help="hybrid: finder + BM25 + dense rerank (default); lexical: without the dense rerank")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        texts = load_texts(args.dataset)
        questions = load_questions(args.questions)
        finder = load_finder()
    except (QaDataError, FinderArtifactsError) as exc:
        print(f"cannot run the Q&A eval: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="contractloop-qa-") as scratch:
        store = build_store(texts, Path(scratch) / "contracts.sqlite")
        dense = DensePassages.open(Path(scratch) / "chroma", embedding_function()) \
            if args.retrieval == "hybrid" else None
        reader = load_reader()
        if args.cv:
            if args.cv < 2 or args.cv > len(texts):
                print(f"--cv needs 2..{len(texts)} folds", file=sys.stderr)
                return 2
            lines = cross_validate(args.dataset, store, questions, args.cv, reader, dense, finder.categories,
                                   fold_seed=args.fold_seed)
            how = f"{args.cv}-fold cross-validated (clause finder trained without each question's contract)"
        else:
            lines = answer_all(ContractQA(store, finder=finder, reader=reader, dense=dense), questions)
            how = ("packaged clause finder (trained on CUAD dev100 + train150: on those contracts use --cv K for "
                   "generalisation figures)")
        store.close()
    seconds = time.perf_counter() - started
    how += f"; retrieval {args.retrieval}"
    write_lines(lines, args.predictions)
    print(f"{len(questions)} questions over {len(texts)} contracts in {seconds:.1f} s ({how}); "
          f"predictions: {args.predictions}")
    if not any(q.gold for q in questions):
        print("the questions have no gold: predictions written, nothing scored")
        return 0
    figures = score(questions, lines, texts)
    print(format_table(", ".join(str(p) for p in args.questions), figures))
    if args.report:
        path = write_report(figures, args.report, how=how, seconds=seconds)
        print(f"report: {path}")
    return 0
