"""Risk review of a deal: which of its terms are risky, how risky, and the evidence for each finding.

Thresholds live in `rules/risk.yaml`; what each check means is in `playbook_store.risk_checks`.
"""

from __future__ import annotations

from playbook_store.loader import load_risk_rules
from playbook_store.models import DealFacts, Finding, RiskAssessment, TermRequest
from playbook_store.risk_checks import CHECKS
from playbook_store.special_terms import apply_requests, parse_special_terms


def assess_risk(facts: DealFacts, requests: list[TermRequest] | None = None) -> RiskAssessment:
    """Every finding for a deal, with evidence, and a 0-100 score.

    Special terms are parsed from `facts.special_terms` unless `requests` is given; they fill fields the
    structured facts leave empty, and their text spans become the evidence.
    """
    rules = load_risk_rules()
    if requests is None:
        requests = parse_special_terms(facts.special_terms)
    merged, spans = apply_requests(facts, requests)
    findings: list[Finding] = []
    for rule in rules.rules:
        params_model, check = CHECKS[rule.check]
        hit = check(merged, params_model.model_validate(rule.params), spans)
        if hit is not None:
            findings.append(
                Finding(
                    rule_id=rule.id,
                    severity=rule.severity,
                    title=rule.title,
                    message=rule.message.format(value=hit.value, limit=hit.limit),
                    evidence=hit.evidence,
                )
            )
    score = min(100, sum(rules.scoring[f.severity] for f in findings))
    return RiskAssessment(findings=findings, score=score)
