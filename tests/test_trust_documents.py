"""The trust suite's documents scenario, quick variant: bad files through the running server, by both ways in (a
signed copy behind an Ironclad webhook, inbound paper through the Flow review route), are refused with their
reason and flagged, within the time bound, with no 5xx and no value written from them."""

from __future__ import annotations

import pytest

from benchmarks.trust.documents import CORPUS, QUICK_EXECUTED, Outcome, _figures
from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import scenarios

pytestmark = pytest.mark.slow


def test_bad_documents_are_refused_with_their_reason_and_flagged_end_to_end(trust_harness: Harness) -> None:
    result = scenarios()["documents"].run(quick=True, harness=trust_harness)
    failed = [(f.name, f.value, f.expected) for f in result.figures if not f.passed]
    assert result.error is None and not failed, (result.error, failed)
    bad_executed = len(QUICK_EXECUTED) - 1
    bad_attachable = sum(1 for s in CORPUS if s.attachable and not s.control)
    assert result.value("executed: bad documents flagged with the right reason") == bad_executed
    assert result.value("executed: values written from bad documents") == 0
    assert result.value("executed: control processed normally") == 1
    assert result.value("review: bad documents refused with the right reason") == bad_attachable >= 10
    assert result.value("review: control processed normally") == 1
    assert result.value("5xx answers") == 0 and result.value("server answering afterwards") is True
    assert result.value("executed: slowest document (s)") <= 60 and result.value("review: slowest document (s)") <= 60


def test_a_document_flagged_without_a_reason_in_the_status_fails_its_figure() -> None:
    # What the scenario first found: Salesforce had the reason, the server's status answer did not.
    bomb = next(s for s in CORPUS if s.kind == "pdf-flate-bomb")
    control = next(s for s in CORPUS if s.control)
    silent = Outcome(bomb, seconds=1.0, ended=True, status="completed", reason=None, flagged_reason="too_large")
    read = Outcome(control, seconds=1.0, ended=True, status="completed", processed=True)
    figures = {f.name: f for f in _figures("review", [silent, read], "refused with the right reason")}
    assert not figures["review: bad documents refused with the right reason"].passed
    assert "pdf-flate-bomb" in figures["review: not refused as expected"].value
    hung = Outcome(bomb, seconds=200.0, ended=False, status="running", reason="too_large", flagged_reason="too_large")
    figures = {f.name: f for f in _figures("review", [hung, read], "refused with the right reason")}
    assert not figures["review: runs ended (none hung)"].passed and not figures["review: slowest document (s)"].passed
