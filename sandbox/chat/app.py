"""The chat receiver: stands in for a Slack incoming webhook, Slack's Web API (what alerts and contract questions
call) and a Teams webhook, answering each the way the real service does, plus sandbox-only controls under
`/_sandbox`.

- `POST /services/<T>/<B>/<secret>`: a Slack incoming webhook; 200 `ok`, 400 `invalid_payload` / `no_text` /
  `invalid_blocks`, 404 `no_service` for a URL it did not hand out.
- `POST /api/chat.postMessage`: bearer token checked; always 200 with `{"ok": ...}` (`not_authed`,
  `invalid_auth`, `channel_not_found`, `no_text`, `invalid_blocks`, `invalid_json`), except a 429.
- `POST /teams/<secret>`: a Teams Workflows webhook; 202, 400 for a body without an Adaptive Card, 413 over 28 KB,
  404 for a URL it did not hand out.
- `POST /api/chat.postEphemeral`: like chat.postMessage, to one `user` in the channel.
- `GET|POST /api/users.info?user=U…`: bearer token checked; the seeded member (`profile.email` when they have
  one), or `user_not_found`.
- `POST /commands/…` and `/actions/…`: the `response_url`s it handed out (five posts in 30 minutes each).
- `GET /_sandbox/received` (what was accepted, and request counts), `DELETE` clears it; `POST /_sandbox/faults`
  sets a `ChatFaultPlan` (N answers of a 5xx, or 429 with Retry-After); `POST /_sandbox/response-urls` hands out
  a response_url (`{"source": "commands" | "actions"}`); `POST /_sandbox/users` adds or replaces a member.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, cast, get_args
from urllib.parse import parse_qs

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sandbox.chat.faults import ChatFaultPlan, ChatFaults, Kind
from sandbox.chat.inbox import Inbox
from sandbox.chat.response_urls import ResponseUrls, Source
from sandbox.chat.slack_users import SandboxSlackUser, SlackMembers
from sandbox.chat.validation import slack_problem, teams_problem
from tools.json_body import JsonBodyError, json_body

MAX_BODY_BYTES = 1 << 20
TEAMS_MAX_BYTES = 28 * 1024
KINDS: tuple[str, ...] = get_args(Kind)
WEB_API_KINDS = frozenset({"slack_api", "slack_ephemeral", "slack_users"})


@dataclass
class ChatReceiverConfig:
    """The credentials the receiver hands out: the webhook paths are secrets, like the real URLs."""

    bot_token: str
    slack_webhook_path: str
    teams_webhook_path: str
    channels: tuple[str, ...] = ("C0SANDBOX", "#contract-alerts")
    signing_secret: str = ""  # the Slack app's, for the workspace that signs requests to contractloop
    bot_user_id: str = "U0CONTRACTS"  # the app's bot user, the one mentioned in app_mention events

    @classmethod
    def generate(cls) -> ChatReceiverConfig:
        return cls(bot_token=f"xoxb-sandbox-{secrets.token_hex(12)}",
                   slack_webhook_path=f"/services/T0SANDBOX/B0SANDBOX/{secrets.token_hex(12)}",
                   teams_webhook_path=f"/teams/{secrets.token_hex(16)}",
                   signing_secret=secrets.token_hex(16))


def _fault_response(plan: ChatFaultPlan, kind: Kind) -> Response:
    headers = {}
    if plan.status == 429 and plan.retry_after is not None:
        seconds = plan.retry_after
        headers["Retry-After"] = str(int(seconds)) if seconds == int(seconds) else f"{seconds:g}"
    if kind in WEB_API_KINDS and plan.status == 429:
        return JSONResponse({"ok": False, "error": "ratelimited"}, status_code=429, headers=headers)
    text = "rate_limited" if plan.status == 429 else "injected fault"
    return PlainTextResponse(text, status_code=plan.status, headers=headers)


def create_app(config: ChatReceiverConfig, inbox: Inbox, faults: ChatFaults, members: SlackMembers | None = None,
               response_urls: ResponseUrls | None = None) -> Starlette:
    members = members if members is not None else SlackMembers()
    hooks = response_urls if response_urls is not None else ResponseUrls()

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

    def unauthorised(request: Request) -> Response | None:
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return JSONResponse({"ok": False, "error": "not_authed"})
        if not secrets.compare_digest(authorization[len("Bearer "):], config.bot_token):
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        return None

    async def web_message(request: Request, kind: Kind) -> tuple[Response | None, dict[str, Any]]:
        """A chat.post* call's checks; a response here is the whole answer, else the accepted body."""
        early, raw = await arrival(request, kind)
        if early is not None:
            return early, {}
        refused = unauthorised(request)
        if refused is not None:
            return refused, {}
        try:
            body = json_body(raw)
        except JsonBodyError:
            return JSONResponse({"ok": False, "error": "invalid_json"}), {}
        if not isinstance(body, dict) or body.get("channel") not in config.channels:
            return JSONResponse({"ok": False, "error": "channel_not_found"}), {}
        problem = slack_problem(body)
        if problem:
            answer: dict[str, Any] = {"ok": False, "error": problem[0]}
            if problem[1]:
                answer["errors"] = [problem[1]]
            return JSONResponse(answer), {}
        return None, body

    async def post_message(request: Request) -> Response:
        early, body = await web_message(request, "slack_api")
        if early is not None:
            return early
        inbox.accept("slack_api", request.url.path, body)
        ts = f"{time.time():.6f}"
        return JSONResponse({"ok": True, "channel": body["channel"], "ts": ts,
                             "message": {"type": "message", "ts": ts, "text": body.get("text", ""),
                                         "blocks": body.get("blocks", []),
                                         **({"thread_ts": body["thread_ts"]} if body.get("thread_ts") else {})}})

    async def post_ephemeral(request: Request) -> Response:
        early, body = await web_message(request, "slack_ephemeral")
        if early is not None:
            return early
        if not isinstance(body.get("user"), str) or members.get(body["user"]) is None:
            return JSONResponse({"ok": False, "error": "user_not_in_channel"})
        inbox.accept("slack_ephemeral", request.url.path, body)
        return JSONResponse({"ok": True, "message_ts": f"{time.time():.6f}"})

    async def users_info(request: Request) -> Response:
        early, raw = await arrival(request, "slack_users")
        if early is not None:
            return early
        refused = unauthorised(request)
        if refused is not None:
            return refused
        user_id = request.query_params.get("user")
        if user_id is None and raw:
            user_id = next(iter(parse_qs(raw.decode("utf-8", "replace")).get("user", [])), None)
        if not user_id:
            return JSONResponse({"ok": False, "error": "invalid_arguments"})
        member = members.get(user_id)
        if member is None:
            return JSONResponse({"ok": False, "error": "user_not_found"})
        return JSONResponse({"ok": True, "user": member.users_info()})

    async def response_url(request: Request) -> Response:
        early, raw = await arrival(request, "slack_response")
        if early is not None:
            return early
        refused = hooks.use(request.url.path)
        if refused:
            return JSONResponse({"ok": False, "error": refused}, status_code=404)
        try:
            body = json_body(raw)
        except JsonBodyError:
            return JSONResponse({"ok": False, "error": "invalid_payload"}, status_code=400)
        problem = slack_problem(body)
        if problem:
            return JSONResponse({"ok": False, "error": problem[0], "errors": [problem[1]]}, status_code=400)
        inbox.accept("slack_response", request.url.path, body)
        return JSONResponse({"ok": True})

    async def issue_response_url(request: Request) -> Response:
        try:
            asked = json_body(await request.body()) or {}
        except JsonBodyError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        source = asked.get("source", "commands") if isinstance(asked, dict) else "commands"
        if source not in get_args(Source):
            return JSONResponse({"error": "source must be commands or actions"}, status_code=400)
        path = hooks.issue(cast(Source, source))
        return JSONResponse({"response_url": str(request.base_url).rstrip("/") + path})

    async def add_member(request: Request) -> Response:
        try:
            member = SandboxSlackUser.model_validate(json_body(await request.body()))
        except (JsonBodyError, ValidationError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(members.add(member).model_dump())

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
        Route("/api/chat.postEphemeral", post_ephemeral, methods=["POST"]),
        Route("/api/users.info", users_info, methods=["GET", "POST"]),
        Route("/commands/{rest:path}", response_url, methods=["POST"]),
        Route("/actions/{rest:path}", response_url, methods=["POST"]),
        Route("/_sandbox/response-urls", issue_response_url, methods=["POST"]),
        Route("/_sandbox/users", add_member, methods=["POST"]),
        Route("/teams/{rest:path}", teams_webhook, methods=["POST"]),
        Route("/_sandbox/received", received, methods=["GET", "DELETE"]),
        Route("/_sandbox/faults", set_faults, methods=["POST"]),
    ])
