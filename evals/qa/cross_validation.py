"""Grouped K-fold cross-validation for Q&A: every question is answered with a clause finder trained on the
folds its contract is not in (the packaged finder was trained on dev100 and train150, so on them only this
gives generalisation figures). Contract resolution and intents use no training and read the whole corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.qa.dataset import Question
from evals.qa.predict import prediction_line
from extraction.clause_finder import ClauseFinder, load_labelled, train_finder
from extraction.clause_finder.train import fold_of
from qa import ContractQA, ContractStore
from qa.dense_passages import DensePassages
from qa.question_intent import QuestionReader

FOLD_SEED = 1


def cross_validate(dirs: list[Path], store: ContractStore, questions: list[Question], folds: int,
                   reader: QuestionReader, dense: DensePassages | None, categories: list[str],
                   fold_seed: int = FOLD_SEED) -> list[dict[str, Any]]:
    labelled = load_labelled(dirs)
    fold = {c.id: fold_of(c.id, folds, fold_seed) for c in labelled}
    lines: dict[str, dict[str, Any]] = {}
    for k in range(folds):
        finder: ClauseFinder = train_finder([c for c in labelled if fold[c.id] != k], seed=0, categories=categories)
        qa = ContractQA(store, finder=finder, reader=reader, dense=dense)
        for question in questions:
            doc = question.gold.doc if question.gold else None
            if doc is not None and fold.get(doc, 0) == k:
                lines[question.qid] = prediction_line(question, qa.answer(question.question))
    return [lines[q.qid] for q in questions if q.qid in lines]
