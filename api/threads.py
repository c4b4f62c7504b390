"""The LangGraph server's threads and runs, reached in-process through the SDK client.

The threads are the source of truth for what a run is doing; the ledgers only say which thread an event
belongs to. One lock per opportunity, workflow or thread makes "look up, then start" one step.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import httpx
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from api.auth import configured_key
from api.ledger import EventLedger
from api.problems import MAX_ERROR_CHARS, FlowProblem

GRAPH_ID = "contractloop"
OPEN_THREAD_STATES = frozenset({"busy", "interrupted"})


class Threads:
    def __init__(self) -> None:
        self._client: LangGraphClient | None = None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def client(self) -> LangGraphClient:
        if self._client is None:
            # No url: the SDK talks to this very server in-process (ASGI), through the same API-key auth.
            self._client = get_client(url=None, api_key=configured_key())
        return self._client

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks[key]

    async def get(self, thread_id: str) -> dict[str, Any] | None:
        """The thread, or None when the server has no such thread."""
        try:
            return dict(await self.client.threads.get(thread_id))
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (404, 422):
                return None
            raise

    async def run_error(self, thread_id: str) -> str:
        """The failing step and its exception, from the checkpoint's pending task (the run API masks it)."""
        try:
            state = await self.client.threads.get_state(thread_id)
        except httpx.HTTPStatusError as exc:  # the status route still answers `failed`, never 500
            return f"the run failed; its checkpoint could not be read back: {exc}"[:MAX_ERROR_CHARS]
        for task in state.get("tasks") or []:
            if task.get("error"):
                return f"{task['name']}: {task['error']}"[:MAX_ERROR_CHARS]
        return "the run failed; see the server log"


async def thread_for(ledger: EventLedger, thread_id: str | None, opportunity_id: str | None) -> str:
    """The thread named, else the opportunity's latest run."""
    if thread_id:
        return thread_id
    assert opportunity_id is not None
    latest = await asyncio.to_thread(ledger.latest_for, opportunity_id)
    if latest is None:
        raise FlowProblem(404, "not_found", f"no run has been started for opportunity {opportunity_id}")
    return latest.thread_id
