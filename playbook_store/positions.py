"""Typed shape of `rules/positions.yaml`: our standard positions on inbound paper and the review policy.

An NDA position is judged by the NDA reader (a ContractNLI hypothesis: entailed, contradicted, not mentioned);
a commercial position by the clause finder (a CUAD category present or absent). The policy turns deviations
into a risk score and a route.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from playbook_store.models import Severity

Stance = Literal["required", "unacceptable", "acceptable"]
PaperKind = Literal["nda", "commercial"]
ReviewRoute = Literal["auto_approve", "sales", "legal"]
PAPER_KINDS: tuple[PaperKind, ...] = ("nda", "commercial")


class NdaPosition(BaseModel):
    hypothesis: str = Field(pattern=r"^nda-\d+$")
    title: str
    stance: Stance
    severity: Severity
    missing_severity: Severity | None = None
    standard: str
    negotiation_point: str
    fallback_clause: str | None = None

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _missing_only_when_required(self) -> NdaPosition:
        if self.missing_severity is not None and self.stance != "required":
            raise ValueError(f"{self.hypothesis}: missing_severity applies to required positions only")
        return self


class CommercialPosition(BaseModel):
    id: str
    title: str
    category: str = Field(description="A CUAD category of the clause finder.")
    deviates_when: Literal["present", "absent"]
    applies_to: list[PaperKind] = Field(default_factory=lambda: list(PAPER_KINDS), min_length=1)
    covers: str | None = Field(None, pattern=r"^nda-\d+$", description="an NDA position this one duplicates")
    severity: Severity
    standard: str
    negotiation_point: str
    fallback_clause: str | None = None

    model_config = {"extra": "forbid"}


class ReviewPolicy(BaseModel):
    severity_points: dict[Severity, int]
    legal_at: int = Field(ge=0, le=100)
    sales_at: int = Field(ge=0, le=100)
    auto_approve_kinds: list[PaperKind] = Field(default_factory=list)
    alert_at: int = Field(ge=0, le=101)

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _ordered(self) -> ReviewPolicy:
        if self.sales_at > self.legal_at:
            raise ValueError("sales_at must not exceed legal_at")
        if set(self.severity_points) != {"low", "medium", "high"}:
            raise ValueError("severity_points needs low, medium and high")
        return self

    def score(self, severities: list[Severity]) -> int:
        return min(100, sum(self.severity_points[s] for s in severities))

    def route(self, kind: PaperKind, score: int, any_high: bool) -> ReviewRoute:
        if any_high or score >= self.legal_at:
            return "legal"
        if score >= self.sales_at or kind not in self.auto_approve_kinds:
            return "sales"
        return "auto_approve"


class Positions(BaseModel):
    nda: list[NdaPosition]
    commercial: list[CommercialPosition]
    policy: ReviewPolicy

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _unique(self) -> Positions:
        for name, keys in (("nda hypothesis", [p.hypothesis for p in self.nda]),
                           ("commercial id", [p.id for p in self.commercial])):
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            if duplicates:
                raise ValueError(f"duplicate {name}: {', '.join(duplicates)}")
        return self
