"""The model engine: a tool-calling agent reads retrieved chunks (the clause finder's top passages for each term,
then BM25's), may search and read the rest of the contract, and answers with values and verbatim quotes.

Nothing the model says is trusted. Each quote is located in the document (`locate_quote`); a value whose quote
is not there, or whose value cannot be normalised, is sent back to the model once, then dropped. A value whose
quote is there but does not state it is sent back once too, and if kept the sync policy sends it to review. Citations are
built from the located span, so they are verbatim by construction, and the result goes through the same
`verified` gate as the offline engine. The answer is a tool call (`ReportTerms`), which any OpenAI-compatible
endpoint with tool calling serves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from agents.agent_tools.contract_reads import read_contract, search_contract
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.extractor import EXCERPT, EXTRACTOR_SYSTEM, EXTRACTOR_TASK
from core.contract_terms import Citation, Cited, ContractTerms, LiabilityCap, Party
from extraction.chunks import Chunk, locate_quote, select_chunks
from extraction.citations import cite, verified
from extraction.clause_finder import FinderArtifactsError, load_finder
from extraction.dates import find_dates
from extraction.durations import parse_duration
from extraction.finder_retrieval import PassageScorer, finder_passages
from extraction.jurisdictions import JURISDICTION, canonical_jurisdiction
from extraction.quote_support import unsupported_values
from extraction.spans import sentence_bounds
from tools.documents import Document

MIN_QUOTE_WORDS = 3


class QuotedValue(BaseModel):
    value: str = Field(description="the normalised value, in the format the instructions give")
    quote: str = Field(description="words copied exactly from the contract that state the value")


class QuotedParty(BaseModel):
    name: str
    role: str | None = Field(description="the defined term the contract gives the party, if any")
    quote: str


class QuotedCap(BaseModel):
    kind: Literal["amount", "multiple_of_fees", "fees_paid", "excluded_damages", "claim_time_limit"]
    quote: str


class ReportTerms(BaseModel):
    """Report the contract's key terms, each with its verbatim quote, and finish. Every field may be null (or
    empty) when the contract is silent."""

    parties: list[QuotedParty]
    agreement_date: QuotedValue | None
    effective_date: QuotedValue | None
    expiration_date: QuotedValue | None
    initial_term: QuotedValue | None
    renewal_term: QuotedValue | None
    automatic_renewal: QuotedValue | None = Field(description='"true" or "false"')
    notice_period_to_terminate_renewal: QuotedValue | None
    governing_law: QuotedValue | None
    liability_cap: QuotedCap | None
    termination_for_convenience: QuotedValue | None = Field(description='"true" when a party may terminate '
                                                                        "without cause")
    payment_terms_net_days: QuotedValue | None = Field(description="days allowed to pay an invoice, e.g. 30")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        found = find_dates(value)
        return found[0].value if found else None


def _duration(value: str) -> str | None:
    value = value.strip()
    if re.fullmatch(r"P\d+[YMWD]", value):
        return value
    return parse_duration(value)


def _date_or_perpetual(value: str) -> date | str | None:
    return "perpetual" if value.strip().lower() in {"perpetual", "indefinite", "until terminated"} else _date(value)


def _jurisdiction(value: str) -> str | None:
    """"New York", "the State of New York", "England and Wales" -> a recognised jurisdiction, else None."""
    if canonical := canonical_jurisdiction(value):
        return canonical
    return next((c for m in JURISDICTION.finditer(value) if (c := canonical_jurisdiction(m.group(0)))), None)


def _true(value: str) -> bool | None:
    return True if value.strip().lower() in {"true", "yes"} else None


def _days(value: str) -> int | None:
    match = re.search(r"\d{1,3}", value)
    return int(match.group(0)) if match and int(match.group(0)) > 0 else None


def _packaged_finder() -> PassageScorer | None:
    """The packaged clause finder, or None when its artifacts are missing (retrieval falls back to BM25 alone)."""
    try:
        return load_finder()
    except FinderArtifactsError:
        return None


NORMALISERS: dict[str, Any] = {
    "agreement_date": _date, "effective_date": _date, "expiration_date": _date_or_perpetual,
    "initial_term": _duration, "renewal_term": _duration, "automatic_renewal": _true,
    "notice_period_to_terminate_renewal": _duration, "governing_law": _jurisdiction,
    "termination_for_convenience": _true, "payment_terms_net_days": _days,
}
TERM_FIELD = {"automatic_renewal": "auto_renewal"}  # answer field -> ContractTerms field, where they differ
NO = {"false", "no"}  # a boolean term the contract does not grant: stored as absent, not a bad value


def contract_reader(model: BaseChatModel) -> Specialist[ReportTerms]:
    return Specialist(name="contract_reader", model=model, tools=[search_contract, read_contract],
                      answer_schema=ReportTerms, system_prompt=EXTRACTOR_SYSTEM)


class ModelExtractor:
    """`Extractor` backed by a chat model; `model` is any LangChain chat model (e.g. `ChatOpenAI`).

    `finder` ranks the passages shown to the model for each term (None: the packaged clause finder); BM25 fills
    the rest of the budget, and is all there is when no finder is installed. `notes` says, after `extract`,
    whether the answer needed a correction or had values dropped."""

    def __init__(self, model: BaseChatModel, budget_chars: int = 24000, finder: PassageScorer | None = None) -> None:
        self._model = model
        self._budget = budget_chars
        self._finder = finder if finder is not None else _packaged_finder()
        self.notes: list[str] = []

    def extract(self, document: Document) -> ContractTerms:
        passages = finder_passages(self._finder, document.text) if self._finder is not None else []
        chunks = select_chunks(document.text, budget=self._budget, passages=passages)
        if not chunks:
            return ContractTerms()
        excerpts = "\n\n".join(EXCERPT.format(start=c.start, text=c.text.strip()) for c in chunks)

        def check(answer: ReportTerms, messages: Sequence[BaseMessage]) -> list[str]:
            return answer_problems(answer, document, chunks)

        checked = run_checked(contract_reader(self._model), EXTRACTOR_TASK.format(excerpts=excerpts),
                              ToolContext(document=document), check)
        answer = checked.answer or checked.refused
        if answer is None:
            raise ModelReadingFailed("; ".join(checked.problems))
        self.notes = (["accepted after one correction"] if checked.rounds > 1 and checked.answer else []) + \
            ([f"values dropped: {'; '.join(checked.problems)}"] if checked.answer is None else [])
        return ground(answer, document, chunks)


class ModelReadingFailed(RuntimeError):
    """The model gave no answer to check (an error, or no `ReportTerms` call): the offline reading stands."""


def _citation(document: Document, quote: str, chunks: list[Chunk]) -> Citation | None:
    """The located quote; one shorter than three words is widened to its sentence so it says something."""
    span = locate_quote(document.text, quote, chunks)
    if span is None:
        return None
    start, end = span
    if len(document.text[start:end].split()) < MIN_QUOTE_WORDS:
        start, end = sentence_bounds(document.text, start, 300)
        if len(document.text[start:end].split()) < MIN_QUOTE_WORDS:
            return None
    return cite(document, start, end)


def ground(answer: ReportTerms, document: Document, chunks: list[Chunk]) -> ContractTerms:
    """`ContractTerms` holding only the answer's values whose quote is in the document and that normalise."""

    def cited(item: QuotedValue | None, normalise: Any) -> Cited | None:
        if item is None:
            return None
        value = normalise(item.value)
        citation = _citation(document, item.quote, chunks) if value is not None else None
        return Cited(value=value, citation=citation) if citation else None

    parties = [Party(name=p.name.strip(), role=(p.role or None), citation=citation)
               for p in answer.parties
               if p.name.strip() and (citation := _citation(document, p.quote, chunks))]
    cap = None
    if answer.liability_cap and (citation := _citation(document, answer.liability_cap.quote, chunks)):
        cap = LiabilityCap(kind=answer.liability_cap.kind, citation=citation)
    values = {TERM_FIELD.get(name, name): cited(getattr(answer, name), normalise)
              for name, normalise in NORMALISERS.items()}
    return verified(ContractTerms(parties=parties, liability_cap=cap, **values), document)


