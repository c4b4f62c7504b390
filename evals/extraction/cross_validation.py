"""`--cv K`: grouped K-fold cross-validation of the offline engine with its learned clause finder.

Each contract lands in one fold by a hash of its id (fixed seed, so the same contract is always in the same
fold whatever else is in the dataset). For each fold a clause finder is trained in memory on the other folds
(`train_finder`), the offline extractor reads the held-out fold with it, and the out-of-fold predictions of
all folds are scored together (pooled), for the focus fields and the 41 CUAD categories alike. Folds run in
parallel processes (one finder each).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

from evals.extraction.dataset import Contract
from evals.extraction.runner import Prediction, Summary, predict_one, summarise
from extraction.clause_finder import LabelledText, load_finder, train_finder
from extraction.clause_finder.train import fold_of
from extraction.offline import OfflineExtractor

SEED = 0


def assign_folds(contracts: list[Contract], folds: int, seed: int = SEED) -> list[int]:
    if folds < 2:
        raise ValueError(f"--cv needs at least 2 folds, got {folds}")
    if len(contracts) < folds:
        raise ValueError(f"{len(contracts)} contracts cannot make {folds} folds")
    return [fold_of(contract.id, folds, seed) for contract in contracts]


def labelled(contract: Contract) -> LabelledText:
    return LabelledText(id=contract.id, text=contract.read_text(),
                        present={c: g.present for c, g in contract.clauses.items()},
                        segments={c: list(g.segments) for c, g in contract.clauses.items()})


def _run_fold(task: tuple[list[Contract], list[Contract], list[str], int]) -> list[tuple[Prediction, int]]:
    training, held_out, categories, seed = task
    finder = train_finder([labelled(c) for c in training], seed=seed, categories=categories)
    extractor = OfflineExtractor(finder=finder)
    return [predict_one(contract, extractor) for contract in held_out]


def cross_validate(contracts: list[Contract], folds: int, seed: int = SEED,
                   workers: int | None = None) -> tuple[list[Prediction], Summary]:
    """Out-of-fold predictions (in dataset order) and their pooled summary."""
    assignment = assign_folds(contracts, folds, seed)
    categories = load_finder().categories
    tasks = [([c for c, f in zip(contracts, assignment, strict=True) if f != fold],
              [c for c, f in zip(contracts, assignment, strict=True) if f == fold], categories, seed)
             for fold in range(folds)]
    tasks = [task for task in tasks if task[1]]  # a small dataset can leave a fold empty
    started = time.perf_counter()
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = [r for fold in pool.map(_run_fold, tasks) for r in fold]
    else:
        results = [r for task in tasks for r in _run_fold(task)]
    seconds = time.perf_counter() - started
    by_id = {prediction.id: (prediction, size) for prediction, size in results}
    ordered = [by_id[c.id] for c in contracts]
    predictions = [p for p, _ in ordered]
    return predictions, summarise(contracts, predictions, sum(n for _, n in ordered), seconds)
