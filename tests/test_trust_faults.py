"""The trust suite's faults scenario: Ironclad failing 30 % of its API calls (429, 5xx, some after doing the
work) and Salesforce 20 % (row locks, outages) while 20 deals go the whole loop through the running server —
every deal launched, linked, signed and synced, nothing twice, nothing lost."""

from __future__ import annotations

import pytest

from benchmarks.trust.faults import DEALS
from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import scenarios

pytestmark = pytest.mark.slow


def test_twenty_deals_complete_once_each_while_both_platforms_fail_calls(trust_harness: Harness) -> None:
    result = scenarios()["faults"].run(quick=True, harness=trust_harness)
    failed = [(f.name, f.value, f.expected) for f in result.figures if not f.passed]
    assert result.error is None and not failed, (result.error, failed, result.figures)
    assert result.value("deals launched and linked") == result.value("contracts synced") == DEALS
    assert result.value("lost (run did not reach its end)") == 0
    assert result.value("duplicated Ironclad workflows") == result.value("duplicated insights") == 0
    assert result.value("repeated Tasks and Events") == 0
    # the faults really happened, on both sides, at about their rates
    assert result.value("Ironclad faults injected") >= 20 and result.value("Salesforce faults injected") >= 10
    assert 0.2 <= result.value("Ironclad share faulted") <= 0.4
