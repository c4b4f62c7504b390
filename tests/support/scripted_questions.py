"""A scripted `ContractQuestions` (and a `UserDirectory`) for the Slack routes' tests: answers picked by a word in
the question, built here as the real engine would build them, and a record of every call."""

from __future__ import annotations

import asyncio
import threading

from agents.qa.escalation import EscalationRefused
from core.contract_answer import AnswerCitation, AnswerTerm, ContractAnswer, ContractRef

ACME = ContractRef(doc="acme-msa", name="Acme Robotics MSA", account_id="001000000000001AAA",
                   link="https://na1.ironcladapp.com/workflow/wf-acme")
HIDDEN = ContractRef(doc="hidden-nda", name="Hidden Holdings NDA", link="https://na1.ironcladapp.com/workflow/wf-hid")
GOVERNING_QUOTE = "This Agreement shall be governed by the laws of the State of Delaware."
HIDDEN_QUOTE = "Hidden Holdings shall pay a termination fee of $9,000,000."
TASK_ID = "00T000000000001AAA"


def governing_law(question: str) -> ContractAnswer:
    citation = AnswerCitation(doc=ACME.doc, start=120, end=120 + len(GOVERNING_QUOTE), quote=GOVERNING_QUOTE,
                              page=7, score=3.2)
    return ContractAnswer(question=question, found=True, outcome="answered", contract=ACME, confidence=0.93,
                          answer="The Acme Robotics MSA is governed by Delaware law.", category="Governing Law",
                          citations=[citation, citation.model_copy(update={"page": 12, "start": 900, "end": 970})],
                          term=AnswerTerm(name="Governing Law", value="Delaware", citation=citation))


def script(question: str) -> ContractAnswer:
    q = question.lower()
    if "force majeure" in q:
        return ContractAnswer(question=question, found=False, outcome="not_in_contract", contract=ACME,
                              confidence=0.2)
    if "termination fee" in q:  # the engine found nothing visible; a careless one might still carry what it saw
        citation = AnswerCitation(doc=HIDDEN.doc, start=0, end=len(HIDDEN_QUOTE), quote=HIDDEN_QUOTE, page=2)
        return ContractAnswer(question=question, found=False, outcome="no_contract_visible", contract=HIDDEN,
                              citations=[citation], answer=None, candidates=[HIDDEN])
    if "which" in q:
        return ContractAnswer(question=question, found=False, outcome="ambiguous_contract",
                              candidates=[ACME, ContractRef(doc="acme-sow", name="Acme Robotics SOW #2")])
    if "huge" in q:
        long = "Clause <!channel> & more " * 2000
        citation = AnswerCitation(doc=ACME.doc, start=0, end=len(long), quote=long, page=1)
        return ContractAnswer(question=question, found=True, outcome="answered", answer=long,
                              contract=ACME.model_copy(update={"name": "N" * 5000, "link": "https://x.example/" + "a" * 4000}),
                              citations=[citation] * 20, term=AnswerTerm(name="T" * 3000, value="V" * 5000))
    if "boom" in q:
        raise RuntimeError("the engine fell over")
    return governing_law(question)


class ScriptedQuestions:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []
        self.escalations: list[tuple[str, str]] = []
        self.gate: threading.Event | None = None  # when set, answers wait for it (the test opens it)
        self.refuse_escalations: str | None = None  # as a read-only deployment refuses them: the reason

    async def answer(self, question: str, asker_salesforce_user_id: str, conversation_id: str,
                     record_id: str | None = None) -> ContractAnswer:
        self.asked.append((question, asker_salesforce_user_id, conversation_id))
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait, 10)
        return script(question)

    async def escalate(self, conversation_id: str, asker_salesforce_user_id: str) -> str:
        self.escalations.append((conversation_id, asker_salesforce_user_id))
        if self.refuse_escalations:
            raise EscalationRefused(self.refuse_escalations)
        await asyncio.sleep(0.3)  # long enough for a second click to arrive while the first is in flight
        return TASK_ID


class DictDirectory:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def salesforce_user_id(self, email: str) -> str | None:
        return self.users.get(email.lower())
