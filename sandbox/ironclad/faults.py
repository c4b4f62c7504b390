"""Fault injection for the public API, switched at run time through `/_sandbox/faults`.

By default a plan faults the next `count` matching requests with `status`. With `rate` below 1 it faults that
share of matching requests instead, drawn from `seed` (the same seed and request order fault the same requests),
answering one of `statuses` per fault (429 TOO_MANY_REQUESTS with `Retry-After`, or a 5xx); `count` then caps the
faults. `after_processing_share` of the 5xx are answered after the work was done, as a lost answer is. GET `/_sandbox/faults` shows the plan and how many requests it matched and faulted.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from pydantic import BaseModel, Field, field_validator

RATE_LIMITED = 429


class FaultPlan(BaseModel):
    status: int | None = Field(None, ge=500, le=599, description="Answer this 5xx instead of the real response.")
    count: int = Field(1, ge=0, description="How many matching requests to fault; 0 disables.")
    latency_ms: int = Field(0, ge=0, description="Extra delay before answering each matching request.")
    after_processing: bool = Field(False, description="Do the work, then answer the error: the write happened "
                                                      "but the client cannot tell.")
    after_processing_share: float = Field(0.0, ge=0, le=1,
                                          description="Share of injected 5xx answered after doing the work "
                                                      "(drawn from `seed`), the rest before it.")
    method: str | None = None
    path_prefix: str = "/public/api/v1"
    rate: float = Field(1.0, gt=0, le=1, description="Share of matching requests faulted (drawn from `seed`).")
    seed: int | None = Field(None, description="Seed of the draws: the same seed faults the same requests.")
    statuses: list[int] = Field(default_factory=list,
                                description="Answer one of these per fault (429 or 5xx), drawn from `seed`; "
                                            "overrides `status`.")
    retry_after: float = Field(1.0, ge=0, le=120, description="Retry-After seconds on an injected 429.")

    @field_validator("statuses")
    @classmethod
    def _faulting_statuses(cls, value: list[int]) -> list[int]:
        for status in value:
            if status != RATE_LIMITED and not 500 <= status <= 599:
                raise ValueError(f"statuses must be 429 or 5xx, not {status}")
        return value


class FaultStats(BaseModel):
    matched: int = 0  # requests the plan's method and path matched
    faulted: int = 0  # of those, answered with an injected error
    by_status: dict[str, int] = Field(default_factory=dict)


@dataclass(frozen=True)
class FaultHit:
    """What to do to one request: answer `status` (None: answer normally), after `latency_ms`."""

    status: int | None
    latency_ms: int
    after_processing: bool
    retry_after: float


class Faults:
    def __init__(self) -> None:
        self._plan: FaultPlan | None = None
        self._stats = FaultStats()
        self._rng = random.Random()
        self._lock = threading.Lock()

    def set(self, plan: FaultPlan | None) -> None:
        with self._lock:
            self._plan = plan if plan and plan.count > 0 else None
            self._stats = FaultStats()
            self._rng = random.Random(plan.seed if plan else None)

    def current(self) -> tuple[FaultPlan | None, FaultStats]:
        with self._lock:
            return (self._plan.model_copy() if self._plan else None), self._stats.model_copy(deep=True)

    def take(self, method: str, path: str) -> FaultHit | None:
        """What to do to this request when it matches the plan (and, under a `rate`, is drawn), spending one of
        the plan's `count`."""
        with self._lock:
            plan = self._plan
            if plan is None or not path.startswith(plan.path_prefix):
                return None
            if plan.method and plan.method.upper() != method.upper():
                return None
            self._stats.matched += 1
            if plan.rate < 1 and self._rng.random() >= plan.rate:
                return None
            plan.count -= 1
            if plan.count <= 0:
                self._plan = None
            status = self._rng.choice(plan.statuses) if plan.statuses else plan.status
            self._stats.faulted += 1
            if status is not None:
                self._stats.by_status[str(status)] = self._stats.by_status.get(str(status), 0) + 1
            # a 5xx may come after the write happened (a lost answer): the client cannot tell which it got
            after = plan.after_processing or (status is not None and status >= 500 and plan.after_processing_share > 0
                                              and self._rng.random() < plan.after_processing_share)
            return FaultHit(status, plan.latency_ms, after, plan.retry_after)
