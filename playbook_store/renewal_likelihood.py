"""How likely a contract is to renew, and why: the playbook's weights over contract terms and account signals.

Log-odds add up from the playbook's intercept; every signal that moves them is a reason, said in words with its
weight, so a forecast in Salesforce can be traced to the terms and signals behind it. A model may explain the
result to a person; it never sets the number.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from core.state_model import StateModel
from playbook_store.renewal_rules import ForecastCategory, RenewalRules, UsageTrend


class RenewalSignals(BaseModel):
    """What the likelihood reads. Account signals are the integration points a real org maps from its service
    (open cases), product analytics (usage trend) and billing (days late) systems; None = not known."""

    auto_renews: bool
    termination_for_convenience: bool = False
    notice_days: int | None = None
    open_support_cases: int | None = None
    usage_trend: UsageTrend | None = None
    days_payment_late: float | None = None


# Between a model's explanation and the reasons it explains, in Renewal_Likelihood_Reasons__c.
EXPLANATION_BREAK = "\n\n"


class Likelihood(StateModel):
    probability: float = Field(ge=0, le=1)
    forecast_category: ForecastCategory
    reasons: list[str]


def renewal_likelihood(signals: RenewalSignals, rules: RenewalRules) -> Likelihood:
    weights = rules.likelihood
    contributions: list[tuple[float, str]] = []
    if signals.auto_renews:
        contributions.append((weights.auto_renews, "renews automatically unless notice is given"))
    else:
        contributions.append((0.0, "does not renew by itself: a new signature is needed"))
    if signals.termination_for_convenience:
        contributions.append((weights.termination_for_convenience, "either party may terminate for convenience"))
    if signals.notice_days is not None and signals.notice_days > 60:
        contributions.append((weights.notice_days_over_60, f"a long notice window ({signals.notice_days} days)"))
    if signals.open_support_cases is not None and signals.open_support_cases > 3:
        contributions.append((weights.open_support_cases_over_3,
                              f"{signals.open_support_cases} open support cases"))
    if signals.usage_trend is not None and weights.usage_trend[signals.usage_trend]:
        contributions.append((weights.usage_trend[signals.usage_trend], f"usage {signals.usage_trend.lower()}"))
    if signals.days_payment_late is not None and signals.days_payment_late > 30:
        contributions.append((weights.payment_late_over_30_days,
                              f"invoices paid {signals.days_payment_late:.0f} days late on average"))
    log_odds = weights.intercept + sum(weight for weight, _ in contributions)
    probability = round(1 / (1 + math.exp(-log_odds)), 3)
    reasons = [f"{why} ({weight:+.1f})" if weight else why for weight, why in contributions]
    return Likelihood(probability=probability, forecast_category=rules.forecast_category(probability),
                      reasons=reasons)
