"""PLACE FOR THE PII SCENARIO (issue 14 part 3): another helper is writing `benchmarks/pii_bench.py`
(`run(seed) -> PiiBenchResult`). Until it lands this scenario reports that it is missing and fails; it never fakes
a figure. When it lands: call `pii_bench.run(seed=0)` here and return its counts, expecting 0 personal values
reaching the model stub.
"""

from __future__ import annotations

from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import Figure, Scenario


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    try:
        from benchmarks import pii_bench  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        raise NotImplementedError("benchmarks/pii_bench.py is not in this tree yet") from None
    raise NotImplementedError("benchmarks/pii_bench.py exists: turn its PiiBenchResult into figures here")


SCENARIO = Scenario(name="pii", proves="the PII corpus: 0 personal values reach the model (not yet wired)",
                    runner=run)
