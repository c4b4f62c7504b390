"""Calibrated confidence: every focus value gets a probability from the packaged calibrator, deterministically;
the CV command prints the threshold, precision at it, share to review and reliability; training rebuilds an
artifact the extractor loads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contractloop.cli import main
from evals.extraction.calibration_examples import read_prediction_lines, value_examples
from evals.extraction.dataset import load_dataset
from evals.shared_data import SharedDataMissingError, require_shared
from extraction.confidence import Calibrator, CalibratorModel, load_calibrator
from extraction.confidence_fit import fit_calibrator
from extraction.offline import OfflineExtractor
from tools.documents import Document

SUBSET = 25  # contracts: enough for 5 folds with right and wrong values in each


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first contracts of train150 in the CUAD layout, and the offline engine's predictions for them."""
    try:  # the data is part of the test; missing data fails, naming where it was looked for
        cuad = require_shared("data", "cuad", "train150", marker="labels.jsonl")
    except SharedDataMissingError as exc:
        pytest.fail(str(exc), pytrace=False)
    target = tmp_path_factory.mktemp("calibration") / "train-subset"
    (target / "texts").mkdir(parents=True)
    rows = [json.loads(line) for line in (cuad / "labels.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()][:SUBSET]
    for row in rows:
        shutil.copy(cuad / row["text_file"], target / row["text_file"])
    (target / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["eval", "extraction", "--dataset", str(target), "--predictions",
                 str(target / "predictions.jsonl")]) == 0
    return target


def _calibrated(terms) -> list:
    values = [*terms.parties, terms.agreement_date, terms.effective_date, terms.expiration_date,
              terms.partial_agreement_date, terms.partial_effective_date, terms.partial_expiration_date,
              terms.renewal_term, terms.notice_period_to_terminate_renewal, terms.governing_law]
    if terms.liability_cap is not None and terms.liability_cap.kind != "uncapped":
        values.append(terms.liability_cap)
    return [v for v in values if v is not None]


def test_every_focus_value_carries_a_probability_and_uncalibrated_ones_none(subset: Path) -> None:
    extractor = OfflineExtractor()
    seen = 0
    for contract in load_dataset(subset)[:6]:
        terms = extractor.extract(Document.from_text(contract.read_text()))
        for value in _calibrated(terms):
            assert value.confidence is not None and 0.0 <= value.confidence <= 1.0, value
            seen += 1
        for uncalibrated in (terms.initial_term, terms.auto_renewal, terms.termination_for_convenience,
                             terms.payment_terms_net_days):
            assert uncalibrated is None or uncalibrated.confidence is None
    assert seen >= 12


def test_confidence_is_deterministic_and_training_reproduces_the_same_model(subset: Path) -> None:
    contract = load_dataset(subset)[0]
    document = Document.from_text(contract.read_text())
    first, second = OfflineExtractor().extract(document), OfflineExtractor().extract(document)
    assert [v.confidence for v in _calibrated(first)] == [v.confidence for v in _calibrated(second)]

    examples = value_examples(read_prediction_lines(subset / "predictions.jsonl"), load_dataset(subset))
    assert {e.right for e in examples} == {True, False}
    fits = [fit_calibrator([e.features for e in examples], [e.right for e in examples],
                           [e.contract_id for e in examples], threshold=0.9, seed=0).model_dump_json()
            for _ in range(2)]
    assert fits[0] == fits[1]
    calibrator = Calibrator(CalibratorModel.model_validate_json(fits[0]))
    probabilities = [calibrator.probability(e.features) for e in examples]
    assert all(0.0 <= p <= 1.0 for p in probabilities) and len(set(probabilities)) > 5


def test_cv_command_prints_threshold_precision_share_to_review_and_reliability(subset: Path, tmp_path: Path,
                                                                              capsys) -> None:
    report = tmp_path / "report"
    assert main(["eval", "calibration", "--predictions", str(subset / "predictions.jsonl"), "--dataset", str(subset),
                 "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "auto-write threshold" in out and "precision at threshold" in out and "share to review" in out
    figures = json.loads((report / "calibration.json").read_text(encoding="utf-8"))
    assert len(figures["reliability"]) == 10 and 0.0 <= figures["ece"] <= 1.0
    values = sum(b["values"] for b in figures["reliability"])
    assert values == sum(f["values"] for f in figures["fields"])  # every held-out value lands in one bin
    assert 0.0 <= figures["share_to_review"] <= 1.0 and len(figures["fold_thresholds"]) == 5
    # Each synced field has its own cut, never under the global one, and the table shows it.
    assert set(figures["field_thresholds"]) <= {f["field"] for f in figures["fields"]} - {"Parties"}
    assert figures["field_thresholds"] and all(t >= figures["threshold"] for t in figures["field_thresholds"].values())
    assert all(f["threshold"] == figures["field_thresholds"].get(f["field"]) for f in figures["fields"])
    assert "reliability diagram" in (report / "calibration.html").read_text(encoding="utf-8")


def test_train_command_writes_an_artifact_the_calibrator_loads(subset: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "confidence_model.json"
    assert main(["train", "confidence", "--predictions", str(subset / "predictions.jsonl"), "--dataset", str(subset),
                 "--out", str(out)]) == 0
    model = CalibratorModel.model_validate_json(out.read_text(encoding="utf-8"))
    assert f"threshold {model.threshold:.3f}" in capsys.readouterr().out
    assert model.training["cv"]["threshold"] == model.threshold and model.training["contracts"] == SUBSET
    assert model.field_thresholds and model.field_thresholds == model.training["cv"]["field_thresholds"]
    calibrator = Calibrator(model)
    assert all(calibrator.threshold_for(f) == t >= model.threshold for f, t in model.field_thresholds.items())
    assert calibrator.threshold_for("a field with no cut of its own") == model.threshold
    assert 0.0 <= load_calibrator().threshold <= 1.0  # and the packaged one reads too


def test_predictions_for_a_contract_outside_the_datasets_are_refused(subset: Path, tmp_path: Path, capsys) -> None:
    stray = tmp_path / "stray.jsonl"
    stray.write_text(json.dumps({"id": "not-a-contract", "fields": {}}) + "\n", encoding="utf-8")
    assert main(["eval", "calibration", "--predictions", str(stray), "--dataset", str(subset)]) == 2
    assert "names no contract of the datasets given" in capsys.readouterr().err


def test_prediction_lines_split_on_newlines_only(tmp_path: Path) -> None:
    """A quote may hold U+2028 or a form feed (JSON keeps them raw); JSON Lines end only at "\\n"."""
    path = tmp_path / "p.jsonl"
    lines = [{"id": "c1", "fields": {"Governing Law": {"value": "Delaware", "quote": "laws of\u2028Delaware\x0c",
                                                       "start": 0, "end": 17}}},
             {"id": "c2", "fields": {}}]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    assert read_prediction_lines(path) == lines


def test_each_field_gets_the_lowest_cut_that_holds_for_it_and_never_one_under_the_global_cut() -> None:
    import numpy as np

    from evals.extraction.calibration import choose_field_thresholds

    # Field A is right at every confidence; field B is wrong at 0.95 and right only above it.
    probabilities = np.array([0.99, 0.98, 0.97, 0.96, 0.95] * 4 + [0.999, 0.998, 0.997, 0.95, 0.95])
    right = np.array([1] * 20 + [1, 1, 1, 0, 0])
    fields = ["A"] * 20 + ["B"] * 5
    overall, per_field = choose_field_thresholds(probabilities, right, fields, target=0.7)
    assert per_field["B"] > 0.95 >= overall  # B's own wrong values keep its cut above them
    assert per_field["A"] == overall  # A could go lower on its own, but never under the global cut
