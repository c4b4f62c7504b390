"""Inbound-paper review speed: the NDA reader alone and the whole review (NDA reader + clause finder + positions)
per document over ContractNLI dev's 61 NDAs (text already extracted, one document at a time on one core), the
models' load time, and peak RSS.

Run: .venv/bin/python -m benchmarks.review_bench [--dataset FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import time
from pathlib import Path

from evals.shared_data import require_shared
from extraction.clause_finder import load_finder
from review.inbound import review_paper
from review.nda_reader import load_reader
from review.nda_reader.spans import document_spans
from review.nda_reader.training_data import load_contract_nli
from tools.documents import Document


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, default=None,
                        help="a ContractNLI JSON file (default data/contract-nli/dev.json in the shared data)")
    args = parser.parse_args()
    documents = load_contract_nli(args.dataset or require_shared("data", "contract-nli", "dev.json")).documents
    started = time.perf_counter()
    reader = load_reader()
    reader_load = time.perf_counter() - started
    started = time.perf_counter()
    load_finder()
    finder_load = time.perf_counter() - started

    read_ms, review_ms, deviations = [], [], 0
    for document in documents:
        started = time.perf_counter()
        reader.read(document.text, document_spans(document.text))
        read_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        review = review_paper(Document.from_text(document.text), title=document.id,
                              sha256=hashlib.sha256(document.text.encode()).hexdigest(), kind="nda")
        review_ms.append((time.perf_counter() - started) * 1000)
        deviations += len(review.deviations)
    characters = sum(len(d.text) for d in documents)
    print(f"{len(documents)} NDAs, {characters / len(documents):,.0f} characters on average")
    print(f"models load: NDA reader {reader_load:.2f} s, clause finder {finder_load:.2f} s")
    print(f"NDA reader per document: median {statistics.median(read_ms):.1f} ms, max {max(read_ms):.1f} ms")
    print(f"whole review per document: median {statistics.median(review_ms):.1f} ms, max {max(review_ms):.1f} ms "
          f"({characters / (sum(review_ms) / 1000) / 1e3:,.0f} k characters/s); {deviations / len(documents):.1f} "
          "deviations per NDA")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
