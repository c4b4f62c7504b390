"""A local OpenAI-compatible chat-completions server that answers from a script.

Lets tests exercise the real `ChatOpenAI` wire path (HTTP, JSON, tool calls, structured output) with no
model service. Each request pops the next scripted reply; every request body is kept for assertions.
With `embeddings=True` it also serves `/v1/embeddings` (a vector from each input's hash), keeping those bodies
in `embedding_requests`; without, the route is missing, as on an endpoint that has none.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.http import BackgroundServer

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def text(content: str) -> dict[str, Any]:
    return {"content": content}


def tool_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def json_content(payload: dict[str, Any]) -> dict[str, Any]:
    """A reply for `with_structured_output(..., method='json_schema')`: the JSON as message content."""
    return {"content": json.dumps(payload)}


@dataclass
class OpenAIStub:
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    embeddings: bool = False
    embedding_requests: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: BackgroundServer | None = None

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"{self._server.url}/v1"

    def start(self) -> OpenAIStub:
        routes = [Route("/v1/chat/completions", self._complete, methods=["POST"])]
        if self.embeddings:
            routes.append(Route("/v1/embeddings", self._embed, methods=["POST"]))
        app = Starlette(routes=routes)
        self._server = BackgroundServer(app).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()

    async def _embed(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self._lock:
            self.embedding_requests.append(body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]

        def vector(text: Any) -> list[float]:
            digest = hashlib.sha256(json.dumps(text).encode()).digest()
            return [b / 255.0 + 0.01 for b in digest[:16]]

        return JSONResponse({"object": "list", "model": body.get("model", "stub"),
                             "data": [{"object": "embedding", "index": i, "embedding": vector(t)}
                                      for i, t in enumerate(inputs)],
                             "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    async def _complete(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            if not self.replies:
                return JSONResponse({"error": {"message": "stub has no scripted reply left", "type": "stub"}},
                                    status_code=500)
            reply = self.replies.popleft()
        if callable(reply):
            reply = reply(body)
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
        finish = "stop"
        if reply.get("tool_calls"):
            message["tool_calls"] = [
                {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                 "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                for c in reply["tool_calls"]
            ]
            finish = "tool_calls"
        return JSONResponse({
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        })
