"""`DocumentReview`: inbound paper scored against the playbook's positions, each deviation with its evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.contract_terms import Citation
from core.state_model import StateModel

ReviewSeverity = Literal["low", "medium", "high"]
Finding = Literal["contradicted", "not_mentioned", "present", "absent", "entailed"]


class Deviation(StateModel):
    """One position the document departs from, what it says (or that it says nothing), and what to ask for."""

    position: str = Field(description="nda-K for an NDA position, the commercial position's id otherwise")
    title: str
    severity: ReviewSeverity
    finding: Finding
    evidence: list[Citation] = Field(default_factory=list, description="verbatim, with page; empty when silent")
    standard: str = Field(description="the playbook's standard position")
    negotiation_point: str
    fallback_clause: str | None = Field(None, description="clause-library position id to offer")
    fallback_text: str | None = None
    confidence: float | None = Field(None, ge=0.0, le=1.0,
                                     description="the reader's probability for the finding; None when a model "
                                                 "read it (checked against the document, not calibrated)")


class CheckedPosition(StateModel):
    """A position that was checked and held (kept so the review shows what was looked at)."""

    position: str
    title: str
    finding: Finding
    evidence: list[Citation] = Field(default_factory=list)


class DocumentReview(StateModel):
    title: str
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$", description="of the bytes read; None if none were")
    kind: Literal["nda", "commercial"]
    pages: int = Field(ge=0)
    risk_score: int = Field(ge=0, le=100)
    route: Literal["auto_approve", "sales", "legal"]
    deviations: list[Deviation] = Field(default_factory=list)
    held: list[CheckedPosition] = Field(default_factory=list)
    engine: Literal["offline", "model"] = "offline"
    note: str | None = Field(None, description="the model's note for the negotiator, when a model reviewed")
    document_error: str | None = Field(None, description="why the document could not be read (nothing else set)")

    def summary(self) -> str:
        if self.document_error:
            return f"Not reviewed: {self.document_error}"
        head = f"Risk score {self.risk_score}/100; route {self.route}; {len(self.deviations)} deviation(s)."
        lines = [head] + [f"[{d.severity.upper()}] {d.title}: {d.finding.replace('_', ' ')}" for d in self.deviations]
        return "\n".join(lines + ([f"Reviewer's note: {self.note}"] if self.note else []))
