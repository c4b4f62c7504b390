"""`contractloop eval extraction` end to end on a tiny CUAD-layout dataset, and the scoring rules by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evals.extraction import command
from evals.extraction.dataset import load_dataset
from evals.extraction.runner import Prediction, score, summarise
from evals.extraction.scoring import score_field
from evals.shared_data import SharedDataMissingError, require_shared
from extraction.cuad_fields import FOCUS_FIELDS

SAMPLE_IDS = ["cuad433", "cuad326", "cuad396"]


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    try:  # the data is part of the test; missing data fails, naming where it was looked for
        cuad = require_shared("data", "cuad", "dev100", marker="labels.jsonl")
    except SharedDataMissingError as exc:
        pytest.fail(str(exc), pytrace=False)
    target = tmp_path / "cuad3"
    (target / "texts").mkdir(parents=True)
    rows = [json.loads(line) for line in (cuad / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    kept = [row for row in rows if row["id"] in SAMPLE_IDS]
    for row in kept:
        shutil.copy(cuad / row["text_file"], target / row["text_file"])
    (target / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
    return target


def test_command_writes_predictions_summary_and_report(tiny_dataset: Path, tmp_path: Path, capsys):
    predictions = tmp_path / "out" / "predictions.jsonl"
    report = tmp_path / "report"
    assert command.main(["extraction", "--dataset", str(tiny_dataset), "--predictions", str(predictions),
                         "--report", str(report)]) == 0

    lines = predictions.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r.id for r in load_dataset(tiny_dataset)]
    for line in lines:
        record = json.loads(line)
        text = (tiny_dataset / "texts" / f"{record['id']}.txt").read_text(encoding="utf-8")
        assert set(record["fields"]) <= set(FOCUS_FIELDS)
        assert record["fields"], "every sample contract has at least one focus field to find"
        for entry in record["fields"].values():
            assert set(entry) == {"value", "quote", "start", "end"}
            assert text[entry["start"]:entry["end"]] == entry["quote"]
            assert len(entry["quote"].split()) >= 3

    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["contracts"] == 3
    assert [f["field"] for f in summary["fields"]] == FOCUS_FIELDS
    assert summary["values_with_verbatim_quote"] == summary["values_emitted"] > 0
    html = (report / "index.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Governing Law" in html
    assert "macro F1" in capsys.readouterr().out


def test_command_rejects_a_directory_without_labels(tmp_path: Path, capsys):
    code = command.main(["extraction", "--dataset", str(tmp_path), "--predictions", str(tmp_path / "p.jsonl")])
    assert code == 2
    assert "labels.jsonl" in capsys.readouterr().err


def _write_labels(directory: Path, rows: list[dict]) -> None:
    (directory / "texts").mkdir(parents=True, exist_ok=True)
    for row in rows:
        (directory / "texts" / f"{row['id']}.txt").write_text("text", encoding="utf-8")
    (directory / "labels.jsonl").write_text(
        "".join(json.dumps({"id": r["id"], "text_file": f"texts/{r['id']}.txt",
                            "labels": {k: {"answer": v} for k, v in r["answers"].items()}}) + "\n" for r in rows),
        encoding="utf-8")


def _field(value) -> dict:
    return {"value": value, "quote": "a quote here", "start": 0, "end": 12}


def test_scoring_arithmetic_on_hand_made_labels(tmp_path: Path):
    _write_labels(tmp_path, [
        {"id": "a", "answers": {"Governing Law": "Province of Ontario, Canada", "Agreement Date": "5/8/14",
                                "Renewal Term": "successive 1 year", "Cap On Liability": "Yes",
                                "Parties": 'Acme Widgets, Inc. ("Acme"); Beta Corp ("Beta"); Acme and Beta '
                                           '(each a "Party")'}},
        {"id": "b", "answers": {"Governing Law": "Texas", "Agreement Date": "[]/[]/2020",
                                "Notice Period To Terminate Renewal": "30 days", "Cap On Liability": "No",
                                "Expiration Date": "Perpetual"}},
    ])
    contracts = load_dataset(tmp_path)
    predictions = [
        Prediction(id="a", fields={"Governing Law": _field("Ontario, Canada"), "Agreement Date": _field("2014-05-08"),
                                   "Renewal Term": _field("P12M"), "Cap On Liability": _field(True),
                                   "Parties": _field(["ACME WIDGETS INC.", "Gamma LLC"])}),
        Prediction(id="b", fields={"Governing Law": _field("Delaware"), "Agreement Date": _field("2020-03-01"),
                                   "Notice Period To Terminate Renewal": _field("P1M"),
                                   "Cap On Liability": _field(True), "Expiration Date": _field("perpetual")}),
    ]
    totals = score(contracts, predictions)
    as_tuple = {field: (c.tp, c.fp, c.fn) for field, c in totals.items()}
    assert as_tuple["Governing Law"] == (1, 1, 1)       # Delaware is wrong: a false positive and a false negative
    assert as_tuple["Agreement Date"] == (2, 0, 0)      # the redacted day and month match anything
    assert as_tuple["Renewal Term"] == (1, 0, 0)        # P12M == 1 year
    assert as_tuple["Notice Period To Terminate Renewal"] == (0, 1, 1)  # one month is not 30 days
    assert as_tuple["Cap On Liability"] == (1, 1, 0)    # "No" is not a gold value
    assert as_tuple["Expiration Date"] == (1, 0, 0)
    assert as_tuple["Parties"] == (1, 1, 1)             # Beta missed, Gamma extra, the collective item ignored
    assert as_tuple["Effective Date"] == (0, 0, 0)
    summary = summarise(contracts, predictions, characters=8, seconds=0.0)
    law = next(f for f in summary.fields if f.field == "Governing Law")
    assert (law.precision, law.recall, law.f1) == (0.5, 0.5, 0.5)


@pytest.mark.parametrize(("field", "answer", "value", "expected"), [
    ("Renewal Term", "2 successive 10 years", "P10Y", (1, 0, 0)),
    ("Renewal Term", "0.5 year", "P6M", (1, 0, 0)),
    ("Renewal Term", "successive 12 months; successive 6 months;", "P6M", (1, 0, 0)),
    ("Renewal Term", "perpetual", "P1Y", (0, 1, 1)),
    ("Expiration Date", "7/31/19", "2019-07-31", (1, 0, 0)),
    ("Expiration Date", "7/31/99", "2099-07-31", (0, 1, 1)),
    ("Effective Date", None, "2019-07-31", (0, 1, 0)),
    ("Expiration Date", "31/01/2025", "2025-01-31", (1, 0, 0)),
    ("Agreement Date", "[]/[]/2004", "2004", (1, 0, 0)),
    ("Agreement Date", "02/[]/2017", "2017-02", (1, 0, 0)),
    ("Agreement Date", "[]/[]/2017", "2017-02", (1, 0, 0)),
    ("Agreement Date", "02/14/2017", "2017-02", (0, 1, 1)),
    ("Agreement Date", "[]/[]/2004", "2005", (0, 1, 1)),
    ("Governing Law", "England, United Kingdom; Wales, United Kingdom", "England, United Kingdom", (1, 0, 0)),
    ("Governing Law", "Federal Republic of Germany", "Germany", (1, 0, 0)),
    ("Governing Law", "Delaware, Illinois", "Illinois", (1, 0, 0)),
    # An item that only restates the collective ("each a Party") names nobody: one gold party, not two.
    ("Parties", 'Acme Robotics Inc ("Acme"); each a "Party"', ["Acme Robotics"], (1, 0, 0)),
    ("Parties", 'Acme Robotics Inc; individually as a "Party"; Borealis GmbH', ["Acme Robotics"], (1, 0, 1)),
])
def test_gold_normalisation(field, answer, value, expected):
    counts = score_field(field, answer, _field(value))
    assert (counts.tp, counts.fp, counts.fn) == expected


def test_model_engine_end_to_end_through_a_local_openai_stub(tiny_dataset: Path, tmp_path: Path, openai_stub,
                                                             monkeypatch, capsys):
    from core.settings import get_settings
    from tests.support.openai_stub import tool_call

    answer = {name: None for name in ["agreement_date", "effective_date", "expiration_date", "initial_term",
                                      "renewal_term", "automatic_renewal", "notice_period_to_terminate_renewal",
                                      "liability_cap", "termination_for_convenience", "payment_terms_net_days"]}
    answer |= {"parties": [],
               "governing_law": {"value": "California", "quote": "the laws of the State of California"},
               "expiration_date": {"value": "2031-01-01", "quote": "This Agreement expires on January 1, 2031."}}
    # Told once per contract that the expiry quote is not there, the model insists: two requests each.
    openai_stub.script(*[tool_call("ReportTerms", answer)] * (2 * len(SAMPLE_IDS)))
    monkeypatch.setenv("OPENAI_BASE_URL", openai_stub.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    get_settings.cache_clear()
    predictions = tmp_path / "model.jsonl"
    try:
        assert command.main(["extraction", "--dataset", str(tiny_dataset), "--predictions", str(predictions),
                             "--engine", "model"]) == 0
    finally:
        get_settings.cache_clear()

    records = {json.loads(line)["id"]: json.loads(line)["fields"] for line in predictions.read_text().splitlines()}
    law = records["cuad433"]["Governing Law"]
    text = (tiny_dataset / "texts" / "cuad433.txt").read_text(encoding="utf-8")
    assert law["value"] == "California" and text[law["start"]:law["end"]] == law["quote"]
    assert all("Expiration Date" not in fields for fields in records.values()), "fabricated quote kept"
    assert len(openai_stub.requests) == 2 * len(SAMPLE_IDS)


def test_model_engine_without_a_model_exits_2(tiny_dataset: Path, tmp_path: Path, monkeypatch, capsys):
    from core.settings import get_settings

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        assert command.main(["extraction", "--dataset", str(tiny_dataset), "--predictions",
                             str(tmp_path / "p.jsonl"), "--engine", "model"]) == 2
    finally:
        get_settings.cache_clear()
    assert "OPENAI_BASE_URL" in capsys.readouterr().err


def test_kleister_scorer_runs_the_engine_on_a_tiny_split(tmp_path: Path, capsys):
    import lzma

    from evals.extraction import kleister

    text = ("MUTUAL NONDISCLOSURE AGREEMENT\\nThis Agreement is made as of May 20, 2014 by and between Acme Widgets, "
            "Inc., a Delaware corporation (\\u201cAcme\\u201d), and Beta Retail LLC (\\u201cBeta\\u201d).\\n\\n"
            "1. Term. This Agreement shall remain in effect for a period of two (2) years.\\n\\n"
            "2. Governing Law. This Agreement shall be governed by the laws of the State of New York.")
    split = tmp_path / "dev-0"
    split.mkdir()
    with lzma.open(split / "in.tsv.xz", "wt", encoding="utf-8") as handle:
        handle.write("\t".join(["a.pdf", "effective_date jurisdiction party term", "", "", "", text]) + "\n")
    (split / "expected.tsv").write_text("effective_date=2014-05-20 jurisdiction=New_York party=Acme_Widgets_Inc. "
                                        "party=Beta_Retail_LLC term=24_months\n", encoding="utf-8")
    assert kleister.main(["--data", str(tmp_path), "--split", "dev-0"]) == 0
    rows = {line[:16].strip(): line.split() for line in capsys.readouterr().out.splitlines() if line}
    for field in ["party", "effective_date", "jurisdiction", "term"]:
        assert rows[field][-3:] == (["2", "0", "0"] if field == "party" else ["1", "0", "0"]), rows[field]
