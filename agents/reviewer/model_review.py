"""The reviewer with a model: a tool-calling agent reads the paper and corrects the engine's findings.

It sees each position with the engine's finding (`list_positions`) and reads the document (`search_contract`,
`read_contract`); it answers with the positions it would judge differently, each with a quote. The answer is
data to check: a position the playbook does not have, a finding that position cannot take, or a quote that is not
verbatim in the document refuses the answer (after one correction), and the engine's review stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from agents.agent_tools.contract_reads import read_contract, search_contract
from agents.agent_tools.paper_positions import list_positions
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.reviewer import REVIEWER_SYSTEM, REVIEWER_TASK
from core.document_review import DocumentReview
from extraction.citations import cite
from playbook_store.positions import Positions
from review.inbound import revised
from tools.documents import Document

NDA_FINDINGS = {"entailed", "contradicted", "not_mentioned"}
COMMERCIAL_FINDINGS = {"present", "absent"}
SILENT = {"not_mentioned", "absent"}


class PositionFinding(BaseModel):
    position: str = Field(description="nda-K or a commercial position id, as list_positions names it")
    finding: Literal["entailed", "contradicted", "not_mentioned", "present", "absent"]
    quote: str | None = Field(None, max_length=2000, description="copied exactly from the document")


class SubmitPaperReview(BaseModel):
    """Submit the positions whose finding you would change (with quotes) and a note for the negotiator."""

    changes: list[PositionFinding] = Field(default_factory=list, max_length=40)
    note: str = Field(min_length=1, max_length=1500)


def paper_reviewer(model: BaseChatModel) -> Specialist[SubmitPaperReview]:
    return Specialist(name="reviewer", model=model, tools=[list_positions, search_contract, read_contract],
                      answer_schema=SubmitPaperReview, system_prompt=REVIEWER_SYSTEM)


def positions_table(review: DocumentReview, positions: Positions) -> list[dict[str, Any]]:
    found = {d.position: (d.finding, d.evidence) for d in review.deviations}
    found |= {h.position: (h.finding, h.evidence) for h in review.held}
    rows = []
    for p in positions.nda if review.kind == "nda" else []:
        finding, evidence = found.get(p.hypothesis, ("not checked", []))
        rows.append({"position": p.hypothesis, "title": p.title, "stance": p.stance, "standard": p.standard,
                     "engine_finding": finding, "engine_quote": evidence[0].quote[:400] if evidence else None})
    for c in positions.commercial:
        if review.kind in c.applies_to:
            finding, evidence = found.get(c.id, ("not checked", []))
            rows.append({"position": c.id, "title": c.title, "deviation_when": c.deviates_when,
                         "standard": c.standard, "engine_finding": finding,
                         "engine_quote": evidence[0].quote[:400] if evidence else None})
    return rows


def answer_problems(answer: SubmitPaperReview, document: Document, allowed: dict[str, set[str]]) -> list[str]:
    problems = []
    for change in answer.changes:
        if change.position not in allowed:
            problems.append(f"{change.position}: not a position of this review (see list_positions)")
        elif change.finding not in allowed[change.position]:
            problems.append(f"{change.position}: finding {change.finding} does not apply; use one of "
                            f"{sorted(allowed[change.position])}")
        elif change.finding not in SILENT and not change.quote:
            problems.append(f"{change.position}: a {change.finding} finding needs a quote from the document")
        elif change.quote and change.quote not in document.text:
            problems.append(f"{change.position}: the quote is not verbatim in the document: {change.quote[:80]!r}")
    return problems


def model_review(model: BaseChatModel, document: Document, review: DocumentReview,
                 positions: Positions) -> tuple[DocumentReview, list[str]]:
    """(the review, notes on how it went): the model's checked corrections applied, or the engine's review."""
    table = positions_table(review, positions)
    allowed = {row["position"]: NDA_FINDINGS if row["position"].startswith("nda-") else COMMERCIAL_FINDINGS
               for row in table}
    task = REVIEWER_TASK.format(title=review.title, kind=review.kind, pages=review.pages,
                                deviations=len(review.deviations), score=review.risk_score, route=review.route)

    def check(answer: SubmitPaperReview, messages: Sequence[BaseMessage]) -> list[str]:
        return answer_problems(answer, document, allowed)

    checked = run_checked(paper_reviewer(model), task, ToolContext(document=document, paper_positions=table), check)
    if checked.answer is None:
        return review, checked.problems
    result = review
    for change in checked.answer.changes:
        evidence = []
        if change.quote:
            start = document.text.index(change.quote)
            evidence = [cite(document, start, start + len(change.quote))]
        result = revised(result, change.position, change.finding, evidence, positions)
    notes = [f"{len(checked.answer.changes)} finding(s) changed by the model"]
    return result.model_copy(update={"engine": "model", "note": checked.answer.note.strip()}), notes
