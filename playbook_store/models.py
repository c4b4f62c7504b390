"""The facts of a deal that playbook rules are evaluated over, and what the rules return.

The drafter builds `DealFacts` from the Salesforce bundle; selection, risk, policy and clause choice are pure
functions of it (plus the playbook data), so the same deal always gets the same answer.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from core.state_model import StateModel
from playbook_store.clauses import ApprovalLevel, ClauseType, ParameterValue

Region = Literal["North America", "EMEA", "APAC", "LATAM"]
DealType = Literal["new_business", "expansion", "renewal", "evaluation"]
Severity = Literal["low", "medium", "high"]
Route = Literal["auto_approve", "deal_desk", "legal"]


class TextSpan(StateModel):
    """Where in the special-terms text a request came from (character offsets, end exclusive)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class TermRequest(StateModel):
    """One structured request parsed from free-text special terms, e.g. "liability cap 2x fees"."""

    clause_type: ClauseType
    parameter: str = Field(description="Clause parameter the request sets, e.g. cap_multiple.")
    value: ParameterValue | None = Field(description="Requested value; None when the request is 'unlimited'.")
    unlimited: bool = Field(False, description="Uncapped / unlimited liability or indemnity.")
    span: TextSpan


class DealFacts(StateModel):
    """Everything the playbook rules look at. Amounts are in the deal currency."""

    opportunity_id: str | None = None
    account_name: str = ""
    opportunity_name: str = ""
    region: Region
    deal_type: DealType
    has_existing_msa: bool = False
    currency: str = "USD"
    total_contract_value: float = Field(ge=0)
    annual_value: float | None = Field(None, ge=0, description="Defaults to TCV spread over the term.")
    term_months: int = Field(12, ge=1)
    product_families: list[str] = Field(default_factory=list)
    product_names: list[str] = Field(default_factory=list)
    payment_terms_days: int | None = Field(None, ge=0)
    max_discount_percent: float | None = Field(None, ge=0, le=100)
    governing_law_requested: str | None = None
    special_terms: str = ""
    requested_liability_cap_multiple: float | None = Field(None, gt=0)
    uncapped_liability_requested: bool = False
    requested_indemnity_cap_multiple: float | None = Field(None, gt=0)
    uncapped_indemnity_requested: bool = False
    requested_auto_renewal_term_months: int | None = Field(None, ge=0, description="0 means no auto-renewal.")
    sla_uptime_requested: float | None = Field(None, gt=0, le=100)
    termination_for_convenience_requested: bool = False
    termination_for_convenience_days: int | None = Field(
        None, ge=0, description="Notice asked for, if stated."
    )
    breach_notice_hours_requested: int | None = Field(None, ge=0)
    confidentiality_years_requested: int | None = Field(None, ge=0)
    data_processing: bool = Field(
        False, description="Personal data will be processed on the customer's behalf."
    )

    @field_validator("product_families", "product_names")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values if v and v.strip()]

    @property
    def effective_annual_value(self) -> float:
        if self.annual_value is not None:
            return self.annual_value
        return self.total_contract_value * 12 / max(self.term_months, 12)


class TemplateSelection(StateModel):
    template_keys: list[str] = Field(
        description="Primary template first, then addenda (e.g. ['msa', 'dpa'])."
    )
    rule_ids: list[str]
    reasons: list[str]


class Evidence(StateModel):
    field: str = Field(description="DealFacts field (or special-terms span) the finding rests on.")
    value: str
    span: TextSpan | None = None


class Finding(StateModel):
    rule_id: str
    severity: Severity
    title: str
    message: str
    evidence: list[Evidence]


class RiskAssessment(StateModel):
    findings: list[Finding]
    score: int = Field(ge=0, le=100, description="0 = standard deal; 100 = as risky as the rules can say.")

    @property
    def highest_severity(self) -> Severity | None:
        order: list[Severity] = ["high", "medium", "low"]
        return next((s for s in order if any(f.severity == s for f in self.findings)), None)


class ApprovalDecision(StateModel):
    route: Route
    approver_role: str | None = Field(
        description="Ironclad / Salesforce role that must approve; None = auto."
    )
    reasons: list[str]


class ClauseChoice(StateModel):
    """The approved clause chosen for one special-terms request, rendered for the negotiatedClauses section."""

    request: TermRequest
    clause_id: str
    clause_version: int
    clause_title: str
    approval: ApprovalLevel
    values: dict[str, ParameterValue]
    text: str
    within_playbook: bool = Field(description="False when no approved position allows the request.")
    finding: Finding | None = None
