"""Fault injection for the chat receiver, switched at run time through `/_sandbox/faults`."""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, Field, field_validator

# slack_api is chat.postMessage; slack_ephemeral chat.postEphemeral; slack_users users.info; slack_response a
# response_url.
Kind = Literal["slack_webhook", "slack_api", "teams", "slack_ephemeral", "slack_users", "slack_response"]


class ChatFaultPlan(BaseModel):
    status: int = Field(500, description="Answer this instead: a 5xx, or 429 (with Retry-After when given).")
    count: int = Field(1, ge=0, description="How many matching requests to fault; 0 clears the plan.")
    retry_after: float | None = Field(None, ge=0, description="Seconds for the Retry-After header (fractions "
                                                               "allowed, so tests stay fast).")
    kind: Kind | None = Field(None, description="Only requests to this endpoint; None = every endpoint.")

    @field_validator("status")
    @classmethod
    def _busy_or_broken(cls, status: int) -> int:
        if not (status == 429 or 500 <= status <= 599):
            raise ValueError("status must be 429 or a 5xx")
        return status


class ChatFaults:
    def __init__(self) -> None:
        self._plan: ChatFaultPlan | None = None
        self._lock = threading.Lock()

    def set(self, plan: ChatFaultPlan | None) -> None:
        with self._lock:
            self._plan = plan if plan and plan.count > 0 else None

    def take(self, kind: Kind) -> ChatFaultPlan | None:
        """The plan when this request matches it, spending one of its `count`."""
        with self._lock:
            plan = self._plan
            if plan is None or (plan.kind and plan.kind != kind):
                return None
            plan.count -= 1
            if plan.count <= 0:
                self._plan = None
            return plan.model_copy()
