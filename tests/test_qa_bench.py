"""`benchmarks.qa_bench` in its quick mode, with small numbers: the figures it prints are sane (every question
answered with verbatim quotes, an unchanged re-upsert writes nothing, updates and removals take), not timings."""

from __future__ import annotations

import pytest

from benchmarks.qa_bench import Copies, load_corpus, main, title_parts
from evals.shared_data import require_shared


def test_copies_rename_the_parties_and_keep_the_rest() -> None:
    data = require_shared("data", "cuad")
    corpus = load_corpus([data / "dev100"], limit=3)
    copies = Copies(corpus, seed=1)
    first, second = copies.make(0), copies.make(len(corpus))  # two copies of the same real contract
    assert first.real is second.real and first.contract.doc != second.contract.doc
    assert first.contract.name != second.contract.name and first.contract.text != second.contract.text
    assert first.contract.text != first.real.text and len(first.mapping) >= 1
    assert copies.make(0).contract == first.contract  # deterministic: a re-upsert sees the same contract
    assert title_parts("FIBROGENINC_10_01_2014-EX-10.11-COLLABORATION AGREEMENT") == (
        "FIBROGENINC", "COLLABORATION AGREEMENT")


def test_quick_mode_figures_are_sane(capsys: pytest.CaptureFixture[str]) -> None:
    figures = main(["--quick", "--real", "12", "--real-questions", "10", "--contracts", "40", "--questions", "6",
                    "--build-sample", "10"])
    real = figures["real"]
    assert sum(real["outcomes"].values()) == real["questions"] == 10
    assert len(real["cold_ms"]) + len(real["warm_ms"]) == 10 and real["cold_ms"] and real["warm_ms"]
    assert real["unverified"] == 0
    build = figures["build"]  # 10 upserts timed at each end, 20 bulk-filled between (and checked by upsert)
    assert build.sampled and build.timed.done == build.timed.changed == 20 and build.filled == 20
    assert figures["unchanged"].done == 40 and figures["unchanged"].changed == 0
    assert figures["updated"].changed == figures["updated"].done >= 1
    assert figures["removed"].changed == figures["removed"].done >= 1
    assert figures["stored"] == 40 - figures["removed"].done
    big = figures["big"]
    assert big["asked"] == 6 and big["answered"] == 6 and big["unverified"] == 0
    assert big["right_contract"] >= 5
    assert figures["store_bytes"] > 0 and figures["peak_rss_mib"] > 0
    out = capsys.readouterr().out
    assert "re-upsert unchanged" in out and "returned True 0" in out
