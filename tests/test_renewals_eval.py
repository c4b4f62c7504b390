"""`contractloop eval renewals` end to end on a tiny synthetic CUAD-layout dataset, and the gold rules by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from evals.renewals import command
from evals.renewals.gold import gold_schedule
from evals.renewals.predict import ScheduleLine
from evals.renewals.scoring import score

AS_OF = date(2026, 12, 1)
RENEWING = ("MASTER SUPPLY AGREEMENT\n\nThis Master Supply Agreement (the \"Agreement\") is entered into as of "
            "January 1, 2020 (the \"Effective Date\") by and between Acme Widgets, Inc., a Delaware corporation "
            "(\"Acme\"), and Beta Tools LLC, a California limited liability company (\"Beta\").\n\n"
            "1. Term. The initial term of this Agreement shall commence on the Effective Date and shall expire on "
            "December 31, 2021 (the \"Initial Term\"). Thereafter, this Agreement shall automatically renew for "
            "successive one (1) year terms unless either party gives the other written notice of non-renewal at "
            "least sixty (60) days prior to the end of the then-current term.\n\n"
            "2. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.\n")
UNDATED = ("SERVICES AGREEMENT\n\nThe parties agree that the services described below shall be performed with "
           "care.\n\n1. Governing Law. This Agreement shall be governed by the laws of the State of New York.\n")
RENEWING_GOLD = {"Expiration Date": "12/31/21", "Renewal Term": "successive 1 year",
                 "Notice Period To Terminate Renewal": "60 days", "Effective Date": "1/1/20"}
KEYS = {"id", "term_end", "auto_renews", "renewal_term", "notice_period", "renewal_date", "notice_deadline",
        "needs_review"}


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """Three contracts: a renewal read right, the same text whose gold notice period differs (a wrong deadline),
    and one with no term at all."""
    target = tmp_path / "renew3"
    (target / "texts").mkdir(parents=True)
    rows = [("right", RENEWING, RENEWING_GOLD),
            ("wrong", RENEWING, RENEWING_GOLD | {"Notice Period To Terminate Renewal": "90 days"}),
            ("undated", UNDATED, {})]
    for contract_id, text, _ in rows:
        (target / "texts" / f"{contract_id}.txt").write_text(text, encoding="utf-8")
    (target / "labels.jsonl").write_text("".join(
        json.dumps({"id": i, "text_file": f"texts/{i}.txt",
                    "labels": {name: {"present": True, "answer": answer} for name, answer in gold.items()}}) + "\n"
        for i, _, gold in rows), encoding="utf-8")
    return target


def _run(dataset: Path, out: Path, *extra: str) -> list[dict]:
    assert command.main(["renewals", "--dataset", str(dataset), "--as-of", AS_OF.isoformat(),
                         "--predictions", str(out / "p.jsonl"), "--report", str(out), *extra]) == 0
    return [json.loads(line) for line in (out / "p.jsonl").read_text(encoding="utf-8").splitlines()]


def test_command_writes_schedules_and_scores_them(tiny_dataset: Path, tmp_path: Path, capsys):
    lines = _run(tiny_dataset, tmp_path / "shipped")
    assert [line["id"] for line in lines] == ["right", "wrong", "undated"]
    assert all(set(line) == KEYS for line in lines)
    right = lines[0]
    assert right == {"id": "right", "term_end": "2021-12-31", "auto_renews": True, "renewal_term": "P1Y",
                     "notice_period": "P60D", "renewal_date": "2026-12-31", "notice_deadline": "2026-11-01",
                     "needs_review": True}  # the shipped cuts never write an expiration date unreviewed
    assert lines[2] | {"needs_review": None} == {"id": "undated", "term_end": None, "auto_renews": False,
                                                 "renewal_term": None, "notice_period": None, "renewal_date": None,
                                                 "notice_deadline": None, "needs_review": None}
    assert lines[2]["needs_review"] is True  # no expiration date: the policy sends it to review

    figures = json.loads((tmp_path / "shipped" / "summary.json").read_text())["datasets"][str(tiny_dataset)]
    assert figures["renewal_date"] == {"right": 2, "counted": 2, "missed": 0, "spurious": 0, "different": 0,
                                            "neither": 1, "gold_unknown": 0}
    # gold for "wrong": 2026-12-31 - 90 days = 2026-10-02; predicted 2026-11-01
    assert figures["notice_deadline"] == {"right": 1, "counted": 2, "missed": 0, "spurious": 0, "different": 1,
                                          "neither": 1, "gold_unknown": 0}
    assert figures["unreviewed_deadline"] == {"right": 0, "written": 0, "gold_unknown": 0}
    out = capsys.readouterr().out
    assert "| notice deadline accuracy | 1 / 2 | 0.500 |" in out
    assert "| deadlines written without review: precision | 0 / 0 | n/a |" in out


def test_one_cut_for_every_field_lets_deadlines_through_and_measures_them(tiny_dataset: Path, tmp_path: Path,
                                                                          capsys):
    lines = _run(tiny_dataset, tmp_path / "cut", "--auto-write-confidence", "0.5")
    assert [line["needs_review"] for line in lines] == [False, False, True]
    figures = json.loads((tmp_path / "cut" / "summary.json").read_text())["datasets"][str(tiny_dataset)]
    assert figures["unreviewed_deadline"] == {"right": 1, "written": 2, "gold_unknown": 0}
    assert "| deadlines written without review: precision | 1 / 2 | 0.500 |" in capsys.readouterr().out


def _line(contract_id: str, **values) -> ScheduleLine:
    base = {"term_end": None, "auto_renews": False, "renewal_term": None, "notice_period": None,
            "renewal_date": None, "notice_deadline": None, "needs_review": False}
    return ScheduleLine(id=contract_id, **(base | values))


def test_gold_rules():
    g = gold_schedule("a", RENEWING_GOLD, AS_OF)
    assert g.auto_renews and g.renewal_known and g.deadline_known
    assert [(s.renewal_date, s.notice_deadline) for s in g.schedules] == [(date(2026, 12, 31), date(2026, 11, 1))]
    # an option to renew is a CUAD renewal term too: it counts as auto-renewing
    assert gold_schedule("b", {"Expiration Date": "8/1/22", "Renewal Term": "3 years"}, AS_OF).auto_renews
    # no renewal term answer: a fixed term; expired
    fixed = gold_schedule("c", {"Expiration Date": "8/1/22"}, AS_OF)
    assert (fixed.auto_renews, fixed.schedules[0].kind, fixed.schedules[0].renewal_date) == (False, "fixed_term", None)
    # "perpetual" renewal: evergreen; "perpetual" expiry: no renewal date
    assert gold_schedule("d", {"Expiration Date": "6/1/99", "Renewal Term": "perpetual"},
                         AS_OF).schedules[0].kind == "evergreen"
    assert gold_schedule("e", {"Expiration Date": "perpetual", "Renewal Term": "successive 1 year"},
                         AS_OF).schedules[0].kind == "perpetual"
    # redactions make a date unknown, not absent
    assert not gold_schedule("f", {"Expiration Date": "[]/[]/2001"}, AS_OF).renewal_known
    past_redacted = gold_schedule("g", {"Expiration Date": "12/10/20", "Renewal Term": "successive []"}, AS_OF)
    assert not past_redacted.renewal_known and not past_redacted.deadline_known
    future_redacted = gold_schedule("h", {"Expiration Date": "12/10/27", "Renewal Term": "successive []",
                                          "Notice Period To Terminate Renewal": "[]"}, AS_OF)
    assert future_redacted.renewal_known and not future_redacted.deadline_known
    # alternatives: one schedule per combination, any may match
    two = gold_schedule("i", {"Expiration Date": "6/1/01", "Renewal Term": "successive 12 months; successive 6 months;",
                              "Notice Period To Terminate Renewal": "6 months; 12 months"}, AS_OF)
    assert len(two.schedules) == 4
    assert {s.renewal_date for s in two.schedules} == {date(2027, 6, 1), date(2026, 12, 1)}


def test_scores_by_hand_within_three_days_and_the_denominators():
    golds = [gold_schedule(i, RENEWING_GOLD, AS_OF) for i in ("near", "far", "missed", "spurious-free")]
    golds.append(gold_schedule("none", {}, AS_OF))
    golds.append(gold_schedule("spurious", {}, AS_OF))
    lines = [_line("near", renewal_date=date(2027, 1, 3), notice_deadline=date(2026, 11, 4), auto_renews=True),
             _line("far", renewal_date=date(2027, 1, 4), notice_deadline=date(2026, 10, 1), auto_renews=True),
             _line("missed"), _line("spurious-free", renewal_date=date(2026, 12, 31), needs_review=True),
             _line("none"), _line("spurious", renewal_date=date(2027, 5, 1), notice_deadline=date(2027, 4, 1))]
    f = score(golds, lines)
    assert (f.renewal_date.right, f.renewal_date.counted, f.renewal_date.different, f.renewal_date.missed,
            f.renewal_date.spurious, f.renewal_date.neither) == (2, 5, 1, 1, 1, 1)
    assert (f.notice_deadline.right, f.notice_deadline.counted, f.notice_deadline.missed,
            f.notice_deadline.neither) == (1, 5, 2, 1)
    # written unreviewed: near (right), far (wrong), spurious (wrong); "spurious-free" has no deadline
    assert (f.unreviewed_deadline.right, f.unreviewed_deadline.written) == (1, 3)
    assert f.auto_renews_agree == 4  # near, far, and the two whose gold and prediction both do not renew
