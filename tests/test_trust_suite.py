"""The trust suite's quick variants, asserted: every figure over real HTTP to the sandboxes and the Flow server."""

from __future__ import annotations

import pytest

from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import ScenarioResult, scenarios

pytestmark = pytest.mark.slow


@pytest.fixture
def harness(trust_harness: Harness) -> Harness:
    return trust_harness


def _assert_all_pass(result: ScenarioResult) -> None:
    failed = [(f.name, f.value, f.expected) for f in result.figures if not f.passed]
    assert result.error is None and not failed, (result.error, failed)


def test_bursts_of_identical_and_distinct_events_launch_one_workflow(harness: Harness) -> None:
    result = scenarios()["idempotency"].run(quick=True, harness=harness)
    _assert_all_pass(result)
    assert result.value("identical: Ironclad workflows") == result.value("distinct: Ironclad workflows") == 1
    assert result.value("identical: write-backs") == result.value("distinct: write-backs") == 1


def test_forged_altered_stale_and_replayed_webhooks_start_nothing(harness: Harness) -> None:
    result = scenarios()["webhooks"].run(quick=True, harness=harness)
    _assert_all_pass(result)
    assert result.value("syncs started by rejected deliveries") == 0


def test_the_table_marks_a_failing_figure_and_the_command_lists_every_scenario() -> None:
    from benchmarks.trust.__main__ import table
    from benchmarks.trust.registry import equal

    failing = ScenarioResult("demo", [equal("duplicates", 2, 0)])
    assert not failing.passed and "NO" in table([failing])
    assert {"idempotency", "faults", "webhooks", "fuzz", "injection", "pii", "documents"} <= set(scenarios())
