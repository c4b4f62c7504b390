"""The specialists the supervisor can route to. Adding one (renewal planner, Q&A, ...) is one entry here.

Each specialist says which task kinds it serves and, from the run's state, whether it has work to do now.
The supervisor takes the first that is due, so the order below is the order of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from agents.drafter.graph import build_drafter
from agents.extractor.graph import build_extractor
from agents.risk_reviewer.graph import build_risk_reviewer
from graphs.approval_node import build_approval, build_await_decision
from graphs.plan_review import build_await_plan_decision, build_plan_gate
from graphs.publish import build_publisher
from graphs.sync_writer import build_sync_writer
from runtime.state import RunState, TaskKind

# Every node the supervisor can hand a run to; the supervisor's return type is drawn from this.
SpecialistName = Literal["drafter", "risk_reviewer", "approval", "await_decision", "publisher", "extractor",
                         "plan_review", "await_plan_decision", "crm_writer"]
# Where the supervisor can send a run: a specialist, or the end ("__end__" is langgraph's END).
Route = Literal[SpecialistName, "__end__"]


@dataclass(frozen=True)
class Specialist:
    name: SpecialistName
    handles: frozenset[TaskKind]
    is_due: Callable[[RunState], bool]
    build: Callable[[], Any] = lambda: None  # returns the compiled subgraph (or a node function)
    description: str = ""


def _drafting_due(s: RunState) -> bool:
    return s.draft is None


def _review_due(s: RunState) -> bool:
    return s.draft is not None and s.review is None


def _approval_due(s: RunState) -> bool:
    return s.review is not None and s.decision is None and s.status != "awaiting_approval"


def _decision_due(s: RunState) -> bool:
    return s.review is not None and s.decision is None and s.status == "awaiting_approval"


def _publish_due(s: RunState) -> bool:
    return s.decision is not None and s.decision.type in ("approve", "reject") and s.status not in (
        "launched", "rejected", "completed")


def _extraction_due(s: RunState) -> bool:
    return s.contract is None or (s.contract.plan is None and s.status not in ("failed",))


def _plan_review_due(s: RunState) -> bool:
    return s.contract is not None and s.contract.plan is not None and s.decision is None \
        and s.status != "awaiting_approval"


def _plan_decision_due(s: RunState) -> bool:
    return s.contract is not None and s.decision is None and s.status == "awaiting_approval"


def _sync_due(s: RunState) -> bool:
    return s.contract is not None and s.decision is not None and s.status not in ("completed", "rejected")


def specialists() -> list[Specialist]:
    draft: frozenset[TaskKind] = frozenset({"draft_contract"})
    extract: frozenset[TaskKind] = frozenset({"extract_executed_contract"})
    return [
        Specialist("drafter", draft, _drafting_due, build_drafter,
                   "Reads the deal, picks the template, maps attributes, drafts special terms."),
        Specialist("risk_reviewer", draft, _review_due, build_risk_reviewer,
                   "Applies the playbook's risk rules and approval policy to deal and draft."),
        Specialist("approval", draft, _approval_due, build_approval,
                   "Auto-approves by policy, or shows the approval request in Salesforce as a Task."),
        Specialist("await_decision", draft, _decision_due, build_await_decision,
                   "Waits for the human decision (interrupt): approve, edit or reject."),
        Specialist("publisher", draft, _publish_due, build_publisher,
                   "Launches the approved workflow in Ironclad and writes the outcome to the Opportunity."),
        Specialist("extractor", extract, _extraction_due, build_extractor,
                   "Reads the executed contract: terms with verified citations, and the Salesforce write plan."),
        Specialist("plan_review", extract, _plan_review_due, build_plan_gate,
                   "Applies the sync policy: auto-apply, or ask a human to review the diff."),
        Specialist("await_plan_decision", extract, _plan_decision_due, build_await_plan_decision,
                   "Waits for the human decision on the write plan (interrupt)."),
        Specialist("crm_writer", extract, _sync_due, build_sync_writer,
                   "Applies the approved write plan in one Composite call."),
    ]


def check_registry(team: list[Specialist]) -> None:
    """The registry and `SpecialistName` (so `Route`) list the same specialists, once each."""
    names = [s.name for s in team]
    if sorted(names) != sorted(get_args(SpecialistName)):
        raise ValueError(f"registry {names} does not match SpecialistName {get_args(SpecialistName)}")