def answer_problems(answer: ReportTerms, document: Document, chunks: list[Chunk]) -> list[str]:
    """Each value the model gave that would be dropped: its quote is not in the contract, or it does not
    normalise. Said per field, so the one correction the model gets can fix exactly those."""
    problems = []
    for name, normalise in NORMALISERS.items():
        item = getattr(answer, name)
        if item is None:
            continue
        if normalise(item.value) is None and item.value.strip().lower() not in NO:
            problems.append(f"{name}: {item.value!r} is not in the format the instructions give")
        elif normalise(item.value) is not None and _citation(document, item.quote, chunks) is None:
            problems.append(f"{name}: the quote {item.quote[:120]!r} is not in the contract (copy it exactly, at "
                            f"least {MIN_QUOTE_WORDS} words)")
    problems += [f"parties: the quote {p.quote[:120]!r} for {p.name!r} is not in the contract"
                 for p in answer.parties if _citation(document, p.quote, chunks) is None]
    if answer.liability_cap and _citation(document, answer.liability_cap.quote, chunks) is None:
        problems.append(f"liability_cap: the quote {answer.liability_cap.quote[:120]!r} is not in the contract")
    # A quote that exists but does not say the value (the sync policy would send it to review).
    problems += unsupported_values(ground(answer, document, chunks))
    return problems
