"""The playbook's renewal rules as typed data: uplift, reminder lead times, approval threshold, which email
sequence a renewal joins, and the weights of the renewal likelihood."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

AgreementType = Literal["msa", "order_form", "nda", "other"]
UsageTrend = Literal["Growing", "Flat", "Declining"]
ForecastCategory = Literal["Pipeline", "Best Case", "Commit"]


class CampaignCondition(BaseModel):
    agreement_types: list[AgreementType] | None = None
    min_value: Decimal | None = Field(None, ge=0)

    model_config = {"extra": "forbid"}

    def matches(self, agreement_type: AgreementType, value: Decimal | None) -> bool:
        if self.agreement_types is not None and agreement_type not in self.agreement_types:
            return False
        return self.min_value is None or (value is not None and value >= self.min_value)


class CampaignRule(BaseModel):
    when: CampaignCondition
    campaign_key: str = Field(min_length=1)

    model_config = {"extra": "forbid"}


class LikelihoodWeights(BaseModel):
    intercept: float
    auto_renews: float
    termination_for_convenience: float
    notice_days_over_60: float
    open_support_cases_over_3: float
    usage_trend: dict[UsageTrend, float]
    payment_late_over_30_days: float

    model_config = {"extra": "forbid"}


class ForecastBand(BaseModel):
    min_likelihood: float = Field(ge=0, le=1)
    category: ForecastCategory

    model_config = {"extra": "forbid"}


class RenewalRules(BaseModel):
    uplift_percent: Decimal = Field(ge=0, le=100)
    reminder_lead_days: list[int] = Field(min_length=1)
    approval_threshold: Decimal = Field(gt=0)
    campaigns: list[CampaignRule] = Field(min_length=1)
    likelihood: LikelihoodWeights
    forecast: list[ForecastBand] = Field(min_length=1)

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _complete(self) -> RenewalRules:
        if any(days <= 0 for days in self.reminder_lead_days):
            raise ValueError("reminder lead days must be positive")
        if self.campaigns[-1].when.model_dump(exclude_none=True):
            raise ValueError("the last campaign rule must have no conditions, so every renewal has a sequence")
        if self.forecast[-1].min_likelihood != 0:
            raise ValueError("the last forecast band must start at 0, so every likelihood has a category")
        if set(self.likelihood.usage_trend) != {"Growing", "Flat", "Declining"}:
            raise ValueError("likelihood.usage_trend needs a weight for Growing, Flat and Declining")
        return self

    def campaign_for(self, agreement_type: AgreementType, value: Decimal | None) -> str:
        return next(rule.campaign_key for rule in self.campaigns if rule.when.matches(agreement_type, value))

    def forecast_category(self, likelihood: float) -> ForecastCategory:
        return next(band.category for band in self.forecast if likelihood >= band.min_likelihood)
