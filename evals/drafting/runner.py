"""Run the drafter and risk reviewer over every case against a sandbox org, and print the figures.

Run: .venv/bin/contractloop eval drafting [--report DIR] [--engine offline|model]
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agents.drafter.graph import build_drafter
from agents.risk_reviewer.graph import build_risk_reviewer
from core.settings import settings_from
from evals.drafting.cases import Case, load_cases
from evals.drafting.scoring import CaseScore, score_attributes, score_findings, score_route, score_templates
from runtime.context import Context
from runtime.state import RunState, Task
from sandbox.ironclad.config import SandboxConfig as IroncladConfig
from sandbox.ironclad.server import IroncladSandbox
from sandbox.salesforce.deals import create_deal
from sandbox.salesforce.server import SalesforceSandbox
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient


class Summary(BaseModel):
    cases: int
    template_accuracy: float
    route_accuracy: float
    attribute_exactness: float
    finding_precision: float
    finding_recall: float
    finding_f1: float
    errors: int
    seconds: float


def run_case(case: Case, opportunity_id: str, ctx: Context, drafter: Any, reviewer: Any) -> CaseScore:
    state = RunState(task=Task(kind="draft_contract", event_id=uuid.uuid4().hex, opportunity_id=opportunity_id),
                     correlation_id=f"cl-eval-{case.id}")
    drafted = drafter.invoke(state, context=ctx)
    error = drafted.get("error")
    review = None
    if drafted.get("draft") is not None and not error:
        reviewed = reviewer.invoke(drafted, context=ctx)
        review = reviewed.get("review")
    draft = drafted.get("draft")
    exact, misses = score_attributes(case.expect, draft)
    tp, fp, fn = score_findings(case.expect, review)
    return CaseScore(case_id=case.id, template_ok=score_templates(case.expect, draft),
                     route_ok=score_route(case.expect, review), attributes_expected=len(case.expect.attributes),
                     attributes_exact=exact, attribute_misses=misses, findings_tp=tp, findings_fp=fp,
                     findings_fn=fn, error=error)


def summarise(scores: list[CaseScore], seconds: float) -> Summary:
    n = len(scores)
    tp = sum(s.findings_tp for s in scores)
    fp = sum(len(s.findings_fp) for s in scores)
    fn = sum(len(s.findings_fn) for s in scores)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    expected_attrs = sum(s.attributes_expected for s in scores)
    return Summary(
        cases=n,
        template_accuracy=sum(s.template_ok for s in scores) / n,
        route_accuracy=sum(s.route_ok for s in scores) / n,
        attribute_exactness=sum(s.attributes_exact for s in scores) / expected_attrs if expected_attrs else 1.0,
        finding_precision=precision,
        finding_recall=recall,
        finding_f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        errors=sum(1 for s in scores if s.error),
        seconds=seconds,
    )


def evaluate(model: Any = None, cases: list[Case] | None = None) -> tuple[Summary, list[CaseScore]]:
    cases = cases or load_cases()
    # Ironclad too: the drafter first asks it whether the deal already has a live agreement.
    with tempfile.TemporaryDirectory() as tmp, SalesforceSandbox(Path(tmp), opportunities=10) as org, \
            IroncladSandbox(IroncladConfig(db_path=Path(tmp) / "ironclad.sqlite")) as tenant:
        settings = settings_from({**org.env(), **tenant.env()})
        ctx = Context(salesforce=SalesforceClient.from_settings(settings),
                      ironclad=IroncladClient.from_settings(settings), model=model, offline=model is None)
        ids = {case.id: create_deal(org.store, case.deal) for case in cases}
        started = time.perf_counter()
        drafter, reviewer = build_drafter(), build_risk_reviewer()
        scores = [run_case(case, ids[case.id], ctx, drafter, reviewer) for case in cases]
        return summarise(scores, time.perf_counter() - started), scores


def print_report(summary: Summary, scores: list[CaseScore]) -> None:
    for s in scores:
        problems = []
        if s.error:
            problems.append(f"error: {s.error}")
        if not s.template_ok:
            problems.append("template")
        if not s.route_ok:
            problems.append("route")
        problems += s.attribute_misses
        if s.findings_fp:
            problems.append(f"unexpected findings {s.findings_fp}")
        if s.findings_fn:
            problems.append(f"missed findings {s.findings_fn}")
        print(f"  {'ok  ' if not problems else 'MISS'} {s.case_id}" + (f": {'; '.join(problems)}" if problems else ""))
    print(f"drafting eval: {summary.cases} cases in {summary.seconds:.1f} s")
    print(f"  template accuracy    {summary.template_accuracy:.3f}")
    print(f"  approval route acc.  {summary.route_accuracy:.3f}")
    print(f"  attribute exactness  {summary.attribute_exactness:.3f}")
    print(f"  findings precision   {summary.finding_precision:.3f}   recall {summary.finding_recall:.3f}   "
          f"F1 {summary.finding_f1:.3f}")
    print(f"  runs with errors     {summary.errors}")


def write_report(directory: Path, summary: Summary, scores: list[CaseScore]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "drafting_summary.json").write_text(json.dumps(
        {"summary": summary.model_dump(), "cases": [s.model_dump() for s in scores]}, indent=2))
