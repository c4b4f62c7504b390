"""`contractloop eval qa-revenue [--questions Q.yaml] [--predictions F.jsonl] [--report DIR] [--texts DIR]
[--retrieval hybrid|lexical]`.

Builds the sandbox portfolio of executed contracts (`portfolio.py`) in a temporary directory, indexes each as the
loop's sync does (text, pages, account / Opportunity / record names, extracted terms), answers the revenue
team's questions (`questions.yaml`) with the same offline engine as `eval qa`, and prints the same figures plus
"expected answer given", then one line per question. `--texts DIR` keeps the portfolio in the CUAD layout with
the questions as `eval qa` question lines, so `eval qa --dataset DIR --questions DIR/questions.jsonl` reads it
too (text only: no names or terms, as for CUAD).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.qa.dataset import QaDataError, Question
from evals.qa.predict import answer_all, write_lines
from evals.qa.report import write_report
from evals.qa.revenue.portfolio import PortfolioContract, PortfolioError, build_portfolio, write_texts
from evals.qa.revenue.questions import QUESTIONS_PATH, load_revenue_questions, to_eval_question
from evals.qa.scoring import expected_given, format_table, score
from extraction.clause_finder import FinderArtifactsError, load_finder
from playbook_store.embeddings import embedding_function
from qa import ContractQA, ContractStore
from qa.dense_passages import DensePassages
from qa.question_intent import load_reader


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("qa-revenue", help="revenue-team questions over the sandbox's executed "
                                                      "contracts, with expected answers")
    parser.add_argument("--questions", type=Path, default=QUESTIONS_PATH,
                        help="a revenue questions YAML file (default: the packaged 30)")
    parser.add_argument("--predictions", type=Path, help="where to write one JSON line per question")
    parser.add_argument("--report", type=Path, help="directory for summary.json and index.html")
    parser.add_argument("--texts", type=Path, help="also write the portfolio (texts/) and questions.jsonl here")
    parser.add_argument("--retrieval", choices=["hybrid", "lexical"], default="hybrid",
                        help="hybrid: finder + BM25 + dense rerank (default); lexical: without the dense rerank")
    parser.set_defaults(handler=run)
    return parser


def _question_lines(questions: list[Question], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for question in questions:
            handle.write(question.model_dump_json(exclude_none=True) + "\n")


def _answer(contracts: list[PortfolioContract], questions: list[Question], retrieval: str) -> list[dict[str, Any]]:
    finder = load_finder()
    with tempfile.TemporaryDirectory(prefix="contractloop-qa-revenue-") as scratch:
        store = ContractStore.open(Path(scratch) / "contracts.sqlite")
        try:
            for contract in contracts:
                store.upsert(contract.indexed)
            dense = DensePassages.open(Path(scratch) / "chroma", embedding_function()) \
                if retrieval == "hybrid" else None
            return answer_all(ContractQA(store, finder=finder, reader=load_reader(), dense=dense), questions)
        finally:
            store.close()


def per_question(questions: list[Question], lines: list[dict[str, Any]]) -> list[str]:
    """One line per question: the contract answered from, whether the expected value (or the honest 'not in
    the contract') was given, and what was answered."""
    by_id = {line["qid"]: line for line in lines}
    rows = []
    for question in questions:
        assert question.gold is not None
        line = by_id[question.qid]
        if question.expected:
            verdict = "ok  " if expected_given(question, line) else "MISS"
        else:
            verdict = "ok  " if not line["found"] and line["doc"] == question.gold.doc else "MISS"
        said = line["term"] or (line["answer"] or "")[:70].replace("\n", " ")
        rows.append(f"  {verdict} {question.qid} [{line['outcome']}, {line['doc'] or '-'}] "
                    f"{question.question}  ->  {said if line['found'] else 'not in the contract'}")
    return rows


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        revenue = load_revenue_questions(args.questions)
        contracts = build_portfolio()
        texts = {c.doc: c.text for c in contracts}
        questions = [to_eval_question(q, texts) for q in revenue]
        lines = _answer(contracts, questions, args.retrieval)
    except (QaDataError, PortfolioError, FinderArtifactsError) as exc:
        print(f"cannot run the revenue Q&A eval: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    how = (f"sandbox portfolio of {len(contracts)} executed contracts indexed as the sync does (names, terms); "
           f"packaged clause finder; retrieval {args.retrieval}")
    print(f"{len(questions)} questions over {len(contracts)} contracts in {seconds:.1f} s ({how})")
    if args.predictions:
        write_lines(lines, args.predictions)
        print(f"predictions: {args.predictions}")
    if args.texts:
        write_texts(contracts, args.texts)
        _question_lines(questions, args.texts / "questions.jsonl")
        print(f"portfolio texts and question lines: {args.texts}")
    figures = score(questions, lines, texts)
    print(format_table(str(args.questions), figures))
    rows = per_question(questions, lines)
    print("per question (expected value given, or 'not in the contract' from the right contract):")
    print("\n".join(rows))
    if args.report:
        path = write_report(figures, args.report, how=how, seconds=seconds)
        (args.report / "questions.json").write_text(json.dumps(rows, indent=1) + "\n",
                                                    encoding="utf-8")
        print(f"report: {path}")
    return 0
