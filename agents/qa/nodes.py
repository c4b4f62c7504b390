"""The Q&A specialist's node: answer the thread's question, or hand its last question to Legal.

A thread is one conversation of one asker, so the previous turn in the state is this asker's: a follow-up
that names no contract reads the contract the last answer came from (if the asker may still see it). With a
model configured the extractive answer is rewritten by the model and checked (`model_answer.py`).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.qa.answering import answer_for
from agents.qa.escalation import EscalationRefused, escalation_plan, send_escalation
from agents.qa.known_people import contract_known_values
from agents.qa.model_answer import model_answer
from agents.qa.store import contract_qa
from runtime import context as services
from runtime.context import Context
from runtime.state import QuestionTurn, RunState


def answer_question(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    task = state.task
    assert task.asked_by and task.conversation_id
    if task.escalate:
        return _escalate(state, runtime)
    assert task.question
    qa = contract_qa(runtime.context)
    previous = state.qa.answer.contract.doc if state.qa and state.qa.answer.contract else None
    answer = answer_for(qa, services.salesforce(runtime.context), task.question, task.asked_by,
                        task.record_id, previous)
    notes: list[str] = []
    model = services.model(runtime.context)
    stored = qa.store.get(answer.contract.doc) if model is not None and answer.contract else None
    if model is not None and stored is not None:
        # the vault again, now knowing the contract's people as Salesforce holds them
        known = contract_known_values(services.salesforce(runtime.context), answer.contract)
        answer, notes = model_answer(services.model(runtime.context, known=known) or model, answer,
                                     stored.document())
    where = f" from {answer.contract.name or answer.contract.doc}" if answer.contract else ""
    log = f"qa: {answer.outcome}{where} ({answer.category}, {len(answer.citations)} citation(s), {answer.engine})"
    return {"qa": QuestionTurn(event_id=task.event_id, answer=answer, model_notes=notes), "status": "completed",
            "log": [log + (f"; {'; '.join(notes)}" if notes else "")]}


def _escalate(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    task = state.task
    assert task.asked_by and task.conversation_id
    if state.qa is None:
        return {"status": "failed", "error": "nothing was asked in this conversation to escalate",
                "log": ["qa: escalation refused, no question in this conversation"]}
    plan = escalation_plan(state.qa.answer, task.asked_by, task.conversation_id, state.correlation_id,
                           legal_owner_id=services.approver_user(runtime.context, "legal"))
    try:
        result = send_escalation(services.salesforce(runtime.context), plan, state.qa.answer,
                                 task.conversation_id)[0]
    except EscalationRefused as refused:  # read_only: the asker is told why (GraphQuestions raises it again)
        turn = state.qa.model_copy(update={"event_id": task.event_id, "escalation_refusal": refused.reason})
        return {"status": "completed", "refusals": [refused.reason], "qa": turn,
                "log": [f"qa: escalation not written ({refused.reason})"]}
    if result.id is None:
        return {"status": "failed", "error": f"Salesforce returned no Task id for the escalation ({result.status})",
                "log": [f"qa: escalation not written ({result.status})"]}
    answer = state.qa.answer.model_copy(update={"escalation_task_id": result.id})
    return {"qa": state.qa.model_copy(update={"event_id": task.event_id, "answer": answer,
                                               "escalation_refusal": None}), "status": "completed",
            "log": [f"qa: escalated to Legal as Task {result.id}"]}


def build_contract_answerer() -> Any:
    return answer_question
