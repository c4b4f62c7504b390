"""The chat receiver: stands in for a Slack incoming webhook, Slack's `chat.postMessage` and a Teams webhook,
answering each the way the real service does, plus sandbox-only controls under `/_sandbox`.

- `POST /services/<T>/<B>/<secret>`: a Slack incoming webhook; 200 `ok`, 400 `invalid_payload` / `no_text` /
  `invalid_blocks`, 404 `no_service` for a URL it did not hand out.
- `POST /api/chat.postMessage`: bearer token checked; always 200 with `{"ok": ...}` (`not_authed`,
  `invalid_auth`, `channel_not_found`, `no_text`, `invalid_blocks`, `invalid_json`), except a 429.
- `POST /teams/<secret>`: a Teams Workflows webhook; 202, 400 for a body without an Adaptive Card, 413 over 28 KB,
  404 for a URL it did not hand out.
- `GET /_sandbox/received` (what was accepted, and request counts), `DELETE` clears it; `POST /_sandbox/faults`
  sets a `ChatFaultPlan` (N answers of a 5xx, or 429 with Retry-After).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import cast, get_args

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sandbox.chat.faults import ChatFaultPlan, ChatFaults, Kind
from sandbox.chat.inbox import Inbox
from sandbox.chat.validation import slack_problem, teams_problem
from tools.json_body import JsonBodyError, json_body

MAX_BODY_BYTES = 1 << 20
TEAMS_MAX_BYTES = 28 * 1024
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass
class ChatReceiverConfig:
    """The credentials the receiver hands out: the webhook paths are secrets, like the real URLs."""

    bot_token: str
    slack_webhook_path: str
    teams_webhook_path: str
    channels: tuple[str, ...] = ("C0SANDBOX", "#contract-alerts")

    @classmethod
    def generate(cls) -> ChatReceiverConfig:
        return cls(bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}",
                   slack_webhook_path=f"/services/T0SANDBOX/B0SANDBOX/{secrets.token_hex(12)}",
                   teams_webhook_path=f"/teams/{secrets.token_hex(16)}")


def _fault_response(plan: ChatFaultPlan, kind: Kind) -> Response:
    headers = {}
    if plan.status == 429 and plan.retry_after is not None:
        seconds = plan.retry_after
        headers["Retry-After"] = str(int(seconds)) if seconds == int(seconds) else f"{seconds:g}"
    if kind == "slack_api" and plan.status == 429:
        return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers=headers)
    text = "rate_limited" if plan.status == 429 else "injected fault"
    return PlainTextResponse(text, status_code=plan.status, headers=headers)


def create_app(config: ChatReceiverConfig, inbox: Inbox, faults: ChatFaults) -> Starlette:
    async def arrival(request: Request, kind: Kind) -> tuple[Response | None, bytes]:
        """Count the request and apply any fault; a response here is the whole answer."""
        inbox.count_request(kind)
        plan = faults.take(kind)
        if plan is not None:
            return _fault_response(plan, kind), b""
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return PlainTextResponse("request_too_large", status_code=413), b""
        return None, raw

    async def slack_webhook(request: Request) -> Response:
        early, raw = await arrival(request, "slack_webhook")
        if early is not None:
            return early
        if request.url.path != config.slack_webhook_path:
            return PlainTextResponse("no_service", status_code=404)
        try:
            body = json_body(raw)
        except JsonBodyError:
            return PlainTextResponse("invalid_payload", status_code=400)
        problem = slack_problem(body)
        if problem:
            return PlainTextResponse(problem[0], status_code=400)
        inbox.accept("slack_webhook", request.url.path, body)
        return PlainTextResponse("ok")

    async def post_message(request: Request) -> Response:
        early, raw = await arrival(request, "slack_api")
        if early is not None:
            return early
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return JSONResponse({"ok": False, "error": "not_authed"})
        if not secrets.compare_digest(authorization[len("Bearer "):], config.bot_token):
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        try:
            body = json_body(raw)
        except JsonBodyError:
            return JSONResponse({"ok": False, "error": "invalid_json"})
        if not isinstance(body, dict) or body.get("channel") not in config.channels:
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        problem = slack_problem(body)
        if problem:
            answer = {"ok": False, "error": problem[0]}
            if problem[1]:
                answer["errors"] = [problem[1]]
            return JSONResponse(answer)
        inbox.accept("slack_api", request.url.path, body)
        ts = f"{time.time():.6f}"
        return JSONResponse({"ok": True, "channel": body["channel"], "ts": ts,
                             "message": {"type": "message", "ts": ts, "text": body.get("text", ""),
                                         "blocks": body.get("blocks", [])}})

    async def teams_webhook(request: Request) -> Response:
        early, raw = await arrival(request, "teams")
        if early is not None:
            return early
        if request.url.path != config.teams_webhook_path:
            return PlainTextResponse("webhook not found", status_code=404)
        if len(raw) > TEAMS_MAX_BYTES:
            return PlainTextResponse(f"message over {TEAMS_MAX_BYTES} bytes", status_code=413)
        try:
            body = json_body(raw)
        except JsonBodyError:
            return PlainTextResponse("the body is not JSON", status_code=400)
        problem = teams_problem(body)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        inbox.accept("teams", request.url.path, body)
        return Response(status_code=202)

    async def received(request: Request) -> Response:
        if request.method == "DELETE":
            inbox.clear()
            return Response(status_code=204)
        kind = request.query_params.get("kind")
        if kind is not None and kind not in KINDS:
            return JSONResponse({"error": f"kind must be one of {', '.join(KINDS)}"}, status_code=400)
        return JSONResponse({"received": [m.model_dump() for m in inbox.messages(cast(Kind | None, kind))],
                             "requests": inbox.requests()})

    async def set_faults(request: Request) -> Response:
        try:
            plan = ChatFaultPlan.model_validate(json_body(await request.body()) or {})
        except (JsonBodyError, ValidationError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        faults.set(plan)
        return JSONResponse(plan.model_dump() if plan.count else {"cleared": True})

    return Starlette(routes=[
        Route("/services/{rest:path}", slack_webhook, methods=["POST"]),
        Route("/api/chat.postMessage", post_message, methods=["POST"]),
        Route("/teams/{rest:path}", teams_webhook, methods=["POST"]),
        Route("/_sandbox/received", received, methods=["GET", "DELETE"]),
        Route("/_sandbox/faults", set_faults, methods=["POST"]),
    ])
