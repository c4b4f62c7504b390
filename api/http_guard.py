"""The server's front door: one ASGI middleware in front of every route, ours and LangGraph's own.

LangGraph's custom auth covers only its protected routes (`/threads`, `/runs`, `/assistants`, `/store`);
its meta routes (`/docs`, `/openapi.json`, `/info`, `/metrics`) and our Flow routes sit outside it, and a
request carrying `x-auth-scheme: langsmith` used to be handed to Studio's auth instead of ours. So the key
is checked here, for every path, whatever other headers say; only `/ok` (a load balancer's health check),
the Ironclad webhook (verified by its RSA signature in the route) and Slack's three routes (verified by the
signing secret in the route) are open.

It also bounds what a caller can make the server read (Content-Length first, then a streaming cap, so a
200 MB body is refused before it is read), and answers CORS itself: no origin is allowed unless configured
(CONTRACTLOOP_CORS_ORIGINS), whatever LangGraph's own CORS middleware would have said.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from api.auth import API_KEY_HEADER, ApiKeyProblem, check_api_key

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_ROUTES = frozenset({("GET", "/ok"), ("HEAD", "/ok")})
# Checked in the route: Ironclad's RSA signature, Slack's signing-secret HMAC.
SIGNED_ROUTES = frozenset({("POST", "/ironclad/webhooks"), ("POST", "/slack/commands"), ("POST", "/slack/events"),
                           ("POST", "/slack/interactions")})
_KEYLESS_ROUTES = OPEN_ROUTES | SIGNED_ROUTES
SMALL_BODY_PREFIXES = ("/flow/", "/ironclad/", "/slack/")  # our routes take small flat bodies
CORS_ALLOWED_HEADERS = "content-type, x-api-key, x-request-id"
CORS_ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


class BodyTooLarge(Exception):  # not a ValueError: LangGraph maps those to 422
    """The request body passed its cap while it was being read."""


class ServerGuard:
    def __init__(self, app: ASGIApp, *, allowed_origins: Iterable[str] = (), small_body_limit: int = 1 << 20,
                 large_body_limit: int = 16 << 20) -> None:
        self.app = app
        self.allowed_origins = frozenset(o.rstrip("/") for o in allowed_origins if o)
        self.small_body_limit = small_body_limit
        self.large_body_limit = large_body_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        method, path = scope.get("method", "GET"), scope.get("path", "")
        origin = headers.get("origin")
        allowed = origin if origin is not None and origin.rstrip("/") in self.allowed_origins else None
        cors = _cors_headers(allowed) if allowed else []
        if scope["type"] == "http" and method == "OPTIONS" and origin is not None \
                and "access-control-request-method" in headers:
            await self._preflight(send, allowed)
            return
        if (method, path) not in _KEYLESS_ROUTES:
            try:
                check_api_key(headers.get(API_KEY_HEADER.lower()))
            except ApiKeyProblem as problem:
                error = "unauthorized" if problem.status_code == 401 else "not_configured"
                await _send_json(send, problem.status_code, {"error": error, "detail": problem.detail, "fields": []},
                                 cors)
                return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        limit = self.small_body_limit if path.startswith(SMALL_BODY_PREFIXES) else self.large_body_limit
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_json(send, 413, _too_large(limit), cors)
            return
        await self._bounded(scope, receive, send, limit, cors)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int,
                       cors: list[tuple[bytes, bytes]]) -> None:
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Answer now, then unwind the reader; whatever the app would still send is dropped.
                    if not started:
                        await _send_json(send, 413, _too_large(limit), cors)
                    refused = True
                    raise BodyTooLarge
            return message

        async def cors_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
                # Downstream CORS headers (LangGraph allows "*" by default) are replaced by ours.
                kept = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")]
                message = {**message, "headers": kept + cors}
            await send(message)

        try:
            await self.app(scope, counting_receive, cors_send)
        except Exception:
            # BodyTooLarge, possibly wrapped by a middleware's task group; the 413 has been sent.
            if not refused:
                raise

    async def _preflight(self, send: Send, origin: str | None) -> None:
        if origin is None:
            await _send_json(send, 403, {"error": "cors_refused", "fields": [],
                                         "detail": "this origin is not allowed (CONTRACTLOOP_CORS_ORIGINS)"}, [])
            return
        extra = [(b"access-control-allow-methods", CORS_ALLOWED_METHODS.encode()),
                 (b"access-control-allow-headers", CORS_ALLOWED_HEADERS.encode()),
                 (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204, "headers": _cors_headers(origin) + extra})
        await send({"type": "http.response.body", "body": b""})


def _headers(scope: Scope) -> dict[str, str]:
    # The first value of each header wins, as Starlette's Request.headers.get does.
    found: dict[str, str] = {}
    for key, value in scope.get("headers") or []:
        found.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin"),
            (b"access-control-expose-headers", b"x-pagination-total, x-pagination-next, content-location")]


def _too_large(limit: int) -> dict[str, Any]:
    return {"error": "body_too_large", "detail": f"the request body is over {limit:,} bytes", "fields": []}


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": payload})
