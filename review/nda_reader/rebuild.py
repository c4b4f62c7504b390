"""Rebuild the packaged reader from ContractNLI dev (what `contractloop train review` runs)."""

from __future__ import annotations

import time
from pathlib import Path

from review.nda_reader.model import ARTIFACTS, NdaReader
from review.nda_reader.train import train_reader
from review.nda_reader.training_data import load_contract_nli

SEED = 0


def rebuild_artifacts(data: Path, out: Path = ARTIFACTS, seed: int = SEED) -> tuple[NdaReader, int, float]:
    """Train on every labelled document of `data` (a ContractNLI JSON file) and save into `out`."""
    started = time.perf_counter()
    dataset = load_contract_nli(data)
    reader = train_reader(dataset.documents, dataset.hypotheses, seed=seed)
    reader.save(out)
    return reader, len(reader.trained_on), time.perf_counter() - started
