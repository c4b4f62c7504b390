"""Contract questions from Slack: `/contract`, mentions of the app, and its "Escalate to Legal" button.

- `POST /slack/commands`: a slash command (form). Answered at once (Slack gives up after 3 seconds) with an
  ephemeral "Looking that up…", or usage help for an empty question; the answer follows at the command's
  `response_url`, ephemeral, since it quotes contracts only the asker may see.
- `POST /slack/events`: the Events API. `url_verification` echoes its challenge; an `app_mention` is
  acknowledged at once and answered in its thread: by default with `chat.postEphemeral`, seen by the asker
  alone, since read access was checked for them and not for everyone in the channel
  (`CONTRACTLOOP_SLACK_MENTION_REPLIES=thread` posts it for the channel with `chat.postMessage`). Slack
  redelivers an event it thinks was missed (`X-Slack-Retry-Num`); an event id already claimed is acknowledged
  and not answered again.
- `POST /slack/interactions`: button presses (`payload` JSON, `block_actions`). "Escalate to Legal" calls the
  engine's `escalate` once however often it is clicked, and marks the message through its `response_url`.

Every request is verified first (signing secret, five-minute window) on its raw, size-capped body: a forged or
stale one gets 401 and nothing happens. Without a signing secret the routes answer 503; without an engine, a
user directory or a bot token, 503 after the signature. The asker is mapped to a Salesforce user before the
engine is asked; someone who cannot be mapped is told why, in a message only they see, and gets no answer.

The work after the acknowledgement runs in tasks of the server's event loop (Slack's blocking calls in worker
threads). A failure there is logged with a correlation id and the asker gets an apology quoting it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agents.qa.escalation import ESCALATION_REFUSED_REPLY, EscalationRefused
from api.contract_questions import ContractQuestions, command_conversation, mention_conversation
from api.problems import FlowProblem, reply, validation_problem
from api.seen_once import SeenOnce
from api.slack_payloads import AppMention, BlockActions, EventEnvelope, SlashCommand, question_of
from api.slack_users import Asker, SlackAskers, UserDirectory
from core.settings import Settings
from tools.chat.answer_blocks import ESCALATE_ACTION, answer_message, escalated, plain_message
from tools.chat.dispatcher import RetryPolicy
from tools.chat.slack_web import SlackWeb
from tools.json_body import JsonBodyError, json_body
from tools.slack_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, SlackSignatureError, verify

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)

SLACK_PATHS = ("/slack/commands", "/slack/events", "/slack/interactions")
LOOKING = "Looking that up…"
APOLOGY = "Sorry, I couldn't answer that just now. If it keeps happening, give this reference to support."
ESCALATION_FAILED = "Sorry, the escalation to Legal did not go through. Try the button again in a minute."


def _usage(command: str) -> str:
    return (f"Ask about an executed contract, e.g. `{command} what is the governing law of the Acme agreement?` "
            "Answers quote the contract and link to its Ironclad record; only contracts you can see in Salesforce "
            "are searched. Ask follow-ups the same way.")


def _correlation_id() -> str:
    return f"slack-{uuid.uuid4().hex[:16]}"


def _form(raw: bytes) -> dict[str, str]:
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as exc:
        raise FlowProblem(400, "invalid_body", f"the body is not a form: {exc}") from None
    return {key: values[0] for key, values in parsed.items()}


def _model(model: type[ModelT], data: Any) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None


class SlackSurface:
    """The three routes and the background work behind them. `routes()` for the app; `drain()` waits for the
    answers still being worked on (tests, shutdown)."""

    def __init__(self, *, signing_secret: str | None, slack: SlackWeb | None,
                 questions: ContractQuestions | None, directory: UserDirectory | None,
                 max_body_bytes: int = 1 << 20, clock: Callable[[], float] = time.time,
                 mention_replies: Literal["private", "thread"] = "private") -> None:
        self._secret, self._slack, self._questions = signing_secret, slack, questions
        self.mention_replies = mention_replies
        self._askers = SlackAskers(slack, directory) if slack is not None and directory is not None else None
        self.max_body_bytes, self._clock = max_body_bytes, clock
        self._events, self._escalations = SeenOnce(), SeenOnce()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(cls, settings: Settings, questions: ContractQuestions | None,
                      directory: UserDirectory | None, *, policy: RetryPolicy | None = None,
                      clock: Callable[[], float] = time.time) -> SlackSurface:
        secret, token = settings.contractloop_slack_signing_secret, settings.contractloop_slack_bot_token
        slack = SlackWeb(token.get_secret_value(), settings.contractloop_slack_api_url,
                         policy or RetryPolicy(max_attempts=settings.contractloop_chat_max_attempts, timeout=5.0)) \
            if token and token.get_secret_value() else None
        return cls(signing_secret=secret.get_secret_value() if secret and secret.get_secret_value() else None,
                   slack=slack, questions=questions, directory=directory,
                   max_body_bytes=settings.contractloop_max_body_bytes, clock=clock,
                   mention_replies=settings.contractloop_slack_mention_replies)

    def routes(self) -> list[Route]:
        return [Route("/slack/commands", self._handled(self.command), methods=["POST"]),
                Route("/slack/events", self._handled(self.event), methods=["POST"]),
                Route("/slack/interactions", self._handled(self.interaction), methods=["POST"])]

    async def drain(self, timeout: float = 10.0) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        await self.drain()
        if self._slack is not None:
            self._slack.close()

    # --- the routes ---------------------------------------------------------------------------------------
    async def command(self, request: Request) -> Response:
        form = _form(await self._verified(request))
        if form.get("ssl_check") == "1":  # Slack checking the certificate, no command
            return Response(status_code=200)
        questions, slack, askers = self._wired()
        command = _model(SlashCommand, form)
        question = " ".join(command.text.split())
        if not question or question.lower() in ("help", "?"):
            return JSONResponse({"response_type": "ephemeral", **plain_message(_usage(command.command))})
        correlation_id = _correlation_id()

        async def work() -> None:
            asker = await asyncio.to_thread(askers.resolve, command.user_id)
            if not asker.known:
                await self._respond(command.response_url, plain_message(asker.refusal or "", correlation_id))
                return
            conversation = command_conversation(command.team_id, command.channel_id, command.user_id)
            answer = await questions.answer(question, _sf(asker), conversation)
            await self._respond(command.response_url, answer_message(
                answer, escalation_value=f"{conversation}|{correlation_id}", correlation_id=correlation_id))

        self._spawn("command", correlation_id, work,
                    lambda: self._respond(command.response_url, plain_message(APOLOGY, correlation_id)))
        return JSONResponse({"response_type": "ephemeral", "text": LOOKING})

    async def event(self, request: Request) -> Response:
        raw = await self._verified(request)
        try:
            data = json_body(raw)
        except JsonBodyError as exc:
            raise FlowProblem(400, "invalid_body", f"the body is not valid JSON: {exc}") from None
        envelope = _model(EventEnvelope, data)
        if envelope.type == "url_verification":
            return JSONResponse({"challenge": envelope.challenge or ""})
        questions, slack, askers = self._wired()
        if envelope.type != "event_callback" or not envelope.event or envelope.event.get("type") != "app_mention":
            return JSONResponse({"ok": True, "ignored": True})
        mention = _model(AppMention, envelope.event)
        if mention.bot_id or not mention.user or not envelope.team_id:
            return JSONResponse({"ok": True, "ignored": True})  # a bot's own message, or no one to answer
        if not self._events.claim(envelope.event_id or f"{mention.channel}:{mention.ts}"):
            return JSONResponse({"ok": True, "duplicate": True})
        team, user, channel = envelope.team_id, mention.user, mention.channel
        thread_ts = mention.thread_ts or mention.ts
        bots = {a.user_id for a in envelope.authorizations if a.is_bot and a.user_id}
        question = question_of(mention.text, bots)
        correlation_id = _correlation_id()

        async def work() -> None:
            asker = await asyncio.to_thread(askers.resolve, user)
            if not asker.known or not question:
                notice = asker.refusal if not asker.known else _usage("@contractloop")
                await asyncio.to_thread(slack.post_ephemeral, channel, user,
                                        plain_message(notice or "", correlation_id), thread_ts)
                return
            conversation = mention_conversation(team, channel, thread_ts)
            answer = await questions.answer(question, _sf(asker), conversation)
            message = answer_message(answer, escalation_value=f"{conversation}|{correlation_id}",
                                     correlation_id=correlation_id)
            await deliver(message)

        async def deliver(message: dict[str, Any]) -> None:
            if self.mention_replies == "thread":
                await asyncio.to_thread(slack.post_message, channel, message, thread_ts)
            else:
                await asyncio.to_thread(slack.post_ephemeral, channel, user, message, thread_ts)

        self._spawn("mention", correlation_id, work, lambda: deliver(plain_message(APOLOGY, correlation_id)))
        return JSONResponse({"ok": True})

    async def interaction(self, request: Request) -> Response:
        form = _form(await self._verified(request))
        questions, slack, askers = self._wired()
        try:
            data = json_body(form.get("payload", "").encode())
        except JsonBodyError as exc:
            raise FlowProblem(400, "invalid_body", f"the payload is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("type") != "block_actions":
            return Response(status_code=200)  # shortcuts, views: not ours
        actions = _model(BlockActions, data)
        for action in actions.actions:
            value = action.value or ""
            conversation = value.rpartition("|")[0]
            if action.action_id != ESCALATE_ACTION or not conversation.startswith("slack:") \
                    or not actions.response_url:
                continue  # the "Open in Ironclad" link button reports its clicks too
            if not self._escalations.claim(value):
                continue  # a second click while (or after) the first is handled
            self._spawn_escalation(actions, value, conversation, actions.response_url, questions, askers)
        return Response(status_code=200)

    # --- background work ----------------------------------------------------------------------------------
    def _spawn_escalation(self, actions: BlockActions, value: str, conversation: str, response_url: str,
                          questions: ContractQuestions, askers: SlackAskers) -> None:
        correlation_id = _correlation_id()
        user = actions.user.id

        async def work() -> None:
            asker = await asyncio.to_thread(askers.resolve, user)
            if not asker.known:
                self._escalations.release(value)
                await self._respond(response_url, {"response_type": "ephemeral", "replace_original": False,
                                                   **plain_message(asker.refusal or "", correlation_id)})
                return
            try:
                task_id = await questions.escalate(conversation, _sf(asker))
            except EscalationRefused:  # read_only: no Task is written; the asker is told, not apologised to
                self._escalations.release(value)
                await self._respond(response_url, {"response_type": "ephemeral", "replace_original": False,
                                                   **plain_message(ESCALATION_REFUSED_REPLY, correlation_id)})
                return
            except Exception:
                self._escalations.release(value)  # let a later click try again
                raise
            blocks = (actions.message or {}).get("blocks")
            if isinstance(blocks, list) and blocks:
                text = f"Escalated to Legal (Task {task_id})"
                await self._respond(response_url, {"replace_original": True, "text": text,
                                                   "blocks": escalated(blocks, task_id, user)})
            else:
                await self._respond(response_url, {
                    "response_type": "ephemeral", "replace_original": False,
                    **plain_message(f"Escalated to Legal: Task {task_id}. They will follow up.", correlation_id)})

        self._spawn("escalation", correlation_id, work, lambda: self._respond(response_url, {
            "response_type": "ephemeral", "replace_original": False,
            **plain_message(ESCALATION_FAILED, correlation_id)}))

    def _spawn(self, what: str, correlation_id: str, work: Callable[[], Coroutine[Any, Any, None]],
               apologise: Callable[[], Awaitable[Any]]) -> None:
        async def guarded() -> None:
            try:
                await work()
            except Exception:
                log.exception("slack %s %s failed", what, correlation_id)
                try:
                    await apologise()
                except Exception:
                    log.exception("slack %s %s: the apology could not be posted either", what, correlation_id)

        task = asyncio.create_task(guarded(), name=f"slack-{what}-{correlation_id}")
        self._tasks.add(task)  # held until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    async def _respond(self, response_url: str, message: dict[str, Any]) -> None:
        slack = self._slack
        assert slack is not None
        body = message if "replace_original" in message else {"response_type": "ephemeral", **message}
        await asyncio.to_thread(slack.respond, response_url, body)

    # --- the checks every request passes ------------------------------------------------------------------
    def _handled(self, route: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def handler(request: Request) -> Response:
            try:
                return await route(request)
            except FlowProblem as problem:
                return reply(problem.body, problem.status_code)

        return handler

    async def _verified(self, request: Request) -> bytes:
        if self._secret is None:
            raise FlowProblem(503, "not_configured", "contract questions from Slack are off: this server has no "
                                                     "CONTRACTLOOP_SLACK_SIGNING_SECRET configured")
        raw = await self._read(request)
        try:
            verify(self._secret, raw, request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER),
                   clock=self._clock)
        except SlackSignatureError as exc:
            log.warning("refused a Slack request to %s: %s", request.url.path, exc)
            raise FlowProblem(401, "invalid_signature", str(exc)) from None
        return raw

    async def _read(self, request: Request) -> bytes:
        limit = self.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise FlowProblem(413, "body_too_large", f"the request body is over {limit:,} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise FlowProblem(413, "body_too_large", f"the request body is over {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _wired(self) -> tuple[ContractQuestions, SlackWeb, SlackAskers]:
        missing = [name for name, part in (("the contract answer engine", self._questions),
                                           ("CONTRACTLOOP_SLACK_BOT_TOKEN", self._slack),
                                           ("a Salesforce user directory", self._askers)) if part is None]
        if missing:
            raise FlowProblem(503, "not_configured", "contract questions from Slack are not set up on this server: "
                                                     "no " + ", no ".join(missing))
        assert self._questions is not None and self._slack is not None and self._askers is not None
        return self._questions, self._slack, self._askers


def _sf(asker: Asker) -> str:
    assert asker.salesforce_user_id is not None
    return asker.salesforce_user_id
