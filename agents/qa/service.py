"""`ContractQuestionService`: the answer engine in-process, with conversations remembered in memory.

The server answers through the graph instead (`api/graph_questions.py`: one LangGraph thread per conversation
and asker, checkpointed); this is the same answering (`answering.py`: permissions checked in Salesforce on every
question) for a process without a LangGraph server: tests, scripts, a notebook. A conversation remembers, per
asker, the contract it last answered from, so a follow-up without a name ("and the notice period?") reads the
same contract; another asker in the same thread starts afresh.
"""

from __future__ import annotations

import asyncio
import threading
import uuid

from agents.qa.answering import answer_for
from agents.qa.escalation import escalation_plan, send_escalation
from core.contract_answer import ContractAnswer
from qa import ContractQA, ContractStore
from tools.salesforce import SalesforceClient

_MEMORY = 1000  # conversations remembered (oldest forgotten first)


class UnknownConversation(LookupError):
    pass


class ContractQuestionService:
    def __init__(self, store: ContractStore, salesforce: SalesforceClient, qa: ContractQA | None = None,
                 legal_owner_id: str | None = None) -> None:
        self.store = store
        self.salesforce = salesforce
        self.qa = qa or ContractQA(store)
        self.legal_owner_id = legal_owner_id
        self._last: dict[tuple[str, str], ContractAnswer] = {}
        self._lock = threading.Lock()

    def answer_now(self, question: str, asker_id: str, conversation_id: str,
                   record_id: str | None = None) -> ContractAnswer:
        with self._lock:
            previous = self._last.get((conversation_id, asker_id))
        previous_doc = previous.contract.doc if previous and previous.contract else None
        answer = answer_for(self.qa, self.salesforce, question, asker_id, record_id, previous_doc)
        with self._lock:
            self._last[(conversation_id, asker_id)] = answer
            while len(self._last) > _MEMORY:
                self._last.pop(next(iter(self._last)))
        return answer

    def escalate_now(self, conversation_id: str, asker_id: str) -> str:
        with self._lock:
            answer = self._last.get((conversation_id, asker_id))
        if answer is None:
            raise UnknownConversation(f"no question of {asker_id} in conversation {conversation_id} to escalate")
        plan = escalation_plan(answer, asker_id, conversation_id, correlation_id=uuid.uuid4().hex,
                               legal_owner_id=self.legal_owner_id)
        results = send_escalation(self.salesforce, plan, answer, conversation_id)  # EscalationRefused: read_only
        task_id = results[0].id
        if task_id is None:
            raise RuntimeError(f"Salesforce returned no Task id for the escalation ({results[0].status})")
        return task_id

    async def answer(self, question: str, asker_salesforce_user_id: str, conversation_id: str,
                     record_id: str | None = None) -> ContractAnswer:
        return await asyncio.to_thread(self.answer_now, question, asker_salesforce_user_id, conversation_id,
                                       record_id)

    async def escalate(self, conversation_id: str, asker_salesforce_user_id: str) -> str:
        return await asyncio.to_thread(self.escalate_now, conversation_id, asker_salesforce_user_id)
