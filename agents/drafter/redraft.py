"""Keeping the clause language true to a reviewer's edit.

When a reviewer edits an attribute that a drafted clause states (payment terms, liability cap, renewal, SLA,
breach notice, confidentiality, governing law), the clause is chosen again for the new value: a standard value
drops the clause (the template body already says it), any other takes the approved position that allows it.
The negotiated-clauses text is rebuilt, so the contract never says net 45 in one section and net 30 in another.
"""

from __future__ import annotations

from typing import Any

from agents.drafter.terms import PARAMETER_ATTRIBUTES
from playbook_store.clause_choice import choose_clause, negotiated_clauses_text
from playbook_store.models import ClauseChoice, TermRequest, TextSpan
from runtime.state import Draft, DraftedClause

NEGOTIATED = "negotiatedClauses"


def redraft_for_edits(draft: Draft, edited: dict[str, Any], reviewer: str) -> tuple[Draft, list[str]]:
    """(draft with clauses re-chosen for the edited attributes of the primary document, notes)."""
    attribute_of = PARAMETER_ATTRIBUTES
    clause_key_of = {attr: key for key, attr in PARAMETER_ATTRIBUTES.items()}
    notes: list[str] = []
    choices: list[ClauseChoice] = []
    touched: set[str] = set()
    for choice in draft.clauses:
        attr = attribute_of.get((choice.request.clause_type, choice.request.parameter))
        if attr not in edited:
            choices.append(choice)
            continue
        touched.add(attr)
        again = choose_clause(choice.request.model_copy(update={"value": edited[attr], "unlimited": False}))
        if again.clause_id.endswith("-STD"):
            notes.append(f"{choice.clause_id} dropped: {attr} = {edited[attr]} is the standard position")
            continue
        notes.append(f"{choice.clause_id} -> {again.clause_id} for {attr} = {edited[attr]}")
        choices.append(again)
    for attr, value in edited.items():
        if attr in touched or attr not in clause_key_of:
            continue
        clause_type, parameter = clause_key_of[attr]
        request = TermRequest(clause_type=clause_type, parameter=parameter, value=value,
                              span=TextSpan(start=0, end=0, text=f"edited by {reviewer}: {attr} = {value}"))
        choices.append(choose_clause(request))
    stated = [c for c in choices if c.request.span.end > 0]
    kept_model = {c.clause_id for c in draft.drafted_clauses if c.engine == "model"} & {c.clause_id for c in stated}
    drafted = [c for c in draft.drafted_clauses if c.clause_id in kept_model] + [
        DraftedClause(clause_id=c.clause_id, version=c.clause_version, request=c.request.span.text, text=c.text,
                      exceeds_playbook=not c.within_playbook)
        for c in stated if c.clause_id not in kept_model]
    text = negotiated_clauses_text(stated)
    documents = []
    for document in draft.documents:
        if NEGOTIATED in document.attributes and touched:
            attributes = dict(document.attributes)
            attributes[NEGOTIATED] = attributes[NEGOTIATED].model_copy(
                update={"value": text, "source": f"re-drafted after the edit by {reviewer}"})
            document = document.model_copy(update={"attributes": attributes})
        documents.append(document)
    return draft.model_copy(update={"clauses": choices, "drafted_clauses": drafted, "documents": documents}), notes
