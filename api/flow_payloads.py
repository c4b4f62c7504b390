"""The Flow-facing contract: flat request and response bodies a Salesforce Flow HTTP Callout can send and read.

Kept flat on purpose: Flow infers types from a sample, takes no floats, enums or mixed-type lists, and at
most 15 nesting levels. Every response field is a string, integer, boolean, list of strings or null.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.approval_schemas import ApprovalResponse, EditedAction, HumanDecision
from core.contract_answer import ContractAnswer

CONTRACTING_STAGE = "Contracting"
SALESFORCE_ID = r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$"


class FlowModel(BaseModel):
    # Unknown keys are refused so that a typo in a Flow's body is reported instead of silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OpportunityEvent(FlowModel):
    """Sent when an Opportunity changes stage; only "Contracting" starts a run."""

    opportunity_id: str = Field(pattern=SALESFORCE_ID, description="Opportunity Id (15 or 18 characters).")
    stage: str = Field(min_length=1, max_length=255, description="The Opportunity's new StageName.")
    event_id: str = Field(min_length=1, max_length=255,
                          description="Unique per event; a retried callout sends the same value.")
    requested_by: str | None = Field(None, max_length=255, description="Who moved the stage (user name or Id).")


class DocumentReviewRequest(FlowModel):
    """Sent when a counterparty's file is attached to an Opportunity (or a user asks for its review)."""

    opportunity_id: str = Field(pattern=SALESFORCE_ID, description="Opportunity Id (15 or 18 characters).")
    content_document_id: str = Field(pattern=r"^069[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$",
                                     description="The file's ContentDocument Id (069...).")
    event_id: str = Field(min_length=1, max_length=255,
                          description="Unique per request; a retried callout sends the same value.")
    requested_by: str | None = Field(None, max_length=255, description="Who attached the file (user name or Id).")


class ReviewAccepted(FlowModel):
    status: str = Field(description="started, or the status of the review already handling this file")
    duplicate: bool
    thread_id: str
    run_id: str | None = None
    opportunity_id: str
    content_document_id: str
    message: str


class EventAccepted(FlowModel):
    status: str = Field(description="started, ignored, or the current status of the run already handling it.")
    duplicate: bool = Field(description="True when this event (or an open run for the Opportunity) was already known.")
    thread_id: str | None = None
    run_id: str | None = None
    correlation_id: str | None = None
    opportunity_id: str
    message: str


