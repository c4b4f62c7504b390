"""Approval policy: auto-approve, deal desk or legal, with the reasons, from findings, value and clauses used."""

from __future__ import annotations

from collections.abc import Sequence

from playbook_store.loader import load_policy
from playbook_store.models import ApprovalDecision, ClauseChoice, DealFacts, RiskAssessment, Route


def decide_approval(
    facts: DealFacts, assessment: RiskAssessment, clause_choices: Sequence[ClauseChoice] = ()
) -> ApprovalDecision:
    """Legal if any high finding, a fallback clause needing legal, or TCV at or above the threshold; deal desk
    for medium findings or deal-desk fallbacks; otherwise auto-approve. Every reason that applies is listed."""
    policy = load_policy()
    legal: list[str] = []
    deal_desk: list[str] = []
    by_route = {"legal": legal, "deal_desk": deal_desk}

    for finding in assessment.findings:
        if finding.severity == "high":
            by_route[policy.high_severity_route].append(f"{finding.rule_id} (high): {finding.message}")
        elif finding.severity == "medium":
            by_route[policy.medium_severity_route].append(f"{finding.rule_id} (medium): {finding.message}")
    if facts.total_contract_value >= policy.legal_review_threshold:
        legal.append(
            f"Total contract value {facts.currency} {facts.total_contract_value:,.0f} is at or above the "
            f"{facts.currency} {policy.legal_review_threshold:,.0f} legal review threshold."
        )
    for choice in clause_choices:
        if choice.finding is not None:
            legal.append(f"{choice.finding.rule_id} (high): {choice.finding.message}")
        if choice.approval in by_route:
            by_route[choice.approval].append(
                f"Clause {choice.clause_id} ({choice.clause_title}) needs {choice.approval.replace('_', ' ')} approval."
            )

    route: Route = "legal" if legal else "deal_desk" if deal_desk else "auto_approve"
    if route == "auto_approve":
        return ApprovalDecision(
            route=route, approver_role=None, reasons=["Standard terms; no medium or high findings."]
        )
    reasons = legal + deal_desk  # legal sees the deal-desk points too
    return ApprovalDecision(route=route, approver_role=policy.routes[route].approver_role, reasons=reasons)
