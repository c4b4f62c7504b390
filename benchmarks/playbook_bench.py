"""Playbook speed figures: rule evaluation per deal, model load, index build, and query latency per mode.

    .venv/bin/python -m benchmarks.playbook_bench
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from playbook_store.clause_choice import choose_clauses
from playbook_store.embeddings import MiniLMInt8Embeddings
from playbook_store.index import PlaybookIndex
from playbook_store.models import DealFacts
from playbook_store.policy import decide_approval
from playbook_store.risk import assess_risk
from playbook_store.selection import select_templates
from playbook_store.special_terms import parse_special_terms

DEAL = DealFacts(
    region="EMEA",
    deal_type="new_business",
    total_contract_value=180000,
    term_months=36,
    max_discount_percent=35,
    special_terms="Liability cap 2x fees, net 75, 99.95% uptime, termination for convenience on 60 days, German law.",
)


def _per_call_ms(fn, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) * 1000 / repeats


def main() -> None:
    def full_review() -> None:
        select_templates(DEAL)
        choices = choose_clauses(parse_special_terms(DEAL.special_terms))
        decide_approval(DEAL, assess_risk(DEAL), choices)

    full_review()  # load and validate the playbook once
    print(f"rules (select + parse + risk + clauses + policy): {_per_call_ms(full_review, 500):.2f} ms/deal")

    start = time.perf_counter()
    ef = MiniLMInt8Embeddings()
    print(f"model load (sha-256 checks included): {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        index = PlaybookIndex.open(Path(directory), ef=ef)
        print(f"index build ({len(index.library.all_positions())} clauses): {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        PlaybookIndex.open(Path(directory), ef=ef)
        print(f"index reopen (no rebuild): {time.perf_counter() - start:.2f} s")
        query = "customer wants to exit at any time and get unused fees back"
        for mode in ("dense", "bm25", "hybrid"):
            print(f"query {mode:6}: {_per_call_ms(lambda m=mode: index.search(query, mode=m), 50):.1f} ms")


if __name__ == "__main__":
    main()