class ApprovalSubmission(FlowModel):
    """A reviewer's decision, sent from a Flow screen; names the run by Opportunity or by thread."""

    opportunity_id: str | None = Field(None, pattern=SALESFORCE_ID)
    thread_id: str | None = Field(None, min_length=1, max_length=64)
    decision: Literal["approve", "edit", "reject"]
    reviewer: str = Field(min_length=1, max_length=255)
    message: str | None = Field(None, max_length=2000)
    edited_attributes: dict[str, Any] | None = Field(
        None, description="Template attributes to change (decision 'edit' only); the draft is reviewed again.")
    edited_attributes_json: str | None = Field(
        None, max_length=100_000,
        description="The same as edited_attributes, as a JSON object string (easier to build in a Flow).")

    @field_validator("message", "thread_id", "opportunity_id", "edited_attributes_json", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: str | None) -> str | None:
        # Flow sends empty strings for unset text variables.
        return value or None

    @field_validator("edited_attributes")
    @classmethod
    def _empty_map_is_absent(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return value or None

    @model_validator(mode="after")
    def _consistent(self) -> ApprovalSubmission:
        if not (self.opportunity_id or self.thread_id):
            raise ValueError("give opportunity_id or thread_id")
        return self

    def attributes(self) -> dict[str, Any] | None:
        """The edited attributes from whichever field carried them (checked by `problems`)."""
        if self.edited_attributes_json:
            parsed = json.loads(self.edited_attributes_json)
            return parsed or None
        return self.edited_attributes

    def problems(self) -> list[tuple[str, str]]:
        """Rules that depend on the decision, reported against the field a Flow author has to fix."""
        found: list[tuple[str, str]] = []
        if self.edited_attributes_json:
            if self.edited_attributes:
                return [("edited_attributes_json", "give edited_attributes or edited_attributes_json, not both")]
            try:
                parsed = json.loads(self.edited_attributes_json)
            except ValueError as exc:
                return [("edited_attributes_json", f"not valid JSON: {exc}")]
            if not isinstance(parsed, dict):
                return [("edited_attributes_json", "must be a JSON object of attribute name to value")]
        edited = self.attributes()
        if self.decision == "edit" and not edited:
            found.append(("edited_attributes", "an 'edit' decision needs at least one edited attribute"))
        if self.decision != "edit" and edited:
            found.append(("edited_attributes", "edited attributes are only allowed with decision 'edit'"))
        if self.decision == "reject" and not self.message:
            found.append(("message", "a 'reject' decision needs a message giving the reason"))
        return found

    def to_resume(self) -> ApprovalResponse:
        attributes = self.attributes()
        edited = EditedAction(args=attributes) if self.decision == "edit" and attributes else None
        return ApprovalResponse(
            decisions=[HumanDecision(type=self.decision, edited_action=edited, message=self.message)],
            reviewer=self.reviewer,
        )


class ApprovalAccepted(FlowModel):
    status: str = Field(description="'resuming': the decision was accepted and the run continues in the background.")
    thread_id: str
    run_id: str
    opportunity_id: str | None = None
    decision: str
    message: str


class PendingApproval(FlowModel):
    """What the reviewer is asked to decide, flattened from the graph's ApprovalRequest."""

    approver_role: str
    risk_score: int
    risk_summary: str
    action: str
    description: str
    allowed_decisions: list[str]
    templates: list[str] = Field(description="Ironclad templates to launch; the first is the primary document.")
    clauses: list[str] = Field(default_factory=list, description="Drafted clauses, as 'clause id vVersion'.")
    attributes_json: str = Field(description="The primary document's launch attributes, as a JSON object string.")
    addenda_json: str = Field("{}", description="Attributes of each addendum by template, as a JSON object string.")
    salesforce_task_id: str | None = None
    correlation_id: str


class RunStatus(FlowModel):
    """The state of the run handling an Opportunity, as a Flow reads it when polling."""

    status: str = Field(description="running, awaiting_approval, launched, rejected, not_launched, failed, ...")
    thread_id: str
    opportunity_id: str | None = None
    correlation_id: str | None = None
    workflow_id: str | None = None
    workflow_link: str | None = None
    workflow_status: str | None = None
    addendum_workflow_ids: list[str] = Field(default_factory=list,
                                             description="Workflows launched for addenda (e.g. a DPA) with it.")
    addendum_workflow_links: list[str] = Field(default_factory=list)
    risk_score: int | None = None
    risk_route: str | None = None
    risk_summary: str | None = None
    decision: str | None = None
    decided_by: str | None = None
    approval: PendingApproval | None = None
    refusals: list[str] = Field(default_factory=list, description="What the rollout mode or pilot refused "
                                "(CONTRACTLOOP_MODE, CONTRACTLOOP_PILOT_TEMPLATES), each with its reason.")
    document_error: str | None = Field(None, description="A document review whose file could not be read: why, "
                                       "starting with the reason (empty, too_large, encrypted, ...); the review is "
                                       "recorded as Unreadable and a person has the Task.")
    error: str | None = None
    updated_at: str | None = None


class ErrorField(FlowModel):
    field: str
    message: str


class ErrorBody(FlowModel):
    error: str
    detail: str
    fields: list[ErrorField] = Field(default_factory=list)


class PlannedChange(FlowModel):
    """One line of an executed contract's write plan: what changes in Salesforce, and where it came from."""

    sobject: str
    record: str
    field: str
    old: str | None = None
    new: str | None = None
    citation: str | None = None


class SyncedRenewal(FlowModel):
    """The renewal planned from the terms a sync wrote (the same run goes on to plan it)."""

    outcome: str
    renewal_date: str | None = None
    notice_deadline: str | None = None
    amount: str | None = None
    approval_reasons: list[str] = Field(default_factory=list, description="why the playbook holds it for a person")
    written: bool = False


class SyncStatus(FlowModel):
    """The state of an executed contract's sync into Salesforce."""

    status: str = Field(description="running, awaiting_approval, completed, rejected, failed, ...")
    awaiting: Literal["write_plan", "renewal"] | None = Field(
        None, description="with awaiting_approval: the decision asked for, on the write plan or on the renewal "
                          "planned after it (answer either at POST /flow/approvals with this thread id)")
    thread_id: str
    workflow_id: str
    record_id: str | None = None
    record_name: str | None = None
    opportunity_id: str | None = None
    engine: str | None = None
    review_reasons: list[str] = Field(default_factory=list)
    changes: list[PlannedChange] = Field(default_factory=list)
    written_records: int = 0
    document_error: str | None = Field(None, description="The signed copy could not be read: why, starting with the "
                                       "reason (empty, too_large, encrypted, ...); nothing was extracted, the insight "
                                       "needs review and a person has the Task.")
    renewal: SyncedRenewal | None = None
    refusals: list[str] = Field(default_factory=list, description="What the rollout mode or pilot refused "
                                "(CONTRACTLOOP_MODE, CONTRACTLOOP_PILOT_TEMPLATES), each with its reason.")
    error: str | None = None


class ContractQuestionRequest(FlowModel):
    """Asked from a Salesforce record (Lightning component or Flow): answered within the callout limit."""

    question: str = Field(min_length=1, max_length=2000)
    asked_by: str = Field(pattern=r"^005[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$",
                          description="The asking User's Id (005...): answers come only from what they can read.")
    record_id: str | None = Field(None, pattern=SALESFORCE_ID,
                                  description="The Opportunity or Account the question is asked from.")
    conversation_id: str | None = Field(None, max_length=255,
                                        description="Same value for follow-ups; default: the user and record.")


class RecordAnswer(BaseModel):
    """The answer to a record's question, flat for a Flow: the text, where it comes from, the verbatim quotes."""

    found: bool
    outcome: str = Field(description="answered, not_in_contract, no_contract_visible or ambiguous_contract")
    answer: str | None = None
    category: str | None = Field(None, description="what the question was read as asking about")
    contract_key: str | None = None
    contract_name: str | None = None
    contract_link: str | None = Field(None, description="the Ironclad record")
    term_name: str | None = None
    term_value: str | None = Field(None, description="the extracted value, when the question maps to a term")
    quotes: list[str] = Field(default_factory=list, description="verbatim from the contract, best first")
    citations: list[str] = Field(default_factory=list, description="each quote with its page, for display")
    confidence_percent: int = 0
    engine: str = "offline"

    @classmethod
    def of(cls, answer: ContractAnswer) -> RecordAnswer:
        contract = answer.contract
        return cls(found=answer.found, outcome=answer.outcome, answer=answer.answer, category=answer.category,
                   contract_key=contract.doc if contract else None, contract_name=contract.name if contract else None,
                   contract_link=contract.link if contract else None,
                   term_name=answer.term.name if answer.term else None,
                   term_value=answer.term.value if answer.term else None,
                   quotes=[c.quote for c in answer.citations],
                   citations=[f"p.{c.page or '?'}: \u201c{c.quote}\u201d" for c in answer.citations],
                   confidence_percent=round(answer.confidence * 100), engine=answer.engine)
