"""Rebuild the packaged artifacts from CUAD dev100 + train150 (what `contractloop train clauses` runs)."""

from __future__ import annotations

import time
from pathlib import Path

from extraction.clause_finder.model import ARTIFACTS, ClauseFinder
from extraction.clause_finder.train import train_finder
from extraction.clause_finder.training_data import TrainingDataError, load_categories, load_labelled

TRAINING_SETS = ("dev100", "train150")
SEED = 0


def rebuild_artifacts(data: Path, out: Path = ARTIFACTS, seed: int = SEED) -> tuple[ClauseFinder, int, float]:
    """Train on `data`/dev100 + `data`/train150 and save into `out`: (finder, contracts, seconds)."""
    categories_file = data / "categories.json"
    if not categories_file.is_file():
        raise TrainingDataError(f"{data} has no categories.json (expected the CUAD layout of ../shared/data/cuad)")
    started = time.perf_counter()
    examples = load_labelled(data / name for name in TRAINING_SETS)
    finder = train_finder(examples, seed=seed, categories=load_categories(categories_file))
    finder.save(out)
    return finder, len(examples), time.perf_counter() - started
