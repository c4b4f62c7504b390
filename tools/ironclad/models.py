"""Pydantic models of the Ironclad public API v1 resources the loop uses (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class IroncladModel(BaseModel):
    # Unknown fields are kept: tenants and API versions add fields, and we must not lose them.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class SelectOptions(IroncladModel):
    values: list[str] = []
    free_text_allowed: bool = False


class SchemaField(IroncladModel):
    type: str
    display_name: str = ""
    required: Literal["always", "never", "conditional"] | None = None
    property_key: str | None = None
    options: SelectOptions | None = None
    description: str | None = None


class WorkflowSchema(IroncladModel):
    id: str
    name: str
    fields: dict[str, SchemaField] = Field(default_factory=dict, alias="schema")


class Workflow(IroncladModel):
    id: str
    ironclad_id: str
    title: str
    template: str
    step: str
    status: Literal["active", "paused", "cancelled", "completed"]
    attributes: dict[str, Any] = Field(default_factory=dict)
    created: datetime | None = None
    last_updated: datetime | None = None
    creator: dict[str, Any] | None = None
    roles: list[dict[str, Any]] = Field(default_factory=list)
    approvals: dict[str, Any] | None = None
    signatures: dict[str, Any] | None = None
    record_ids: list[str] = Field(default_factory=list)
    is_revertible_to_review: bool = False


class Reviewer(IroncladModel):
    role: str
    display_name: str = ""
    reviewer_type: str = "role"
    status: Literal["pending", "approved"]


class ApprovalGroup(IroncladModel):
    order: int
    status: Literal["pending", "approved", "active"]
    reviewers: list[Reviewer] = Field(default_factory=list)


class Approvals(IroncladModel):
    workflow_id: str
    title: str = ""
    approval_groups: list[ApprovalGroup] = Field(default_factory=list)
    roles: list[dict[str, Any]] = Field(default_factory=list)

    def next_role(self) -> str | None:
        """The role whose turn it is to approve, if any."""
        for group in self.approval_groups:
            if group.status == "active":
                return next((r.role for r in group.reviewers if r.status == "pending"), None)
        return None


class ApiErrorBody(IroncladModel):
    code: str
    message: str
    param: str | None = None


class AsyncLaunch(IroncladModel):
    async_job_id: str
    async_job_status_url: str


class AsyncJob(IroncladModel):
    status: Literal["in_progress", "success", "failed"]
    request_payload: dict[str, Any] | None = None
    workflow: Workflow | None = None
    error: ApiErrorBody | None = None


class Comment(IroncladModel):
    id: str
    comment_message: str
    timestamp: datetime
    author: dict[str, Any] = Field(default_factory=dict)


class RecordProperty(IroncladModel):
    type: str
    value: Any = None


class Attachment(IroncladModel):
    filename: str | None = None
    content_type: str | None = None
    href: str | None = None


class Record(IroncladModel):
    id: str
    ironclad_id: str | None = None
    type: str
    name: str
    last_updated: datetime | None = None
    properties: dict[str, RecordProperty] = Field(default_factory=dict)
    attachments: dict[str, Attachment] = Field(default_factory=dict)
    links: list[dict[str, Any]] = Field(default_factory=list)
    contract_status: dict[str, Any] | None = None
    source: dict[str, Any] | None = None

    def value(self, key: str, default: Any = None) -> Any:
        prop = self.properties.get(key)
        return prop.value if prop else default

    @property
    def workflow_id(self) -> str | None:
        """The source workflow's id, from `source.workflowId` ("workflow:<id>")."""
        raw = (self.source or {}).get("workflowId")
        return raw.split(":", 1)[1] if isinstance(raw, str) and ":" in raw else raw


class Webhook(IroncladModel):
    id: str
    events: list[str]
    target_url: str = Field(alias="targetURL")
    company_id: str | None = None
    status: Literal["enabled", "disabled", "disabledBySystem"] = "enabled"
    status_last_updated_at: datetime | None = None
    status_last_updated_by: str | None = None
    consecutive_failure_count: int = 0
    first_consecutive_failure: datetime | None = None


ItemT = TypeVar("ItemT")


class Page(IroncladModel, Generic[ItemT]):
    page: int
    page_size: int
    count: int | None = None
    items: list[ItemT] = Field(default_factory=list, alias="list")


class WebhookPayload(IroncladModel):
    event: str
    workflow_id: str | None = Field(None, alias="workflowID")
    template_id: str | None = Field(None, alias="templateID")


class WebhookEvent(IroncladModel):
    """A verified delivery. `event_id` is unique per event: use it to drop duplicates (retries resend it)."""

    event_id: str
    company_id: str = Field(alias="companyID")
    timestamp: datetime
    webhook_id: str = Field(alias="webhookID")
    payload: WebhookPayload


class LaunchResult(BaseModel):
    """The workflow for a correlation key, and whether this call is the one that created it."""

    workflow: Workflow
    created: bool
