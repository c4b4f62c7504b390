"""The risk reviewer: playbook rules on the draft (deterministic), and with a model a note for the approver."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from agents.risk_reviewer.compliance_findings import compliance_findings, draft_compliance
from agents.risk_reviewer.draft_facts import facts_from_draft
from agents.risk_reviewer.narrative import narrate
from playbook_store.clause_match import MATCH_THRESHOLD, family_positions, match_clause
from playbook_store.loader import load_clause_library, load_risk_rules
from playbook_store.models import Evidence, Finding, RiskAssessment
from playbook_store.policy import decide_approval
from playbook_store.risk import assess_risk
from runtime import context as services
from runtime.context import Context
from runtime.state import Draft, DraftedClause, RiskReview, RunState
from tools.pii.known_values import known_values_of
from tools.text_hazards import describe, find_hazards, strings_in

# An attribute filled from Salesforce names its field ("Account.Name"); rules and the playbook name themselves.
_SALESFORCE_FIELD = re.compile(r"^[A-Za-z]\w*\.\w+")


def assess(draft: Draft, extra: list[Finding] | None = None) -> tuple[RiskAssessment, Any]:
    """Findings on the draft as it will launch, plus drafted clauses that exceed the playbook and `extra`
    findings (the required clauses the draft lacks)."""
    facts = facts_from_draft(draft)
    assessment = assess_risk(facts, draft.requests)
    findings = list(assessment.findings) + list(extra or [])
    seen = {f.rule_id for f in findings}
    for choice in draft.clauses:
        # An unsupported governing law is the law rules' finding; the draft keeps the region default.
        if choice.request.clause_type == "governing_law":
            continue
        if choice.finding is not None and choice.finding.rule_id not in seen:
            findings.append(choice.finding)
    for clause in draft.drafted_clauses:
        if clause.exceeds_playbook and clause.engine == "model":
            findings.append(Finding(rule_id="PLAYBOOK-EXCEEDED-MODEL", severity="high",
                                    title="Drafted clause exceeds the playbook",
                                    message=f"The drafter marked clause {clause.clause_id} as beyond approved terms.",
                                    evidence=[Evidence(field="special_terms", value=clause.request)]))
        findings += drafted_text_findings(clause)
    findings += crm_text_findings(draft)
    if len(findings) != len(assessment.findings):
        weights = load_risk_rules().scoring
        assessment = RiskAssessment(findings=findings, score=min(100, sum(weights[f.severity] for f in findings)))
    return assessment, decide_approval(facts, assessment, draft.clauses)


def drafted_text_findings(clause: DraftedClause) -> list[Finding]:
    """Model wording that does not hold to an approved position, and text no clause needs (instructions,
    links, markup, formulas), are high findings: the deal goes to a person, never auto-approved."""
    found: list[Finding] = []
    if clause.engine == "model":
        match = match_clause(clause.text, family_positions(load_clause_library(), clause.clause_id))
        if not match.matched:
            why = ([f"wording {match.similarity:.2f} similar to {match.position_id}, under {MATCH_THRESHOLD}"]
                   if match.similarity < MATCH_THRESHOLD else []) + \
                ([f"numbers no approved position allows: {', '.join(f'{n:g}' for n in match.unapproved_numbers)}"]
                 if match.unapproved_numbers else []) + (["a negation added or removed"] if match.negations_differ
                                                         else [])
            found.append(Finding(rule_id="MODEL-CLAUSE-UNAPPROVED", severity="high",
                                 title="Model-drafted clause is not approved language",
                                 message=f"Clause {clause.clause_id} as the model wrote it does not hold to the "
                                         f"playbook ({'; '.join(why)}).",
                                 evidence=[Evidence(field="negotiatedClauses", value=clause.text[:500])]))
    if hazards := find_hazards(clause.text):
        found.append(Finding(rule_id="DRAFT-TEXT-HAZARD", severity="high", title="Drafted text carries a hazard",
                             message=f"Clause {clause.clause_id} contains {describe(hazards)}.",
                             evidence=[Evidence(field="negotiatedClauses", value=clause.text[:500])]))
    return found


def crm_text_findings(draft: Draft) -> list[Finding]:
    """Instructions, links, markup or formulas in CRM text the draft carries (the special terms, and any
    template attribute a Salesforce field fills, and the Opportunity and Account names, which models read):
    someone should read it before launch."""
    texts = {"special_terms": draft.facts.special_terms or "", "Opportunity.Name": draft.facts.opportunity_name,
             "Account.Name": draft.facts.account_name}
    for document in draft.documents:
        for name, attribute in document.attributes.items():
            if _SALESFORCE_FIELD.match(attribute.source):
                texts.setdefault(f"{document.template_key}.{name}", "\n".join(strings_in(attribute.value)))
    findings = []
    for field, text in texts.items():
        if hazards := find_hazards(text):
            findings.append(Finding(
                rule_id="CRM-TEXT-HAZARD", severity="high", title="CRM text carries a hazard",
                message=f"{field} contains {describe(hazards)}; it was read as data, and a person should check "
                        "it before launch.",
                evidence=[Evidence(field=field, value=text[:500])]))
    return findings


def review(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    assert state.draft is not None and state.bundle is not None
    compliance = draft_compliance(state.bundle, state.draft)
    assessment, approval = assess(state.draft, compliance_findings(compliance))
    log = [f"risk_reviewer: score {assessment.score}, {len(assessment.findings)} finding(s), route {approval.route}"]
    if compliance.checks:
        log.append(f"risk_reviewer: compliance ({', '.join(compliance.profiles)}): {len(compliance.attested)} of "
                   f"{len(compliance.checks)} required clause(s) in the draft"
                   + "".join(f"; missing {b.clause}" for b in compliance.blocking))
    narrative = None
    model = services.model(runtime.context, known=known_values_of(state.bundle))
    if model is not None:
        narrative, notes = narrate(model, state.bundle, state.draft, assessment, approval)
        if notes:
            log.append(f"risk_reviewer: model note {'refused' if narrative is None else 'kept'} ({'; '.join(notes)})")
    result = RiskReview(assessment=assessment, approval=approval, narrative=narrative)
    return {"review": result, "status": "reviewed", "log": log}
