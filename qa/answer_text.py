"""What people read, built only from what the citations say: the term if there is one, else the best quote."""

from __future__ import annotations

from core.contract_answer import AnswerCitation, AnswerTerm, ContractRef

QUOTE_CHARS = 400


def _who(contract: ContractRef) -> str:
    return f"The contract with {contract.name}" if contract.name else f"Contract {contract.doc}"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + "…"


def extractive_answer(contract: ContractRef, topic: str, term: AnswerTerm | None,
                      citations: list[AnswerCitation]) -> str:
    best = citations[0]
    page = f" (page {best.page})" if best.page else ""
    head = f"{topic}: {term.value}." if term is not None else f"{_who(contract)} addresses {topic.lower()}."
    return f"{head} It says{page}: \u201c{_clip(best.quote)}\u201d"


def not_addressed_answer(contract: ContractRef, topic: str) -> str:
    return (f"{_who(contract)} does not appear to address {topic.lower()}. "
            "I can ask Legal to check if you escalate.")
