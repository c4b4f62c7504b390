"""Fault injection for the public API, switched at run time through `/_sandbox/faults`."""

from __future__ import annotations

import threading

from pydantic import BaseModel, Field


class FaultPlan(BaseModel):
    status: int | None = Field(None, ge=500, le=599, description="Answer this 5xx instead of the real response.")
    count: int = Field(1, ge=0, description="How many matching requests to fault; 0 disables.")
    latency_ms: int = Field(0, ge=0, description="Extra delay before answering each matching request.")
    after_processing: bool = Field(False, description="Do the work, then answer the error: the write happened "
                                                      "but the client cannot tell.")
    method: str | None = None
    path_prefix: str = "/public/api/v1"


class Faults:
    def __init__(self) -> None:
        self._plan: FaultPlan | None = None
        self._lock = threading.Lock()

    def set(self, plan: FaultPlan | None) -> None:
        with self._lock:
            self._plan = plan if plan and plan.count > 0 else None

    def take(self, method: str, path: str) -> FaultPlan | None:
        """The plan when this request matches it, spending one of its `count`."""
        with self._lock:
            plan = self._plan
            if plan is None or not path.startswith(plan.path_prefix):
                return None
            if plan.method and plan.method.upper() != method.upper():
                return None
            plan.count -= 1
            if plan.count <= 0:
                self._plan = None
            return plan.model_copy()
