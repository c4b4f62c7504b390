"""Fault injection: make the next N matching requests fail the way a busy real org does.

Switches are set in-process (`FaultInjector.add`) or over HTTP on the sandbox-only control route
`/_sandbox/faults`, which lives outside `/services/` so no API client can reach it by accident.
A rule with `rate` below 1 affects that share of its matching requests instead of every one, drawn from its
`seed` (the same seed and request order hit the same requests); its `count` then caps how many it affects.
`/_sandbox/faults/injected` counts the errors injected so far, by kind.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class FaultKind(StrEnum):
    UNABLE_TO_LOCK_ROW = "UNABLE_TO_LOCK_ROW"  # 400, the transient row-lock contention error
    SERVER_UNAVAILABLE = "SERVER_UNAVAILABLE"  # 503
    LATENCY = "LATENCY"  # the request succeeds after `latency_ms`
    EXPIRE_SESSIONS = "EXPIRE_SESSIONS"  # acts at once: every issued session becomes invalid


class FaultRule(BaseModel):
    kind: FaultKind
    count: int = Field(1, ge=1, description="How many matching requests this rule affects.")
    path: str | None = Field(None, description="Regex searched in the request path; None matches all.")
    method: str | None = Field(None, description="HTTP method to match; None matches all.")
    latency_ms: int = Field(0, ge=0, le=120_000)
    rate: float = Field(1.0, gt=0, le=1, description="Share of matching requests affected, drawn from `seed`.")
    seed: int | None = Field(None, description="Seed of the draws: the same seed affects the same requests.")
    _rng: random.Random = PrivateAttr(default_factory=random.Random)

    def model_post_init(self, context: object) -> None:
        self._rng = random.Random(self.seed)

    def drawn(self) -> bool:
        """Whether this matching request is one the rule affects (always, unless `rate` is below 1)."""
        return self.rate >= 1 or self._rng.random() < self.rate

    @field_validator("path")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid path regex: {exc}") from exc
        return value

    @field_validator("method")
    @classmethod
    def _upper_method(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass(frozen=True)
class FaultError:
    status: int
    error_code: str
    message: str


@dataclass(frozen=True)
class FaultOutcome:
    delay_seconds: float = 0.0
    error: FaultError | None = None


_ERRORS = {
    FaultKind.UNABLE_TO_LOCK_ROW: FaultError(
        400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records"
    ),
    FaultKind.SERVER_UNAVAILABLE: FaultError(
        503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry your request."
    ),
}


class FaultInjector:
    """Holds pending fault rules; each matching request consumes one use of each rule it triggers."""

    def __init__(self, expire_sessions: Callable[[], int]) -> None:
        self._expire_sessions = expire_sessions
        self._rules: list[FaultRule] = []
        self._injected: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> None:
        if rule.kind is FaultKind.EXPIRE_SESSIONS:
            self._expire_sessions()
            return
        with self._lock:
            self._rules.append(rule)

    def expire_sessions(self) -> int:
        return self._expire_sessions()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def injected(self) -> dict[str, int]:
        """Errors injected so far (since the sandbox started or `reset_injected`), by kind."""
        with self._lock:
            return dict(self._injected)

    def reset_injected(self) -> None:
        with self._lock:
            self._injected.clear()

    def pending(self) -> list[FaultRule]:
        with self._lock:
            return [rule.model_copy() for rule in self._rules]

    def take(self, method: str, path: str) -> FaultOutcome:
        """Consume the rules this request triggers: all matching latencies, and the first error."""
        delay = 0.0
        error: FaultError | None = None
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(method, path):
                    continue
                if rule.kind is not FaultKind.LATENCY and error is not None:
                    continue
                if not rule.drawn():
                    continue
                if rule.kind is FaultKind.LATENCY:
                    delay += rule.latency_ms / 1000
                else:
                    error = _ERRORS[rule.kind]
                    self._injected[rule.kind.value] = self._injected.get(rule.kind.value, 0) + 1
                rule.count -= 1
                if rule.count == 0:
                    self._rules.remove(rule)
        return FaultOutcome(delay_seconds=delay, error=error)


def fault_control_routes(injector: FaultInjector) -> list[Route]:
    """`/_sandbox/faults`: GET lists pending rules, POST adds one (or a list), DELETE clears them."""

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse([rule.model_dump(mode="json") for rule in injector.pending()])
        if request.method == "DELETE":
            injector.clear()
            return Response(status_code=204)
        try:
            payload = await request.json()
            items = payload if isinstance(payload, list) else [payload]
            rules = [FaultRule.model_validate(item) for item in items]
        except ValueError as exc:  # JSONDecodeError and ValidationError are both ValueErrors
            detail = exc.errors(include_url=False, include_context=False) if isinstance(exc, ValidationError) else str(exc)
            return JSONResponse({"error": "invalid fault rule", "detail": detail}, status_code=400)
        for rule in rules:
            injector.add(rule)
        return JSONResponse([rule.model_dump(mode="json") for rule in injector.pending()], status_code=201)

    async def injected(request: Request) -> Response:
        if request.method == "DELETE":
            injector.reset_injected()
            return Response(status_code=204)
        return JSONResponse(injector.injected())

    return [Route("/_sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
            Route("/_sandbox/faults/injected", injected, methods=["GET", "DELETE"])]
