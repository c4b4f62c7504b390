"""A renewal run's typed state: the contracts on file as the planner read them, and the plan for each.

Held in the run's state (JSON-native, see `core.state_model`), so a renewal plan that waits for approval
survives a restart and is shown to the approver as it will be written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field

from core.renewal_schedule import RenewalSchedule
from core.state_model import StateModel
from playbook_store.renewal_likelihood import Likelihood
from tools.write_plan import FieldChange, WritePlan


class ContractOnFile(StateModel):
    """One executed contract as Salesforce holds it, with what the planner already wrote for it."""

    insight_id: str
    insight_key: str
    opportunity_id: str | None = None
    opportunity_name: str | None = None
    owner_id: str | None = None
    opportunity_amount: Decimal | None = None
    account_id: str | None = None
    account_name: str | None = None
    effective_date: date | None = None
    expiration_date: date | None = None
    initial_term_months: float | None = None
    auto_renewal: bool = False
    renewal_term_months: float | None = None
    notice_period_days: float | None = None
    termination_for_convenience: bool = False
    total_contract_value: Decimal | None = None
    currency: str | None = None
    needs_review: bool = False
    open_support_cases: int | None = None
    usage_trend: str | None = None
    days_payment_late: float | None = None
    renewal: dict[str, Any] | None = Field(None, description="The renewal Opportunity the planner keeps, if any.")
    renewals_closed: int = Field(0, description="Earlier renewal cycles on file, closed (won or lost).")
    tasks: dict[str, dict[str, Any]] = Field(default_factory=dict)
    events: dict[str, dict[str, Any]] = Field(default_factory=dict)


class RenewalPlan(StateModel):
    contract: ContractOnFile
    schedule: RenewalSchedule
    likelihood: Likelihood | None = None
    amount: Decimal | None = None
    plan: WritePlan | None = None
    current: dict[str, dict[str, Any] | None] = Field(default_factory=dict)  # as the plan spells references
    held: dict[str, dict[str, Any] | None] = Field(default_factory=dict)  # as Salesforce holds them (for sending)
    changes: list[FieldChange] = Field(default_factory=list)
    approval_reasons: list[str] = Field(default_factory=list)
    outcome: str = ""  # what the plan does, in a few words


class RenewalRun(StateModel):
    """One scan: its as-of date and horizon, and the plans that would change something (the rest are counted)."""

    as_of: date
    horizon_days: int
    contracts: int = 0
    plans: list[RenewalPlan] = Field(default_factory=list)
    written: int = 0
    failures: list[str] = Field(default_factory=list)

    @property
    def held(self) -> list[RenewalPlan]:
        return [p for p in self.plans if p.approval_reasons]
