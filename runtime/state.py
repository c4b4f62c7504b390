"""Typed state of a run: the task, what each specialist produced, the human decision and the writes."""

from __future__ import annotations

import operator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from core.contract_answer import ContractAnswer
from core.contract_terms import ContractTerms
from core.document_review import DocumentReview
from core.state_model import StateModel
from playbook_store.compliance import ComplianceReport
from playbook_store.models import (
    ApprovalDecision,
    ClauseChoice,
    DealFacts,
    RiskAssessment,
    TemplateSelection,
    TermRequest,
)
from runtime.renewals import RenewalRun
from tools.neutralise import neutralise_value
from tools.salesforce.models import OpportunityBundle
from tools.write_plan import FieldChange, OpResult, WritePlan

TaskKind = Literal["draft_contract", "extract_executed_contract", "plan_renewals", "plan_renewal",
                   "review_document", "answer_question"]
RunStatus = Literal[
    "received", "drafted", "reviewed", "awaiting_approval", "approved", "rejected", "launched", "extracted",
    "planned", "completed", "failed", "not_launched",
]


class Task(StateModel):
    """What a run is asked to do; validated at intake from a Flow event or an Ironclad webhook."""

    kind: TaskKind
    event_id: str = Field(min_length=1, max_length=255)
    opportunity_id: str | None = Field(None, pattern=r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
    stage: str | None = None
    workflow_id: str | None = None
    requested_by: str | None = None
    # plan_renewals: as of which day, how far ahead, and (optionally) only these contracts by insight key;
    # plan_renewal: one contract, by its insight key (`contract_keys` of one)
    as_of: date | None = None
    horizon_days: int = Field(180, ge=1, le=3660)
    contract_keys: list[str] | None = Field(None, max_length=2000)
    # review_document: the counterparty's file on the Opportunity (a ContentDocument Id)
    content_document_id: str | None = Field(None, pattern=r"^069[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$")
    # answer_question: who asks (a Salesforce User Id), what, and from which record; or `escalate` the
    # thread's last question to Legal. The thread is the conversation (one per conversation and asker).
    question: str | None = Field(None, min_length=1, max_length=2000)
    asked_by: str | None = Field(None, pattern=r"^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$")
    record_id: str | None = Field(None, pattern=r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
    conversation_id: str | None = Field(None, max_length=255)
    escalate: bool = False

    @model_validator(mode="after")
    def _one_contract_for_plan_renewal(self) -> Task:
        if self.kind == "plan_renewal" and (not self.contract_keys or len(self.contract_keys) != 1):
            raise ValueError("plan_renewal plans one contract: give contract_keys with exactly one insight key "
                             "(use plan_renewals for a scan)")
        return self

    @model_validator(mode="after")
    def _asker_for_question(self) -> Task:
        if self.kind == "answer_question" and not (self.asked_by and self.conversation_id
                                                   and (self.question or self.escalate)):
            raise ValueError("answer_question needs asked_by (a User Id), conversation_id and the question "
                             "(or escalate)")
        return self

    @model_validator(mode="after")
    def _document_for_review(self) -> Task:
        if self.kind == "review_document" and not (self.opportunity_id and self.content_document_id):
            raise ValueError("review_document needs the Opportunity and the ContentDocument Id of the file to review")
        return self


class AttributeValue(StateModel):
    """A template attribute with the Salesforce field (or rule) it came from."""

    value: Any
    source: str


def _neutralised(value: Any) -> Any:
    """Every string inside an attribute value (a list of line items, a counterparty object) neutralised."""
    if isinstance(value, dict):
        return {k: _neutralised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_neutralised(v) for v in value]
    return neutralise_value(value)


class DraftDocument(StateModel):
    """One contract to launch: the primary template, or an addendum such as the DPA."""

    template_key: str
    template_id: str
    attributes: dict[str, AttributeValue]

    def launch_attributes(self) -> dict[str, Any]:
        """The attributes Ironclad receives, text neutralised (they reach generated documents and exports)."""
        return {name: _neutralised(a.value) for name, a in self.attributes.items() if a.value is not None}


class DraftedClause(StateModel):
    """Clause language in the draft, with the playbook position it is grounded in."""

    clause_id: str
    version: int
    request: str = Field(description="The special-terms text (or CRM field) this clause answers.")
    text: str
    engine: Literal["offline", "model"] = "offline"
    exceeds_playbook: bool = False


class Draft(StateModel):
    facts: DealFacts
    selection: TemplateSelection
    requests: list[TermRequest] = Field(default_factory=list)
    clauses: list[ClauseChoice] = Field(default_factory=list)
    drafted_clauses: list[DraftedClause] = Field(default_factory=list)
    documents: list[DraftDocument]
    engine: Literal["offline", "model"] = "offline"
    notes: list[str] = Field(default_factory=list)

    @property
    def primary(self) -> DraftDocument:
        return self.documents[0]


class RiskReview(StateModel):
    assessment: RiskAssessment
    approval: ApprovalDecision
    narrative: str | None = Field(None, description="The model's plain-language note for the approver, if any.")

    def summary(self) -> str:
        a, route = self.assessment, self.approval.route
        lines = [f"Risk score {a.score}/100; route {route}"
                 + (f" ({self.approval.approver_role})" if self.approval.approver_role else "") + "."]
        lines += [f"[{f.severity.upper()}] {f.rule_id}: {f.message}" for f in a.findings]
        if not a.findings:
            lines.append("No findings.")
        return "\n".join(lines)


class Decision(StateModel):
    """The outcome of the approval step (auto or human), as recorded for audit."""

    type: Literal["approve", "edit", "reject"]
    by: str
    automatic: bool = False
    message: str | None = None
    edited_attributes: dict[str, Any] | None = None


class Launch(StateModel):
    workflow_id: str
    ironclad_id: str | None = None
    template_key: str
    link: str
    status: str
    created: bool


class PacketDeal(StateModel):
    """What the audit packet names of the deal, read with the sync plan's snapshot (no read of its own)."""

    opportunity_name: str = ""
    account_name: str = ""
    workflow_link: str | None = None
    risk_summary: str | None = Field(None, description="the drafting review's findings on the Opportunity")


class ExecutedContract(StateModel):
    """An executed contract on its way into Salesforce: where it belongs, what it says, what will change."""

    workflow_id: str
    record_id: str | None = None
    record_name: str | None = None
    opportunity_id: str | None = None
    account_id: str | None = None
    pages: int = 0
    document_error: str | None = None
    engine: Literal["offline", "model"] = "offline"
    terms: ContractTerms | None = None
    plan: WritePlan | None = None
    current: dict[str, dict[str, Any] | None] = Field(
        default_factory=dict, description="What Salesforce held for each plan operation when the plan was made.")
    changes: list[FieldChange] = Field(default_factory=list)
    review_reasons: list[str] = Field(default_factory=list)
    results: list[OpResult] = Field(default_factory=list)
    # The signed copy as read, and the required clauses of a regulated deal attested in it (its audit packet).
    document_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    document_name: str | None = None
    compliance: ComplianceReport | None = None
    packet_deal: PacketDeal | None = None
    packet_key: str | None = Field(None, description="the audit packet's ContentVersion key, once filed")
    packet_error: str | None = Field(None, description="why the packet could not be filed (the sync stands)")


class InboundPaper(StateModel):
    """A counterparty's document on its way through review: the file, the review, what was written."""

    content_document_id: str
    opportunity_id: str
    review: DocumentReview
    plan: WritePlan | None = None
    alerted: bool = False
    results: list[OpResult] = Field(default_factory=list)


class QuestionTurn(StateModel):
    """The conversation's last question and its answer (a follow-up reads the same contract)."""

    event_id: str
    answer: ContractAnswer
    model_notes: list[str] = Field(default_factory=list, description="how the model's answer went, if one ran")
    escalation_refusal: str | None = Field(None, description="why this turn's escalation was not written "
                                                             "(the rollout mode writes no Tasks)")


class RunState(StateModel):
    """The graph's state. Specialists add to it; nothing is overwritten silently."""

    task: Task
    correlation_id: str = ""
    status: RunStatus = "received"
    bundle: OpportunityBundle | None = None
    draft: Draft | None = None
    review: RiskReview | None = None
    decision: Decision | None = None
    approval_task_id: str | None = None
    launch: Launch | None = None
    addenda: list[Launch] = Field(default_factory=list)
    contract: ExecutedContract | None = None
    renewals: RenewalRun | None = None
    # The renewal gate's decision, apart from `decision`: an executed-contract run that synced (decision on its
    # write plan) goes on to plan that contract's renewal, which the playbook may hold for a person of its own.
    renewal_decision: Decision | None = None
    inbound: InboundPaper | None = None
    qa: QuestionTurn | None = None
    error: str | None = None
    # What the rollout mode or pilot refused (core/rollout.py), each with its reason: shown to the user.
    refusals: Annotated[list[str], operator.add] = Field(default_factory=list)
    log: Annotated[list[str], operator.add] = Field(default_factory=list)
