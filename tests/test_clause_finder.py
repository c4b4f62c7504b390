"""The learned clause finder: the packaged artifacts on a realistic contract, training, and the train command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from contractloop.cli import main as cli
from evals.shared_data import SharedDataMissingError, require_shared
from extraction import OfflineExtractor, citation_holds
from extraction.clause_finder import (
    ClauseFinder,
    FinderArtifactsError,
    load_finder,
    load_labelled,
    train_finder,
)
from extraction.clause_finder.passages import MAX_CHARS, split_passages
from tools.documents import Document

CONTRACT = """DISTRIBUTION AGREEMENT

This Distribution Agreement (the "Agreement") is made and entered into as of June 1, 2019 (the "Effective Date") by and between Orbital Devices, Inc., a Delaware corporation ("Supplier"), and Northern Medical Supply Ltd., an Ontario corporation ("Distributor").

1. Appointment. Supplier hereby appoints Distributor as its distributor of the Products in the Territory, and Distributor accepts such appointment, subject to the terms of this Agreement.

2. Term. This Agreement shall commence on the Effective Date and continue for a period of three (3) years.

3. Payment. Distributor shall pay each invoice within thirty (30) days of its date.

4. Assignment. Neither party may assign or transfer this Agreement or any of its rights or obligations hereunder without the prior written consent of the other party, which consent shall not be unreasonably withheld.

5. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of the State of New York, without regard to its conflict of laws principles.

6. Notices. All notices under this Agreement shall be in writing and delivered to the addresses set out above.

IN WITNESS WHEREOF, the parties have executed this Agreement as of the Effective Date.
"""

ABSENT = ["Source Code Escrow", "Non-Disparagement", "Liquidated Damages", "Most Favored Nation",
          "No-Solicit Of Employees", "Covenant Not To Sue", "Joint Ip Ownership", "Insurance"]


def _cuad() -> Path:
    try:  # the data is part of the test; missing data fails, naming where it was looked for
        return require_shared("data", "cuad", marker="categories.json")
    except SharedDataMissingError as exc:
        pytest.fail(str(exc), pytrace=False)


def _findings(text: str) -> dict:
    document = Document.from_text(text)
    findings = load_finder().find(document)
    for finding in findings:
        for citation in finding.citations:
            assert citation_holds(citation, document)
    return {f.category: f for f in findings}


def test_packaged_finder_cites_the_clauses_a_contract_states():
    findings = _findings(CONTRACT)
    assert list(findings) == load_finder().categories and len(findings) == 41
    for category, words in [("Governing Law", "laws of the State of New York"),
                            ("Anti-Assignment", "Neither party may assign")]:
        finding = findings[category]
        assert finding.present and finding.score >= 0.5
        assert words in finding.citations[0].quote
    claimed = [c for c in ABSENT if findings[c].present]
    assert claimed == [], f"claimed clauses the contract does not state: {claimed}"
    assert all(f.citations for f in findings.values() if f.present)


def test_offline_extractor_carries_the_findings():
    terms = OfflineExtractor().extract(Document.from_text(CONTRACT))
    present = {f.category for f in terms.clauses if f.present}
    assert {"Governing Law", "Anti-Assignment"} <= present
    assert not present & set(ABSENT)


def test_passages_keep_offsets_and_headings():
    long_sentence = "The Supplier shall deliver " + ", and ".join(f"item {i} to the site" for i in range(200)) + "."
    text = CONTRACT + "\n7. Delivery.\n\n" + long_sentence + "\n"
    passages = split_passages(text)
    for p in passages:
        quote = text[p.start:p.end]
        assert quote and quote == quote.strip()
        assert p.end - p.start <= MAX_CHARS
    law = next(p for p in passages if "laws of the State of New York" in text[p.start:p.end])
    assert text[law.start:law.end].startswith("5. Governing Law.") and law.heading == "Governing Law"
    delivery = [p for p in passages if "item 150" in text[p.start:p.end]]
    assert delivery and delivery[0].heading == "Delivery"


def test_passage_features_carry_the_neighbouring_passages_words():
    from extraction.clause_finder.features import contract_tokens, passage_tokens

    passages = split_passages(CONTRACT)
    tokens = contract_tokens(CONTRACT, passages)
    law = next(i for i, p in enumerate(passages) if "laws of the State of New York" in CONTRACT[p.start:p.end])
    own = passage_tokens(CONTRACT, passages[law])
    assert tokens[law][:len(own)] == own
    context = set(tokens[law][len(own):])
    assert context and all(t.startswith("ctx:") for t in context)
    assert "ctx:assign" in context and "ctx:notic" in context  # the sentences before and after
    assert not any(t.startswith("ctx:") for t in contract_tokens(CONTRACT, passages[:1])[0])


def test_train_finder_is_deterministic_for_a_seed():
    cuad = _cuad()
    # the 8 shortest contracts: determinism does not need the full corpus, and training twice on it is minutes
    examples = sorted(load_labelled([cuad / "dev100"]), key=lambda e: len(e.text))[:8]
    first, second = train_finder(examples, seed=3), train_finder(examples, seed=3)
    assert first.featurizer.vocabulary == second.featurizer.vocabulary
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.presence_threshold, second.presence_threshold)
    assert np.array_equal(first.platt, second.platt)
    text = examples[0].text
    assert [c.quotes for c in first.clauses(text)] == [c.quotes for c in second.clauses(text)]


def test_train_command_rebuilds_loadable_artifacts(tmp_path: Path, capsys):
    cuad = _cuad()
    data = tmp_path / "cuad"
    data.mkdir()
    shutil.copy(cuad / "categories.json", data / "categories.json")
    for split in ("dev100", "train150"):
        (data / split / "texts").mkdir(parents=True)
        rows = [json.loads(line) for line in (cuad / split / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
        kept = sorted(rows, key=lambda r: r["chars"])[:8]
        for row in kept:
            shutil.copy(cuad / split / row["text_file"], data / split / row["text_file"])
        (data / split / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
    out = tmp_path / "artifacts"
    assert cli(["train", "clauses", "--data", str(data), "--out", str(out)]) == 0
    assert "trained on 16 contracts" in capsys.readouterr().out
    finder = ClauseFinder.load(out)
    assert finder.categories == load_finder().categories
    assert len(finder.find(Document.from_text(CONTRACT))) == 41
    first = (out / "weights.npz").read_bytes()
    assert cli(["train", "clauses", "--data", str(data), "--out", str(out)]) == 0
    assert (out / "weights.npz").read_bytes() == first, "training is reproducible byte for byte"


def test_train_command_and_loader_explain_missing_inputs(tmp_path: Path, capsys):
    assert cli(["train", "clauses", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "categories.json" in capsys.readouterr().err
    with pytest.raises(FinderArtifactsError, match="contractloop train clauses"):
        ClauseFinder.load(tmp_path)


def test_packaged_artifacts_are_small():
    from extraction.clause_finder.model import ARTIFACTS
    size = sum(f.stat().st_size for f in ARTIFACTS.iterdir())
    assert size < 6_000_000
