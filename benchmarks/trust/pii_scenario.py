"""The PII scenario: `benchmarks/pii_bench.py` (a seeded contract and CRM corpus through the tokenising wrapper
and the real ChatOpenAI wire path to the local stub) as figures."""

from __future__ import annotations

from benchmarks import pii_bench
from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import Figure, Scenario, equal, info


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    result = pii_bench.run(seed=0, documents=60 if quick else 200)
    recall = {kind: score.recall for kind, score in result.detector.items()}
    return [info("documents", result.documents), info("personal values seeded", result.values),
            info("model requests", result.requests),
            *[info(f"detector recall: {kind}", f"{value:.3f}") for kind, value in sorted(recall.items())],
            equal("personal values reaching the model", result.values_reaching_model, 0),
            equal("answers restored exactly", result.restored_exactly, result.documents)]


SCENARIO = Scenario(name="pii", proves="the PII corpus: 0 personal values reach the model stub, every answer "
                                       "restored", runner=run)
