"""Human approval: the request and decision schemas (LangChain v1 human-in-the-loop shape).

The request lists one action, launching the Ironclad workflow, with the arguments a reviewer may edit.
A resume must validate as `ApprovalResponse`. One that does not is refused by the API before the run is
created (`api.resume_check`), and, should one get through, `graphs.approval.ask_for_decision` refuses it too: the state
does not change and the same request is asked again, so the reviewer can simply answer again.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

LAUNCH_ACTION = "launch_ironclad_workflow"
DecisionType = Literal["approve", "edit", "reject"]


class ActionRequest(BaseModel):
    name: str
    args: dict[str, Any]
    description: str


class ReviewConfig(BaseModel):
    action_name: str
    allowed_decisions: list[DecisionType]


class ApprovalRequest(BaseModel):
    """What a reviewer sees (in Studio, through the Flow API, and as a Salesforce Task)."""

    action_requests: list[ActionRequest]
    review_configs: list[ReviewConfig]
    opportunity_id: str
    correlation_id: str
    approver_role: str
    risk_score: int
    risk_summary: str
    salesforce_task_id: str | None = None


class EditedAction(BaseModel):
    name: str = Field(LAUNCH_ACTION, description="The action being edited (launch, or applying a write plan).")
    args: dict[str, Any] = Field(description="Template attributes to change; validated and re-reviewed.")


class HumanDecision(BaseModel):
    type: DecisionType
    edited_action: EditedAction | None = None
    message: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> HumanDecision:
        if self.type == "edit" and (self.edited_action is None or not self.edited_action.args):
            raise ValueError("an 'edit' decision needs edited_action.args")
        if self.type != "edit" and self.edited_action is not None:
            raise ValueError("edited_action is only allowed with an 'edit' decision")
        if self.type == "reject" and not (self.message and self.message.strip()):
            raise ValueError("a 'reject' decision needs a message giving the reason")
        return self


class ApprovalResponse(BaseModel):
    """The resume value: one decision for the one action, and who made it."""

    decisions: list[HumanDecision] = Field(min_length=1, max_length=1)
    reviewer: str = Field(min_length=1, max_length=255)


def response_problems(value: Any) -> list[str]:
    """Why `value` is not an `ApprovalResponse`, one line per problem; empty when it is one."""
    try:
        ApprovalResponse.model_validate(value)
    except ValidationError as exc:
        return validation_messages(exc)
    return []


def validation_messages(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'resume'}: {e['msg']}" for e in exc.errors(include_url=False)]
