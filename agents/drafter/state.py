"""The drafter subgraph's working state: the run's state plus its intermediate decisions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from playbook_store.models import ClauseChoice, DealFacts, TemplateSelection, TermRequest
from runtime.state import DraftedClause, RunState


class DrafterState(RunState):
    facts: DealFacts | None = None
    requests: list[TermRequest] = Field(default_factory=list)
    selection: TemplateSelection | None = None
    clauses: list[ClauseChoice] = Field(default_factory=list)
    drafted_clauses: list[DraftedClause] = Field(default_factory=list)
    negotiated_text: str | None = None
    engine: Literal["offline", "model"] = "offline"
