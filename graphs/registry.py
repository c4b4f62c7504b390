"""The specialists the supervisor can route to. Adding one (renewal planner, Q&A, ...) is one entry here.

Each row says which task kinds a specialist serves and, from the run's state, whether it has work to do now.
The supervisor takes the first row that is due, so the table in `specialists()` is the order of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from agents.drafter.graph import build_drafter
from agents.extractor.graph import build_extractor
from agents.qa.nodes import build_contract_answerer
from agents.renewal_planner.nodes import build_renewal_planner
from agents.reviewer.nodes import build_review_writer, build_reviewer
from agents.risk_reviewer.graph import build_risk_reviewer
from graphs.approval_node import build_approval, build_await_decision
from graphs.audit_packet import build_audit_packet, packet_due
from graphs.plan_review import build_await_plan_decision, build_plan_gate
from graphs.publish import build_publisher
from graphs.renewal_review import build_await_renewal_decision, build_renewal_gate, build_renewal_writer
from graphs.sync_writer import build_sync_writer
from runtime.state import RunState, TaskKind

# Every node the supervisor can hand a run to; the supervisor's return type is drawn from this.
SpecialistName = Literal["drafter", "risk_reviewer", "approval", "await_decision", "publisher", "extractor",
                         "plan_review", "await_plan_decision", "crm_writer", "renewal_planner", "renewal_review",
                         "await_renewal_decision", "renewal_writer", "audit_packet", "reviewer", "review_writer", "qa"]
# Where the supervisor can send a run: a specialist, or the end ("__end__" is langgraph's END).
Route = Literal[SpecialistName, "__end__"]


@dataclass(frozen=True)
class Specialist:
    name: SpecialistName
    handles: frozenset[TaskKind]
    is_due: Callable[[RunState], bool]
    build: Callable[[], Any] = lambda: None  # returns the compiled subgraph (or a node function)
    description: str = ""
    after_finish: bool = False  # may be due on a run whose status is final (launched, completed, ...)


DRAFT: frozenset[TaskKind] = frozenset({"draft_contract"})
EXTRACT: frozenset[TaskKind] = frozenset({"extract_executed_contract"})
RENEW: frozenset[TaskKind] = frozenset({"plan_renewals", "plan_renewal"})
# The renewal rows also serve an executed-contract run once its terms are written: the new terms planned at once.
RENEW_AFTER_SYNC: frozenset[TaskKind] = RENEW | EXTRACT
REVIEW: frozenset[TaskKind] = frozenset({"review_document"})
ASK: frozenset[TaskKind] = frozenset({"answer_question"})
_CLOSED = ("launched", "rejected", "completed", "not_launched")


def _renewal_planning_due(s: RunState) -> bool:
    if s.renewals is not None:
        return False
    if s.task.kind in RENEW:
        return True
    # an executed contract whose write plan was applied (a rejected or failed sync plans nothing)
    return s.contract is not None and s.contract.plan is not None and s.status == "completed"


def specialists() -> list[Specialist]:
    """The run order, one row per edge out of the supervisor: a run goes to the first row of its task kind
    whose condition holds on its state, and back to the supervisor when that specialist is done."""
    return [
        # Opportunity -> contract. No draft yet: read the deal, pick the paper, map, draft special terms.
        Specialist("drafter", DRAFT, lambda s: s.draft is None, build_drafter,
                   "Reads the deal, picks the template, maps attributes, drafts special terms."),
        # A draft nobody has reviewed: the playbook's risk rules and approval policy.
        Specialist("risk_reviewer", DRAFT, lambda s: s.draft is not None and s.review is None, build_risk_reviewer,
                   "Applies the playbook's risk rules and approval policy to deal and draft."),
        # Reviewed, undecided, nobody asked yet: approve by policy or raise the approval Task.
        Specialist("approval", DRAFT,
                   lambda s: s.review is not None and s.decision is None and s.status != "awaiting_approval",
                   build_approval, "Auto-approves by policy, or shows the approval request in Salesforce as a Task."),
        # A person was asked: wait for the decision (an interrupt; the run resumes here).
        Specialist("await_decision", DRAFT,
                   lambda s: s.review is not None and s.decision is None and s.status == "awaiting_approval",
                   build_await_decision, "Waits for the human decision (interrupt): approve, edit or reject."),
        # Decided and not yet carried out: launch in Ironclad (or record the rejection) and write back.
        Specialist("publisher", DRAFT,
                   lambda s: s.decision is not None and s.decision.type in ("approve", "reject")
                   and s.status not in _CLOSED,
                   build_publisher, "Launches the approved workflow in Ironclad and writes the outcome to the "
                                    "Opportunity."),
        # Executed contract -> CRM. Not read yet (or read without a plan): fetch, read, plan the writes.
        Specialist("extractor", EXTRACT,
                   lambda s: s.contract is None or (s.contract.plan is None and s.status != "failed"),
                   build_extractor, "Reads the executed contract: terms with verified citations, and the "
                                    "Salesforce write plan."),
        # A plan, undecided, nobody asked yet: the sync policy auto-applies it or asks for review.
        Specialist("plan_review", EXTRACT,
                   lambda s: s.contract is not None and s.contract.plan is not None and s.decision is None
                   and s.status != "awaiting_approval",
                   build_plan_gate, "Applies the sync policy: auto-apply, or ask a human to review the diff."),
        # A person was asked about the plan: wait for the decision (an interrupt).
        Specialist("await_plan_decision", EXTRACT,
                   lambda s: s.contract is not None and s.decision is None and s.status == "awaiting_approval",
                   build_await_plan_decision, "Waits for the human decision on the write plan (interrupt)."),
        # Decided and not written: apply the approved plan in one Composite call.
        Specialist("crm_writer", EXTRACT,
                   lambda s: s.contract is not None and s.decision is not None and s.renewals is None
                   and s.status not in ("completed", "rejected"),
                   build_sync_writer, "Applies the approved write plan in one Composite call."),
        # Written, and the deal is regulated: the audit packet PDF filed on the Opportunity, once.
        Specialist("audit_packet", EXTRACT, packet_due, build_audit_packet,
                   "Files the audit packet (hash, link, clause attestations, approvals, risks) on the Opportunity.",
                   after_finish=True),
        # Renewals (a scan, one contract, or the contract just synced). Not planned yet: read the contracts on
        # file, plan each (dates, likelihood, the writes).
        Specialist("renewal_planner", RENEW_AFTER_SYNC, _renewal_planning_due, build_renewal_planner,
                   "Plans renewals: renewal Opportunity, CPQ quote, deadline Tasks and Event, email sequence.",
                   after_finish=True),
        # Planned, undecided, nobody asked yet: write what the playbook allows, or ask about the held ones.
        Specialist("renewal_review", RENEW_AFTER_SYNC,
                   lambda s: s.renewals is not None and s.renewal_decision is None
                   and s.status != "awaiting_approval",
                   build_renewal_gate, "Applies the playbook's approval threshold to the renewal plans."),
        # A person was asked about the held renewals: wait for the decision (an interrupt).
        Specialist("await_renewal_decision", RENEW_AFTER_SYNC,
                   lambda s: s.renewals is not None and s.renewal_decision is None
                   and s.status == "awaiting_approval",
                   build_await_renewal_decision, "Waits for the human decision on the held renewals (interrupt)."),
        # Decided and not written: send the plans in bulk (the held ones only if approved).
        Specialist("renewal_writer", RENEW_AFTER_SYNC,
                   lambda s: s.renewals is not None and s.renewal_decision is not None and s.status not in _CLOSED,
                   build_renewal_writer, "Writes the renewal plans through the batch writer."),
        # Inbound paper. Not reviewed yet: fetch the file from Salesforce, score it against the positions.
        Specialist("reviewer", REVIEW, lambda s: s.inbound is None and s.status != "failed", build_reviewer,
                   "Reviews a counterparty's document against the playbook's positions: deviations with quotes, "
                   "risk score, route."),
        # Reviewed and not written: the review record, and the approver's Task when the route needs a person.
        Specialist("review_writer", REVIEW,
                   lambda s: s.inbound is not None and s.status not in ("completed", "failed"),
                   build_review_writer, "Writes the review to the Opportunity and asks the approver where needed."),
        # A question (or an escalation) this thread has not answered yet: the conversation's next turn.
        Specialist("qa", ASK, lambda s: s.qa is None or s.qa.event_id != s.task.event_id, build_contract_answerer,
                   "Answers a question about an executed contract the asker may see, cited; escalates to Legal."),
    ]


def check_registry(team: list[Specialist]) -> None:
    """The registry and `SpecialistName` (so `Route`) list the same specialists, once each."""
    names = [s.name for s in team]
    if sorted(names) != sorted(get_args(SpecialistName)):
        raise ValueError(f"registry {names} does not match SpecialistName {get_args(SpecialistName)}")
