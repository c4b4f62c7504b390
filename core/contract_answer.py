"""`ContractAnswer`: a question about an executed contract, answered with verbatim citations or honestly not.

The shape every surface renders (Slack Block Kit, the Salesforce route, the eval's prediction line). An answer
states only what its citations support; when the contract is silent, or no contract the asker may see matches,
`found` is False and `outcome` says which.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.state_model import StateModel

AnswerOutcome = Literal[
    "answered",            # cited passages (and the term, when one applies) answer it
    "not_in_contract",     # the right contract was read and does not address it
    "no_contract_visible", # no executed contract the asker may read matches the question
    "ambiguous_contract",  # several visible contracts match; `candidates` lists them
]


class ContractRef(StateModel):
    """Which executed contract an answer comes from (the eval's `doc` is a CUAD id; in a deployment, the key)."""

    doc: str = Field(description="the contract's key in the passage index")
    name: str | None = Field(None, description="counterparty or contract title, for people")
    account_id: str | None = None
    opportunity_id: str | None = None
    link: str | None = Field(None, description="the Ironclad record's URL, when known")


class AnswerCitation(StateModel):
    doc: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str = Field(description="verbatim text[start:end] of the contract")
    page: int | None = Field(None, ge=1)
    score: float = Field(0.0, description="retrieval score, best first")


class AnswerTerm(StateModel):
    """The structured value when the question maps to an extracted term (expiry, notice, governing law…)."""

    name: str = Field(description="the CUAD category, e.g. 'Governing Law'")
    value: str
    citation: AnswerCitation | None = None


class ContractAnswer(StateModel):
    question: str
    found: bool
    outcome: AnswerOutcome
    answer: str | None = Field(None, description="what people read; None when nothing was found")
    category: str | None = Field(None, description="the CUAD category the question was read as asking about")
    contract: ContractRef | None = None
    candidates: list[ContractRef] = Field(default_factory=list, description="when the contract is ambiguous")
    citations: list[AnswerCitation] = Field(default_factory=list, description="best first")
    term: AnswerTerm | None = None
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    engine: Literal["offline", "model"] = "offline"
    escalation_task_id: str | None = Field(None, description="the Legal Task created when the asker escalated")
