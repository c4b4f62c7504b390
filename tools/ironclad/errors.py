"""Typed Ironclad API errors, one class per way a caller must react."""

from __future__ import annotations


class IroncladError(Exception):
    """An error answered by the Ironclad API (or the transport, with `status` None).

    `transient`: the same call may succeed a little later (a graph node is retried on it, runtime/transient_retry.py)."""

    transient = False

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None,
                 status: int | None = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.param, self.status, self.request_id = message, code, param, status, request_id

    def __str__(self) -> str:
        where = f" (param {self.param})" if self.param else ""
        head = f"{self.status} {self.code}: " if self.status else ""
        tail = f" [request {self.request_id}]" if self.request_id else ""
        return f"{head}{self.message}{where}{tail}"


class IroncladValidationError(IroncladError):
    """400 MISSING_PARAM / INVALID_PARAM: fix `param` and send again."""


class IroncladInvalidStateError(IroncladError):
    """400 INVALID_STATE: the workflow is not at a step where this is allowed."""


class IroncladNotFoundError(IroncladError):
    """404: no such workflow, record, template or webhook."""


class IroncladAuthError(IroncladError):
    """401/403, or the token endpoint refused the client credentials."""


class IroncladRateLimitedError(IroncladError):
    """429 still answered after every retry; `retry_after` seconds is the server's hint."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class IroncladServerError(IroncladError):
    """5xx or a transport failure that persisted through retries."""

    transient = True
