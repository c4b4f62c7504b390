"""The approval interrupt: ask a human, and refuse a resume that is not an `ApprovalResponse`."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt
from pydantic import ValidationError

from core.approval_schemas import ApprovalResponse, validation_messages


def ask_for_decision(request: dict[str, Any]) -> ApprovalResponse | str:
    """Interrupt with `request`; the validated response, or why the resume was refused."""
    try:
        response = interrupt(request, response_schema=ApprovalResponse)
        return response if isinstance(response, ApprovalResponse) else ApprovalResponse.model_validate(response)
    except ValidationError as exc:
        return "; ".join(validation_messages(exc))[:2000]
