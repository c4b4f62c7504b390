"""`ContractQuestions` through the graph: each conversation of each asker is one LangGraph thread.

The question is a run of the `qa` specialist on that thread, so the conversation's turns are checkpointed
(a follow-up after a restart still knows the contract it was about), traced and visible in Studio like every
other run. Questions in one conversation queue on its thread (`enqueue`), so a quick follow-up reads the turn
before it. The asker is part of the thread's key: another person in the same Slack thread starts afresh and
never sees a contract through someone else's access.
"""

from __future__ import annotations

import uuid

from agents.qa.escalation import EscalationRefused
from api.thread_status import run_state_of
from api.threads import GRAPH_ID, Threads
from core.contract_answer import ContractAnswer
from core.salesforce_ids import id18
from runtime.state import QuestionTurn, Task

_QUESTION_THREAD_NS = uuid.UUID("2b7e4f0a-9c1d-4e5b-8a6f-3d2c1b0e9f87")


class UnansweredQuestion(RuntimeError):
    """The run ended without an answer (it failed, or the escalation had nothing to escalate)."""


def question_thread_id(conversation_id: str, asker_id: str) -> str:
    return str(uuid.uuid5(_QUESTION_THREAD_NS, f"{conversation_id}\n{id18(asker_id) or asker_id}"))


class GraphQuestions:
    def __init__(self, threads: Threads) -> None:
        self._threads = threads

    async def answer(self, question: str, asker_salesforce_user_id: str, conversation_id: str,
                     record_id: str | None = None) -> ContractAnswer:
        task = Task(kind="answer_question", event_id=uuid.uuid4().hex, question=question,
                    asked_by=asker_salesforce_user_id, conversation_id=conversation_id, record_id=record_id)
        return await self._run(task)

    async def escalate(self, conversation_id: str, asker_salesforce_user_id: str) -> str:
        task = Task(kind="answer_question", event_id=uuid.uuid4().hex, asked_by=asker_salesforce_user_id,
                    conversation_id=conversation_id, escalate=True)
        turn = await self._turn(task)
        if turn.escalation_refusal:
            raise EscalationRefused(turn.escalation_refusal)
        if turn.answer.escalation_task_id is None:
            raise UnansweredQuestion("the escalation wrote no Task")
        return turn.answer.escalation_task_id

    async def _run(self, task: Task) -> ContractAnswer:
        return (await self._turn(task)).answer

    async def _turn(self, task: Task) -> QuestionTurn:
        assert task.asked_by and task.conversation_id
        thread_id = question_thread_id(task.conversation_id, task.asked_by)
        metadata = {"conversation_id": task.conversation_id, "asked_by": task.asked_by, "event_id": task.event_id,
                    "source": "question"}
        values = await self._threads.client.runs.wait(
            thread_id, GRAPH_ID, input={"task": task.model_dump(mode="json", exclude_none=True),
                                        "status": "received", "error": None},
            if_not_exists="create", multitask_strategy="enqueue", durability="sync", metadata=metadata)
        state = run_state_of(values) if isinstance(values, dict) else None
        if state is None or state.qa is None or state.qa.event_id != task.event_id:
            why = state.error if state is not None and state.error else "the run ended without an answer"
            raise UnansweredQuestion(why)
        return state.qa
