"""Polling a status route until a run settles, as a Flow (or Ironclad's admin) would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx


def poll(http: httpx.Client, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict:
    """GET `path` until `done(body)`; a non-200 answer counts as a status named after it (e.g. not started yet)."""
    deadline = time.monotonic() + timeout
    while True:
        response = http.get(path)
        body = response.json() if response.status_code == 200 else {"status": f"http {response.status_code}"}
        if done(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
