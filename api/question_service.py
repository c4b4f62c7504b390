"""The server's contract-question engine, built on first use from settings (the Salesforce client and the
store under the data dir), so importing the app needs neither a reachable org nor a store yet."""

from __future__ import annotations

import threading

from agents.qa.service import ContractQuestionService
from agents.qa.store import contract_store
from api.slack_users import SalesforceUserDirectory
from core.contract_answer import ContractAnswer
from runtime.context import default_salesforce

_lock = threading.Lock()
_service: ContractQuestionService | None = None


def question_service() -> ContractQuestionService:
    global _service
    with _lock:
        if _service is None:
            _service = ContractQuestionService(contract_store(None), default_salesforce())
        return _service


class ServerQuestions:
    """`ContractQuestions` for the Slack surface, over the lazily built service."""

    async def answer(self, question: str, asker_salesforce_user_id: str, conversation_id: str,
                     record_id: str | None = None) -> ContractAnswer:
        return await question_service().answer(question, asker_salesforce_user_id, conversation_id, record_id)

    async def escalate(self, conversation_id: str, asker_salesforce_user_id: str) -> str:
        return await question_service().escalate(conversation_id, asker_salesforce_user_id)


class ServerUserDirectory:
    def salesforce_user_id(self, email: str) -> str | None:
        return SalesforceUserDirectory(default_salesforce()).salesforce_user_id(email)
