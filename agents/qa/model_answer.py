"""The Q&A answer with a model: a tool-calling agent writes the answer from the contract, checked against it.

The engine has already chosen the contract the asker may see and ranked its passages; the model reads those
(and may search or read on in the same contract, never another) and submits a short answer with the quotes it
rests on. Checked: every quote is in the contract (located, so it gets offsets and a page), and the answer
states nothing its quotes do not (`answer_support.py`). A refused answer, a model error or a model that says the
contract is silent leaves the extractive answer as it was: the model may add a fluent answer, never a fact.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from agents.agent_tools.contract_reads import read_contract, search_contract
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.qa import QA_PASSAGE, QA_SYSTEM, QA_TASK, QA_TERM
from agents.qa.answer_support import support_problems
from core.contract_answer import AnswerCitation, ContractAnswer
from extraction.chunks import locate_quote
from extraction.citations import cite
from tools.documents import Document

MAX_QUOTES = 5


class SubmitContractAnswer(BaseModel):
    """Submit the answer to the colleague's question, with the quotes from the contract it rests on."""

    addressed: bool = Field(description="false when the contract does not address the question")
    answer: str = Field(min_length=1, max_length=1200)
    quotes: list[str] = Field(default_factory=list, max_length=MAX_QUOTES,
                              description="copied exactly from the contract, best first")


def contract_answerer(model: BaseChatModel) -> Specialist[SubmitContractAnswer]:
    return Specialist(name="qa", model=model, tools=[search_contract, read_contract],
                      answer_schema=SubmitContractAnswer, system_prompt=QA_SYSTEM)


def answer_problems(submitted: SubmitContractAnswer, document: Document, question: str) -> list[str]:
    if not submitted.addressed:
        return []
    if not submitted.quotes:
        return ["an answer needs at least one quote from the contract (or set addressed to false)"]
    missing = [q for q in submitted.quotes if locate_quote(document.text, q) is None]
    if missing:
        return [f"this quote is not in the contract: {q[:100]!r}" for q in missing]
    return support_problems(submitted.answer, submitted.quotes, question)


def model_answer(model: BaseChatModel, answer: ContractAnswer, document: Document) -> tuple[ContractAnswer, list[str]]:
    """(the answer, notes on how the model's turn went): the model's checked answer, or `answer` unchanged."""
    if answer.contract is None:  # no contract the asker may see: nothing for a model to read
        return answer, []
    question = answer.question
    passages = "\n\n".join(QA_PASSAGE.format(start=c.start, page=c.page or "?", text=c.quote)
                           for c in answer.citations) or "(none ranked)"
    term = QA_TERM.format(name=answer.term.name, value=answer.term.value) if answer.term else ""
    task = QA_TASK.format(question=question, contract=answer.contract.name or answer.contract.doc, term=term,
                          passages=passages)

    def check(submitted: SubmitContractAnswer, messages: Sequence[BaseMessage]) -> list[str]:
        return answer_problems(submitted, document, question)

    checked = run_checked(contract_answerer(model), task, ToolContext(document=document), check)
    submitted = checked.answer
    if submitted is None:
        return answer, [f"the model's answer was refused: {'; '.join(checked.problems)}"]
    if not submitted.addressed:
        return answer, ["the model read the contract as silent; the engine's answer stands"]
    citations = [_citation(document, answer.contract.doc, q) for q in submitted.quotes]
    generated = answer.model_copy(update={
        "found": True, "outcome": "answered", "answer": submitted.answer.strip(), "citations": citations,
        "engine": "model", "confidence": max(answer.confidence, 0.5) if not answer.found else answer.confidence})
    return generated, [f"answered by the model with {len(citations)} checked quote(s)"]


def _citation(document: Document, doc: str, quote: str) -> AnswerCitation:
    span = locate_quote(document.text, quote)
    assert span is not None  # answer_problems located every quote
    return AnswerCitation(doc=doc, **cite(document, *span).model_dump())
