"""The risk reviewer: playbook rules on the draft (deterministic), and with a model a note for the approver."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, Field

from agents.prompts.risk_reviewer import RISK_REVIEWER_SYSTEM, RISK_REVIEWER_TASK
from agents.risk_reviewer.draft_facts import facts_from_draft
from agents.tool_names import tool_name
from playbook_store.loader import load_risk_rules
from playbook_store.models import Evidence, Finding, RiskAssessment
from playbook_store.policy import decide_approval
from playbook_store.risk import assess_risk
from runtime import context as services
from runtime.context import Context
from runtime.state import Draft, RiskReview, RunState

MAX_STEPS = 4


# Tool names are the schemas' titles: the prompt names the tools as bound (snake_case), not as the classes.
class AssessDealRisk(BaseModel):
    """Apply the playbook's risk rules and approval policy to this draft."""

    model_config = ConfigDict(title="assess_deal_risk")


class SubmitReview(BaseModel):
    """Submit the note for the approver and finish."""

    model_config = ConfigDict(title="submit_review")

    note: str = Field(min_length=1, max_length=2000)


def assess(draft: Draft) -> tuple[RiskAssessment, Any]:
    """Findings on the draft as it will launch, plus drafted clauses that exceed the playbook."""
    facts = facts_from_draft(draft)
    assessment = assess_risk(facts, draft.requests)
    findings = list(assessment.findings)
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
    if len(findings) != len(assessment.findings):
        weights = load_risk_rules().scoring
        assessment = RiskAssessment(findings=findings, score=min(100, sum(weights[f.severity] for f in findings)))
    return assessment, decide_approval(facts, assessment, draft.clauses)


def review(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    assert state.draft is not None
    assessment, approval = assess(state.draft)
    narrative = None
    model = services.model(runtime.context)
    if model is not None:
        narrative = _narrate(model, state, assessment, approval)
    result = RiskReview(assessment=assessment, approval=approval, narrative=narrative)
    return {"review": result, "status": "reviewed",
            "log": [f"risk_reviewer: score {assessment.score}, {len(assessment.findings)} finding(s), "
                    f"route {approval.route}"]}


def _narrate(model: BaseChatModel, state: RunState, assessment: RiskAssessment, approval: Any) -> str | None:
    """A tool-calling turn: the model fetches the rule results and writes the approver's note."""
    assert state.draft is not None and state.bundle is not None
    draft = state.draft
    bound = model.bind_tools([AssessDealRisk, SubmitReview])
    messages: list[Any] = [
        SystemMessage(RISK_REVIEWER_SYSTEM),
        HumanMessage(RISK_REVIEWER_TASK.format(
            opportunity=state.bundle.name, account=state.bundle.account.name,
            template=" + ".join(d.template_key for d in draft.documents),
            value=f"{draft.facts.total_contract_value:,.2f} {draft.facts.currency}",
            clauses=[c.clause_id for c in draft.drafted_clauses] or "none")),
    ]
    for _ in range(MAX_STEPS):
        reply = bound.invoke(messages)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            return None
        messages.append(reply)
        for call in reply.tool_calls:
            if call["name"] == tool_name(SubmitReview):
                try:
                    return SubmitReview.model_validate(call["args"]).note
                except ValueError:
                    return None
            content = json.dumps({"assessment": assessment.model_dump(), "approval": approval.model_dump()}) \
                if call["name"] == tool_name(AssessDealRisk) else f"unknown tool {call['name']}"
            messages.append(ToolMessage(content=content, tool_call_id=call["id"]))
    return None
