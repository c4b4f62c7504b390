"""One evaluator per criterion: template choice, approval route, attribute exactness, findings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from evals.drafting.cases import Expectation
from runtime.state import Draft, RiskReview


class CaseScore(BaseModel):
    case_id: str
    template_ok: bool
    route_ok: bool
    attributes_expected: int
    attributes_exact: int
    attribute_misses: list[str]
    findings_tp: int
    findings_fp: list[str]
    findings_fn: list[str]
    error: str | None = None


def same_value(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return abs(float(expected) - float(actual)) < 1e-6
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(same_value(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


def score_templates(expect: Expectation, draft: Draft | None) -> bool:
    return draft is not None and [d.template_key for d in draft.documents] == expect.templates


def score_route(expect: Expectation, review: RiskReview | None) -> bool:
    return review is not None and review.approval.route == expect.route


def score_attributes(expect: Expectation, draft: Draft | None) -> tuple[int, list[str]]:
    """(exact count, misses) over the expected attributes; `dpa.x` addresses an addendum."""
    documents = {d.template_key: d.launch_attributes() for d in draft.documents} if draft else {}
    primary = draft.primary.template_key if draft else ""
    exact, misses = 0, []
    for name, expected in expect.attributes.items():
        key, _, attr = name.rpartition(".")
        actual = documents.get(key or primary, {}).get(attr)
        if same_value(expected, actual):
            exact += 1
        else:
            misses.append(f"{name}: expected {expected!r}, got {actual!r}")
    return exact, misses


def score_findings(expect: Expectation, review: RiskReview | None) -> tuple[int, list[str], list[str]]:
    found = {f.rule_id for f in review.assessment.findings} if review else set()
    wanted = set(expect.findings)
    return len(found & wanted), sorted(found - wanted), sorted(wanted - found)
