"""Clause drafting with a model: a small tool-calling loop grounded in the playbook index.

The model may only use clause positions that `search_playbook` returned to it, must quote the request it
answers verbatim from the special terms, and finishes with `submit_clauses`. Anything else is refused and
the approved offline text is used instead, so a model can improve wording but never smuggle in terms.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel, ConfigDict, Field

from agents.prompts.drafter import CLAUSE_DRAFTER_SYSTEM, CLAUSE_DRAFTER_TASK
from agents.tool_names import tool_name
from playbook_store.loader import load_clause_library
from playbook_store.models import ClauseChoice, DealFacts, TemplateSelection
from runtime.state import DraftedClause
from tools.salesforce.models import OpportunityBundle

MAX_STEPS = 6


# Tool names are the schemas' titles: the prompt names the tools as bound (snake_case), not as the classes.
class SearchPlaybook(BaseModel):
    """Search the approved clause library; returns clause ids, titles and texts."""

    model_config = ConfigDict(title="search_playbook")

    query: str = Field(description="The request in plain words, e.g. 'liability cap of two times fees'.")


class SubmittedClause(BaseModel):
    clause_id: str = Field(description="A clause id returned by search_playbook.")
    request: str = Field(description="The verbatim fragment of the special terms this clause answers.")
    text: str = Field(description="The clause language for the contract.", max_length=4000)
    exceeds_playbook: bool = False


class SubmitClauses(BaseModel):
    """Submit the drafted clauses (one per request) and finish."""

    model_config = ConfigDict(title="submit_clauses")

    clauses: list[SubmittedClause] = Field(min_length=1, max_length=12)


@lru_cache(maxsize=1)
def _index() -> Any:
    from playbook_store.index import PlaybookIndex

    return PlaybookIndex.open()


def _search(query: str) -> list[dict[str, Any]]:
    return [hit.model_dump(include={"clause_id", "version", "title", "text"}) for hit in _index().search(query, k=3)]


def draft_clauses_with_model(
    model: BaseChatModel,
    bundle: OpportunityBundle,
    facts: DealFacts,
    selection: TemplateSelection | None,
    choices: Sequence[ClauseChoice],
) -> tuple[list[DraftedClause] | None, list[str]]:
    """(drafted clauses, notes). None when the model's answer cannot be trusted."""
    bound = model.bind_tools([SearchPlaybook, SubmitClauses])
    messages: list[Any] = [
        SystemMessage(CLAUSE_DRAFTER_SYSTEM),
        HumanMessage(CLAUSE_DRAFTER_TASK.format(
            opportunity=bundle.name, account=bundle.account.name,
            template=" + ".join(selection.template_keys) if selection else "?",
            special_terms=facts.special_terms)),
    ]
    retrieved: set[str] = set()
    for _ in range(MAX_STEPS):
        reply = bound.invoke(messages)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            return None, ["the model answered without calling submit_clauses"]
        messages.append(reply)
        for call in reply.tool_calls:
            if call["name"] == tool_name(SubmitClauses):
                return _accept(call["args"], facts.special_terms, retrieved)
            if call["name"] == tool_name(SearchPlaybook):
                hits = _search(SearchPlaybook.model_validate(call["args"]).query)
                retrieved.update(h["clause_id"] for h in hits)
                content = json.dumps(hits)
            else:
                content = f"unknown tool {call['name']}"
            messages.append(ToolMessage(content=content, tool_call_id=call["id"]))
    return None, [f"the model did not submit clauses within {MAX_STEPS} steps"]


def _accept(args: dict[str, Any], special_terms: str, retrieved: set[str]) -> tuple[list[DraftedClause] | None,
                                                                                       list[str]]:
    try:
        submitted = SubmitClauses.model_validate(args)
    except ValueError as exc:
        return None, [f"submit_clauses did not validate: {exc}"]
    library = load_clause_library()
    known = {position.id: position for _, position in library.all_positions()}
    normalized_terms = " ".join(special_terms.split()).lower()
    problems = []
    drafted = []
    for clause in submitted.clauses:
        if clause.clause_id not in known:
            problems.append(f"{clause.clause_id} is not a playbook clause")
        elif clause.clause_id not in retrieved:
            problems.append(f"{clause.clause_id} was not retrieved by search_playbook")
        if " ".join(clause.request.split()).lower() not in normalized_terms:
            problems.append(f"request {clause.request!r} is not quoted from the special terms")
        if not clause.text.strip():
            problems.append(f"{clause.clause_id} has no text")
        if clause.clause_id in known:
            drafted.append(DraftedClause(clause_id=clause.clause_id, version=known[clause.clause_id].version,
                                         request=clause.request, text=clause.text.strip(), engine="model",
                                         exceeds_playbook=clause.exceeds_playbook))
    return (None, problems) if problems else (drafted, [])


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
