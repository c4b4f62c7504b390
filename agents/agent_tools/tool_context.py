"""What a specialist's tools may read during one agent run: typed clients and the run's own data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playbook_store.models import ApprovalDecision, RiskAssessment
from tools.documents import Document
from tools.salesforce.client import SalesforceClient


@dataclass(frozen=True)
class ToolContext:
    salesforce: SalesforceClient | None = None
    opportunity_id: str | None = None
    assessment: RiskAssessment | None = None
    approval: ApprovalDecision | None = None
    document: Document | None = None
    renewal_facts: dict[str, Any] | None = None  # one renewal plan's schedule, likelihood and account signals
    paper_positions: list[dict[str, Any]] | None = None  # inbound paper: each position and the engine's finding


class ToolUnavailable(Exception):
    """The agent bound a tool whose data this run does not have: a wiring defect, reported to the model."""
