"""`ContractQuestions`: what a chat surface asks of the contract answer engine, whatever runs it.

A conversation is one id for a thread of questions, so a follow-up ("and the notice period?") keeps its context:
a slash command's is `slack:{team}:{channel}:{user}`, a mention's `slack:{team}:{channel}:{thread_ts}`. The
asker is a Salesforce User Id: the engine answers only from contracts that user may read, and several people
can ask in one mention thread, so it must not carry one asker's answers into another's.
"""

from __future__ import annotations

from typing import Protocol

from core.contract_answer import ContractAnswer


class ContractQuestions(Protocol):
    async def answer(self, question: str, asker_salesforce_user_id: str, conversation_id: str,
                     record_id: str | None = None) -> ContractAnswer:
        """The cited answer (or an honest not-found) for `question`, in the context of the conversation so far.
        `record_id`: the Salesforce record the question is about, when the surface knows one."""
        ...

    async def escalate(self, conversation_id: str, asker_salesforce_user_id: str) -> str:
        """Create a Task for Legal about the conversation's last question; the Task's Id. Raises
        `EscalationRefused` when the rollout mode writes no Tasks (read_only)."""
        ...


def command_conversation(team_id: str, channel_id: str, user_id: str) -> str:
    return f"slack:{team_id}:{channel_id}:{user_id}"


def mention_conversation(team_id: str, channel_id: str, thread_ts: str) -> str:
    return f"slack:{team_id}:{channel_id}:{thread_ts}"
