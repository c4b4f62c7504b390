"""What the chat receiver was sent, kept in memory for tests and demos (`GET /_sandbox/received`)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from pydantic import BaseModel

from sandbox.chat.faults import Kind


class Received(BaseModel):
    kind: Kind
    path: str
    body: dict[str, Any]
    received_at: float


class Inbox:
    """Accepted messages in order, and how many requests each endpoint had (faulted and refused ones too)."""

    def __init__(self) -> None:
        self._messages: list[Received] = []
        self._requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count_request(self, kind: Kind) -> None:
        with self._lock:
            self._requests[kind] += 1

    def accept(self, kind: Kind, path: str, body: dict[str, Any]) -> Received:
        message = Received(kind=kind, path=path, body=body, received_at=time.time())
        with self._lock:
            self._messages.append(message)
        return message

    def messages(self, kind: Kind | None = None) -> list[Received]:
        with self._lock:
            return [m for m in self._messages if kind is None or m.kind == kind]

    def requests(self) -> dict[str, int]:
        with self._lock:
            return dict(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._requests.clear()
