"""Grouped k-fold cross-validation of the NDA reader: each document scored by a reader trained without it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.review.predict import predict_line
from review.nda_reader.train import fold_of, train_reader
from review.nda_reader.training_data import LabelledNda

FOLD_SEED = 1  # outer folds; the trainer's inner folds use seed 0, so the two splits differ


def cross_validate(documents: Sequence[LabelledNda], hypotheses: dict[str, str], folds: int,
                   seed: int = 0, fold_seed: int = FOLD_SEED) -> list[dict[str, Any]]:
    """Out-of-fold prediction lines for every document, in input order (folds by a hash of the id)."""
    if folds < 2:
        raise ValueError("--cv needs at least 2 folds")
    assignment = {d.id: fold_of(d.id, folds, fold_seed) for d in documents}
    lines: dict[str, dict[str, Any]] = {}
    for fold in range(folds):
        training = [d for d in documents if assignment[d.id] != fold]
        held_out = [d for d in documents if assignment[d.id] == fold]
        if not held_out:
            continue
        reader = train_reader(training, hypotheses, seed=seed)
        for document in held_out:
            lines[document.id] = predict_line(reader, document)
    return [lines[d.id] for d in documents]
