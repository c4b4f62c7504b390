"""The drafting eval: cases load, the runner scores real drafts from the sandbox, and a wrong expectation shows."""

from __future__ import annotations

from evals.drafting.cases import load_cases
from evals.drafting.runner import evaluate


def test_cases_cover_regions_templates_and_routes() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    assert {c.deal.region for c in cases} == {"NA", "EMEA", "APAC", "LATAM"}
    assert {t for c in cases for t in c.expect.templates} == {"msa", "order_form", "nda", "dpa"}
    assert {c.expect.route for c in cases} == {"auto_approve", "deal_desk", "legal"}


def test_runner_scores_drafts_and_catches_a_wrong_expectation() -> None:
    by_id = {c.id: c for c in load_cases()}
    chosen = [by_id[i] for i in ("na-expansion-small", "na-cap-3x", "emea-german-law-crm", "na-evaluation-nda")]
    wrong = chosen[0].model_copy(deep=True)
    wrong.id = "deliberately-wrong"
    wrong.expect.route = "legal"
    wrong.expect.attributes = {"paymentTermsDays": 90}
    wrong.expect.findings = ["RISK-TERM-OVER-36"]
    summary, scores = evaluate(cases=[*chosen, wrong])
    by_case = {s.case_id: s for s in scores}
    assert all(by_case[c.id].route_ok and by_case[c.id].template_ok and not by_case[c.id].attribute_misses
               for c in chosen)
    bad = by_case["deliberately-wrong"]
    assert not bad.route_ok and bad.attribute_misses and bad.findings_fn == ["RISK-TERM-OVER-36"]
    assert summary.route_accuracy == 4 / 5 and summary.finding_recall < 1.0
