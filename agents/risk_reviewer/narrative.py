"""The approver's note, written by a tool-calling model that reads the playbook's verdict and explains it.

The rules decide the findings, the score and the route; the model only explains them. A note that names a rule
the assessment did not raise, or that was written without reading the assessment, is refused (after one
correction) and the approver sees the rules' summary alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, ToolMessage
from pydantic import BaseModel, Field

from agents.agent_tools.deal_risk import assess_deal_risk
from agents.agent_tools.playbook_search import search_playbook
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.risk_reviewer import RISK_REVIEWER_SYSTEM, RISK_REVIEWER_TASK
from agents.quoted_data import as_data
from playbook_store.models import ApprovalDecision, RiskAssessment
from runtime.state import Draft
from tools.salesforce.models import OpportunityBundle

# How the playbook spells a rule id; a note may name only those the assessment raised.
RULE_ID = re.compile(r"\b(?:RISK|PLAYBOOK)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")


class SubmitReview(BaseModel):
    """Submit the note for the approver and finish."""

    note: str = Field(min_length=1, max_length=2000)


def risk_narrator(model: BaseChatModel) -> Specialist[SubmitReview]:
    return Specialist(name="risk_reviewer", model=model, tools=[assess_deal_risk, search_playbook],
                      answer_schema=SubmitReview, system_prompt=RISK_REVIEWER_SYSTEM)


def narrate(model: BaseChatModel, bundle: OpportunityBundle, draft: Draft, assessment: RiskAssessment,
            approval: ApprovalDecision) -> tuple[str | None, list[str]]:
    """(the note, notes on how it went). None when the note cannot be trusted."""
    task = RISK_REVIEWER_TASK.format(
        opportunity=as_data(bundle.name), account=as_data(bundle.account.name),
        template=" + ".join(d.template_key for d in draft.documents),
        value=f"{draft.facts.total_contract_value:,.2f} {draft.facts.currency}",
        clauses=[c.clause_id for c in draft.drafted_clauses] or "none")
    raised = {f.rule_id for f in assessment.findings}

    def check(answer: SubmitReview, messages: Sequence[BaseMessage]) -> list[str]:
        return note_problems(answer.note, raised, messages)

    checked = run_checked(risk_narrator(model), task, ToolContext(assessment=assessment, approval=approval), check)
    if checked.answer is None:
        return None, checked.problems
    return checked.answer.note.strip(), ["accepted after one correction"] if checked.rounds > 1 else []


def note_problems(note: str, raised: set[str], messages: Sequence[BaseMessage]) -> list[str]:
    problems = []
    if not any(isinstance(m, ToolMessage) and m.name == assess_deal_risk.name for m in messages):
        problems.append(f"the note was written without calling {assess_deal_risk.name}")
    invented = sorted(set(RULE_ID.findall(note)) - raised)
    if invented:
        problems.append(f"the note names rules the assessment did not raise: {', '.join(invented)}")
    return problems
