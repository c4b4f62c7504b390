"""The drafter's steps: read the deal, decide the paper and terms, draft clauses, map attributes."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.drafter.existing_workflow import adopt_workflow, live_workflow
from agents.drafter.facts import FactsError, crm_requests, deal_facts
from agents.drafter.mapping import MappingError, MappingInput, map_attributes
from agents.drafter.model_clauses import draft_clauses_with_model, negotiated_text
from agents.drafter.state import DrafterState
from agents.drafter.terms import playbook_terms
from agents.drafter.validation import validate_attributes
from playbook_store.clause_choice import choose_clauses, negotiated_clauses_text
from playbook_store.selection import select_templates
from playbook_store.special_terms import apply_requests, parse_special_terms
from playbook_store.templates import load_templates
from runtime import context as services
from runtime.context import Context
from runtime.state import AttributeValue, Draft, DraftDocument, DraftedClause
from tools.pii.known_values import known_values_of

CONTRACTING = "Contracting"


def _fail(message: str) -> dict[str, Any]:
    return {"status": "failed", "error": message, "log": [f"drafter: {message}"]}


def read_bundle(state: DrafterState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One SOQL call: opportunity, account, contact roles, line items, primary quote; and one Ironclad
    lookup for an agreement already launched for it."""
    assert state.task.opportunity_id
    salesforce, ironclad = services.salesforce(runtime.context), services.ironclad(runtime.context)
    bundle = salesforce.read_opportunity_bundle(state.task.opportunity_id)
    existing = live_workflow(ironclad, bundle)
    if existing is not None:  # an earlier run (or a person) launched the agreement: never start a second one
        return adopt_workflow(salesforce, ironclad, bundle, existing, state.correlation_id)
    if bundle.stage != CONTRACTING:
        return _fail(f"Opportunity {bundle.id} is in stage {bundle.stage!r}, not {CONTRACTING!r}")
    return {"bundle": bundle, "log": [f"drafter: read {bundle.name} ({len(bundle.line_items)} line items, "
                                      f"{len(bundle.contacts)} contact roles) in one query"]}


def plan_terms(state: DrafterState) -> dict[str, Any]:
    """Deal facts, requested terms (CRM fields, then special terms), template choice, approved clauses."""
    assert state.bundle is not None
    try:
        base = deal_facts(state.bundle)
    except FactsError as exc:
        return _fail(str(exc))
    requests = crm_requests(base) + parse_special_terms(base.special_terms)
    facts, _ = apply_requests(base, requests)
    try:
        selection = select_templates(facts)
    except ValueError as exc:
        return _fail(str(exc))
    choices = choose_clauses(requests)
    return {
        "facts": facts, "requests": requests, "selection": selection, "clauses": choices,
        "log": [f"drafter: template {' + '.join(selection.template_keys)} by {', '.join(selection.rule_ids)}; "
                f"{len(requests)} term request(s), clauses {[c.clause_id for c in choices] or 'standard only'}"],
    }


def draft_clauses(state: DrafterState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Clause language for the special terms: the model grounded in retrieved clauses, or the approved text."""
    assert state.facts is not None and state.bundle is not None
    requested = [c for c in state.clauses if c.request.span.end > 0]  # special-terms requests, not CRM fields
    offline = [DraftedClause(clause_id=c.clause_id, version=c.clause_version, request=c.request.span.text,
                             text=c.text, exceeds_playbook=not c.within_playbook) for c in requested]
    offline_result = {"drafted_clauses": offline, "negotiated_text": negotiated_clauses_text(requested),
                      "engine": "offline"}
    model = services.model(runtime.context, known=known_values_of(state.bundle))
    if model is None or not requested:
        return offline_result
    drafted, notes = draft_clauses_with_model(model, services.salesforce(runtime.context), state.bundle,
                                              state.facts, state.selection, requested)
    if drafted is None:
        return {**offline_result,
                "log": [f"drafter: model draft refused ({'; '.join(notes)}); used the approved clause text"]}
    return {"drafted_clauses": drafted, "negotiated_text": negotiated_text(drafted), "engine": "model",
            "log": ["drafter: special terms drafted by the model from retrieved playbook clauses"
                    + (f" ({'; '.join(notes)})" if notes else "")]}


def map_to_templates(state: DrafterState) -> dict[str, Any]:
    """Attributes for every selected template, validated before anything can launch."""
    assert state.bundle and state.facts and state.selection
    terms = playbook_terms(state.facts, state.clauses)
    inputs = MappingInput(bundle=state.bundle, facts=state.facts, terms={k: v for k, (v, _) in terms.items()},
                          negotiated_clauses=state.negotiated_text or "None.")
    templates = load_templates()
    documents = []
    for key in state.selection.template_keys:
        template = templates[key]
        try:
            mapped = map_attributes(template, inputs)
        except (MappingError, ValueError) as exc:
            return _fail(str(exc))
        attributes = {
            name: AttributeValue(value=value, source=_source(name, src, terms))
            for name, (value, src) in mapped.items()
        }
        problems = validate_attributes(template, {k: a.value for k, a in attributes.items()})
        if problems:
            return _fail(f"{key} draft is invalid: {'; '.join(problems)}")
        documents.append(DraftDocument(template_key=key, template_id=template.id, attributes=attributes))
    draft = Draft(facts=state.facts, selection=state.selection, requests=state.requests, clauses=state.clauses,
                  drafted_clauses=state.drafted_clauses, documents=documents, engine=state.engine)
    return {"draft": draft, "status": "drafted",
            "log": [f"drafter: {len(documents)} document(s) mapped and validated"]}


def _source(name: str, mapped_source: str, terms: dict[str, tuple[Any, str]]) -> str:
    if mapped_source.startswith("playbook:") and name in terms:
        return f"playbook {terms[name][1]}"
    return mapped_source
