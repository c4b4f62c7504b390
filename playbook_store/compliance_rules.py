"""The playbook's required clauses as typed data (`rules/compliance.yaml`): which deal profiles a deal has, and
which clauses each profile requires a contract to contain, with how each clause is recognised in a document."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator

from core.state_model import StateModel
from tools.salesforce.models import OpportunityBundle


def _normal(value: str) -> str:
    """Compared as a CRM admin means them: case, spacing and a leading "the" ("The Netherlands") ignored."""
    words = value.casefold().split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


class ComplianceDeal(StateModel):
    """What the profiles look at: the Account's industry and billing country, the products and the flag."""

    industry: str | None = None
    billing_country: str | None = None
    product_families: list[str] = Field(default_factory=list)
    data_processing: bool = Field(False, description="Personal data is processed on the customer's behalf.")

    @classmethod
    def from_bundle(cls, bundle: OpportunityBundle, *, data_processing: bool = False) -> ComplianceDeal:
        return cls(industry=bundle.account.industry, billing_country=bundle.account.billing_country,
                   product_families=bundle.product_families, data_processing=data_processing)


class ProfileCondition(BaseModel):
    """All stated fields must hold. Values compare without regard to case."""

    industries: list[str] | None = Field(None, description="Account.Industry values.")
    billing_countries: list[str] | None = Field(None, description="Account.BillingCountry values (names, ISO codes).")
    product_families_any: list[str] | None = None
    data_processing: bool | None = None

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _states_something(self) -> ProfileCondition:
        if not self.model_dump(exclude_none=True):
            raise ValueError("a condition without fields would match every deal")
        return self

    def matches(self, deal: ComplianceDeal) -> bool:
        families = {_normal(f) for f in deal.product_families}
        checks = [
            self.industries is None or _normal(deal.industry or "") in {_normal(i) for i in self.industries},
            self.billing_countries is None
            or _normal(deal.billing_country or "") in {_normal(c) for c in self.billing_countries},
            self.product_families_any is None or bool(families & {_normal(f) for f in self.product_families_any}),
            self.data_processing is None or deal.data_processing == self.data_processing,
        ]
        return all(checks)


class RequiredClause(BaseModel):
    """A clause a profile requires, recognised by the clause finder's CUAD category and/or by phrases."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str = Field(min_length=1, description="Named in findings and the audit packet.")
    reason: str = Field(min_length=1, description="Why the profile requires it, for the reviewer.")
    category: str | None = Field(None, description="A clause-finder (CUAD) category, e.g. Audit Rights.")
    phrases: list[str] = Field(default_factory=list, description="Case-insensitive; spacing and hyphens flexible.")
    min_phrases: int = Field(1, ge=1, description="Distinct phrases that must occur for the text to count.")

    model_config = {"extra": "forbid"}

    @field_validator("phrases")
    @classmethod
    def _no_blank_phrase(cls, phrases: list[str]) -> list[str]:
        if any(not p.strip() for p in phrases):
            raise ValueError("a blank phrase would match anywhere")
        return phrases

    @model_validator(mode="after")
    def _recognisable(self) -> RequiredClause:
        if self.category is None and not self.phrases:
            raise ValueError(f"{self.id}: give a category or phrases, or the clause can never be found")
        if self.phrases and self.min_phrases > len(self.phrases):
            raise ValueError(f"{self.id}: min_phrases {self.min_phrases} exceeds the {len(self.phrases)} phrases")
        return self


class ComplianceProfile(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1, description="Opens each finding: '<name> deal: no ... found'.")
    when: list[ProfileCondition] = Field(description="Any one condition recognises the profile; [] = fallback.")
    requires: list[RequiredClause] = Field(default_factory=list)

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _requirement_ids_unique(self) -> ComplianceProfile:
        ids = [r.id for r in self.requires]
        if len(set(ids)) != len(ids):
            raise ValueError(f"profile {self.id}: duplicate required clause ids")
        return self

    @property
    def is_fallback(self) -> bool:
        return not self.when

    def matches(self, deal: ComplianceDeal) -> bool:
        return any(condition.matches(deal) for condition in self.when)


class ComplianceRules(BaseModel):
    profiles: list[ComplianceProfile] = Field(min_length=1)

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _one_fallback(self) -> ComplianceRules:
        ids = [p.id for p in self.profiles]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate profile ids")
        fallbacks = [p.id for p in self.profiles if p.is_fallback]
        if len(fallbacks) != 1:
            raise ValueError(f"exactly one profile must have no conditions (the fallback); found {fallbacks}")
        return self

    def profiles_for(self, deal: ComplianceDeal) -> list[ComplianceProfile]:
        """Every profile the deal matches, in file order; the fallback only when it matches none."""
        matched = [p for p in self.profiles if not p.is_fallback and p.matches(deal)]
        return matched or [p for p in self.profiles if p.is_fallback]
