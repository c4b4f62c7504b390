"""Typed shapes of the rule files in `playbook_store/rules/` (selection, risk, policy)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from playbook_store.models import DealFacts, DealType, Region, Severity

_SAMPLE_FACTS = DealFacts(region="EMEA", deal_type="new_business", total_contract_value=120000.0)


class SelectionCondition(BaseModel):
    """All stated conditions must hold; an empty condition always matches."""

    deal_type: list[DealType] | None = None
    region: list[Region] | None = None
    has_existing_msa: bool | None = None
    min_total_contract_value: float | None = None
    max_total_contract_value: float | None = None
    product_families_any: list[str] | None = None
    data_processing: bool | None = None
    primary_template: list[str] | None = Field(None, description="Addenda only: the primary template chosen.")

    model_config = {"extra": "forbid"}

    def matches(self, facts: DealFacts, primary_template: str | None = None) -> bool:
        families = {f.casefold() for f in facts.product_families}
        checks = [
            self.deal_type is None or facts.deal_type in self.deal_type,
            self.region is None or facts.region in self.region,
            self.has_existing_msa is None or facts.has_existing_msa == self.has_existing_msa,
            self.min_total_contract_value is None
            or facts.total_contract_value >= self.min_total_contract_value,
            self.max_total_contract_value is None
            or facts.total_contract_value < self.max_total_contract_value,
            self.product_families_any is None
            or bool(families & {f.casefold() for f in self.product_families_any}),
            self.data_processing is None or facts.data_processing == self.data_processing,
            self.primary_template is None or primary_template in self.primary_template,
        ]
        return all(checks)


class SelectionRule(BaseModel):
    id: str
    priority: int = 0
    when: SelectionCondition
    template: str
    reason: str = Field(description="Human-readable; may use DealFacts fields, e.g. {region}.")

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _reason_formats(self) -> SelectionRule:
        self.explain(_SAMPLE_FACTS)  # a typo in a field name fails at load, not mid-run
        return self

    def explain(self, facts: DealFacts) -> str:
        fields = facts.model_dump()
        fields["deal_type"] = facts.deal_type.replace("_", " ").capitalize()
        fields["product_families"] = ", ".join(facts.product_families)
        try:
            return self.reason.format(**fields)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(f"rule {self.id}: bad reason template: {exc}") from exc


class SelectionRules(BaseModel):
    primary: list[SelectionRule] = Field(min_length=1)
    addenda: list[SelectionRule] = Field(default_factory=list)

    model_config = {"extra": "forbid"}


class RiskRule(BaseModel):
    id: str
    check: str = Field(description="Name of a check in playbook_store.risk.CHECKS.")
    params: dict[str, Any] = Field(default_factory=dict)
    severity: Severity
    title: str
    message: str = Field(description="May use {value} and {limit}.")

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _message_formats(self) -> RiskRule:
        try:
            self.message.format(value="x", limit="y")
        except (KeyError, IndexError) as exc:
            raise ValueError(f"rule {self.id}: message may only use {{value}} and {{limit}}") from exc
        return self


class RiskRules(BaseModel):
    scoring: dict[Severity, int]
    rules: list[RiskRule] = Field(min_length=1)

    model_config = {"extra": "forbid"}


class PolicyRoute(BaseModel):
    approver_role: str
    display_name: str


class ApprovalPolicy(BaseModel):
    legal_review_threshold: float = Field(gt=0)
    routes: dict[Literal["legal", "deal_desk"], PolicyRoute]
    high_severity_route: Literal["legal", "deal_desk"]
    medium_severity_route: Literal["legal", "deal_desk"]

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _both_routes(self) -> ApprovalPolicy:
        if set(self.routes) != {"legal", "deal_desk"}:
            raise ValueError("policy needs both a legal and a deal_desk route")
        return self
