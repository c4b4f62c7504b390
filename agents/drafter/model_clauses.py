"""Clause drafting with a model: a tool-calling agent grounded in the playbook index.

The model reads the deal and searches the playbook through read-only tools, and answers with `SubmitClauses`.
It may only use clause positions that `search_playbook` returned to it and must quote the request it answers
verbatim from the special terms; anything else is refused (after one correction) and the approved offline
text is used instead, so a model can improve wording but never smuggle in terms.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from agents.agent_tools.opportunity_reads import describe_fields, read_opportunity
from agents.agent_tools.playbook_search import retrieved_clause_ids, search_playbook
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.drafter import CLAUSE_DRAFTER_SYSTEM, CLAUSE_DRAFTER_TASK
from agents.quoted_data import as_data
from playbook_store.loader import load_clause_library
from playbook_store.models import ClauseChoice, DealFacts, TemplateSelection
from runtime.state import DraftedClause
from tools.salesforce.client import SalesforceClient
from tools.salesforce.models import OpportunityBundle


class SubmittedClause(BaseModel):
    clause_id: str = Field(description="A clause id returned by search_playbook.")
    request: str = Field(description="The verbatim fragment of the special terms this clause answers.")
    text: str = Field(description="The clause language for the contract.", max_length=4000)
    exceeds_playbook: bool = False


class SubmitClauses(BaseModel):
    """Submit the drafted clauses (one per request) and finish."""

    clauses: list[SubmittedClause] = Field(min_length=1, max_length=12)


def clause_drafter(model: BaseChatModel) -> Specialist[SubmitClauses]:
    return Specialist(name="clause_drafter", model=model,
                      tools=[read_opportunity, search_playbook, describe_fields],
                      answer_schema=SubmitClauses, system_prompt=CLAUSE_DRAFTER_SYSTEM)


def draft_clauses_with_model(
    model: BaseChatModel,
    salesforce: SalesforceClient | None,
    bundle: OpportunityBundle,
    facts: DealFacts,
    selection: TemplateSelection | None,
    choices: Sequence[ClauseChoice],
) -> tuple[list[DraftedClause] | None, list[str]]:
    """(drafted clauses, notes). None when the model's answer cannot be trusted, with the reasons."""
    task = CLAUSE_DRAFTER_TASK.format(
        opportunity=as_data(bundle.name), account=as_data(bundle.account.name),
        template=" + ".join(selection.template_keys) if selection else "?",
        special_terms=as_data(facts.special_terms))
    special_terms = facts.special_terms or ""

    def check(answer: SubmitClauses, messages: Sequence[BaseMessage]) -> list[str]:
        return clause_problems(answer, special_terms, retrieved_clause_ids(messages))

    checked = run_checked(clause_drafter(model), task, ToolContext(salesforce=salesforce, opportunity_id=bundle.id),
                          check)
    if checked.answer is None:
        return None, checked.problems
    notes = ["accepted after one correction"] if checked.rounds > 1 else []
    return drafted_from(checked.answer), notes


def clause_problems(submitted: SubmitClauses, special_terms: str, retrieved: set[str]) -> list[str]:
    """Why the submission cannot be used: clause ids not in the playbook or not retrieved, requests not quoted."""
    known = {position.id for _, position in load_clause_library().all_positions()}
    normalized_terms = " ".join(special_terms.split()).lower()
    problems = []
    for clause in submitted.clauses:
        if clause.clause_id not in known:
            problems.append(f"{clause.clause_id} is not a playbook clause")
        elif clause.clause_id not in retrieved:
            problems.append(f"{clause.clause_id} was not retrieved by search_playbook")
        if " ".join(clause.request.split()).lower() not in normalized_terms:
            problems.append(f"request {clause.request!r} is not quoted from the special terms")
        if not clause.text.strip():
            problems.append(f"{clause.clause_id} has no text")
    return problems


def drafted_from(submitted: SubmitClauses) -> list[DraftedClause]:
    known = {position.id: position for _, position in load_clause_library().all_positions()}
    return [DraftedClause(clause_id=c.clause_id, version=known[c.clause_id].version, request=c.request,
                          text=c.text.strip(), engine="model", exceeds_playbook=c.exceeds_playbook)
            for c in submitted.clauses]


def negotiated_text(drafted: Sequence[DraftedClause]) -> str:
    """The negotiatedClauses attribute: lettered paragraphs (sources stay in the draft's metadata)."""
    library = load_clause_library()
    family_of = {position.id: library.families[ctype].title for ctype, position in library.all_positions()}
    if not drafted:
        return "None."
    return "\n".join(
        f"({chr(ord('a') + i)}) {family_of.get(c.clause_id, 'Special term')}. {c.text}"
        for i, c in enumerate(drafted)
    )
