"""Why a chat message was not delivered, and whether sending it again could help."""

from __future__ import annotations


class ChatDeliveryError(Exception):
    """One attempt failed. `retryable`: the service was unreachable, busy or briefly broken (network error, 5xx,
    429, Slack's transient error codes); otherwise it refused the message and will refuse it again."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message, self.retryable, self.status, self.retry_after = message, retryable, status, retry_after

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.status else self.message
