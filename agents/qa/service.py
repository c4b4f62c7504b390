"""`ContractQuestionService`: the answer engine behind Slack and the Salesforce route, for one asker at a time.

Permissions first: the contracts an asker may see are those on Salesforce records (Opportunity, else Account)
that `UserRecordAccess` says the asker can read, checked on every question (sharing changes). Only the
contracts that could answer are checked (those the question names, the record's, the conversation's last), so
a question costs one Salesforce call however many contracts are stored. A question that names no visible
contract is answered "no contract you can see", the same whether an invisible one exists or none does. A conversation remembers, per asker, the contract it last answered from, so a follow-up without a
name ("and the notice period?") reads the same contract; another asker in the same thread starts afresh.
"""

from __future__ import annotations

import asyncio
import threading
import uuid

from agents.qa.escalation import escalation_plan
from core.contract_answer import ContractAnswer
from core.salesforce_ids import id18
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

    def visible_docs(self, asker_id: str, docs: list[str]) -> set[str]:
        """Which of `docs` the asker may read: one UserRecordAccess query for up to 200 records."""
        records = self.store.owning_records(docs)
        ids = sorted({record for record in records.values() if record})
        readable = self.salesforce.readable_records(asker_id, ids) if ids else set()
        return {doc for doc, record in records.items() if record and id18(record) in readable}

    def answer_now(self, question: str, asker_id: str, conversation_id: str,
                   record_id: str | None = None) -> ContractAnswer:
        record_docs = self.store.docs_for_record(id18(record_id) or record_id) if record_id else None
        with self._lock:
            previous = self._last.get((conversation_id, asker_id))
        previous_doc = previous.contract.doc if previous and previous.contract else None
        could_answer = (record_docs if record_docs is not None else self.qa.named_candidates(question))
        visible = self.visible_docs(asker_id, [*could_answer, *([previous_doc] if previous_doc else [])])
        answer = self.qa.answer(question, visible=visible, record_docs=record_docs)
        if answer.outcome == "no_contract_visible" and previous_doc in visible:
            answer = self.qa.answer(question, visible=visible, record_docs=[previous_doc])
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
        results = self.salesforce.apply(plan)
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
