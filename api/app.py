"""The HTTP intake, mounted into the LangGraph server via `http.app` in langgraph.json.

Each route validates a flat body, answers at once, and leaves the work to a background run that it starts
through the in-process LangGraph SDK client, so a Flow callout never waits on a model or on Ironclad.
One module per route family: opportunity events, approvals, signed contracts (webhooks), status, and Slack's
contract questions (api/slack_routes.py: signed by Slack, answered in the background).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.approvals import Approvals
from api.contract_questions import ContractQuestions
from api.document_reviews import DocumentReviews
from api.flow_payloads import (
    ApprovalSubmission,
    ContractQuestionRequest,
    DocumentReviewRequest,
    ErrorBody,
    OpportunityEvent,
    RecordAnswer,
)
from api.graph_questions import GraphQuestions, UnansweredQuestion
from api.http_guard import ServerGuard
from api.ledger import Ledgers
from api.openapi import build_openapi
from api.opportunity_events import OpportunityEvents
from api.problems import FlowProblem, parse_body, reply, require_key, upstream_problem
from api.server_users import ServerUserDirectory
from api.signed_contracts import SignedContracts
from api.slack_routes import SlackSurface
from api.slack_users import UserDirectory
from api.status import Status
from api.threads import Threads
from core.settings import get_settings
from tools.ironclad.errors import IroncladError
from tools.salesforce.errors import SalesforceApiError

LEDGER_FILE = "flow_events.sqlite"
WEBHOOK_LEDGER_FILE = "ironclad_events.sqlite"


def build_app(ledger_path: Path | None = None, *, contract_questions: ContractQuestions | None = None,
              user_directory: UserDirectory | None = None, threads: Threads | None = None) -> Starlette:
    """The app; Slack's contract questions answer 503 until `contract_questions` and `user_directory` are given
    (and the signing secret and bot token are configured). The record route answers through the graph unless
    `contract_questions` says otherwise."""
    settings = get_settings()
    flow_ledger = ledger_path or settings.contractloop_data_dir / LEDGER_FILE
    ledgers = Ledgers(flow_ledger, flow_ledger.with_name(WEBHOOK_LEDGER_FILE))
    threads = threads or Threads()
    record_questions = contract_questions or GraphQuestions(threads)

    events = OpportunityEvents(threads, ledgers)
    decisions = Approvals(threads, ledgers)
    contracts = SignedContracts(threads, ledgers)
    status = Status(threads, ledgers)
    reviews = DocumentReviews(threads)
    slack = SlackSurface.from_settings(settings, contract_questions, user_directory)

    async def opportunity_events(request: Request) -> JSONResponse:
        require_key(request)
        body, code = await events.accept(await parse_body(request, OpportunityEvent))
        return reply(body, code)

    async def document_reviews(request: Request) -> JSONResponse:
        require_key(request)
        body, code = await reviews.accept(await parse_body(request, DocumentReviewRequest))
        return reply(body, code)

    async def contract_questions_route(request: Request) -> JSONResponse:
        require_key(request)
        asked = await parse_body(request, ContractQuestionRequest)
        conversation = asked.conversation_id or f"salesforce:{asked.asked_by}:{asked.record_id or '-'}"
        try:
            answer = await record_questions.answer(asked.question, asked.asked_by, conversation, asked.record_id)
        except UnansweredQuestion as exc:
            raise FlowProblem(502, "answer_failed", f"the question could not be answered: {exc}") from exc
        return reply(RecordAnswer.of(answer))

    async def approvals(request: Request) -> JSONResponse:
        require_key(request)
        return reply(await decisions.submit(await parse_body(request, ApprovalSubmission)), 202)

    async def opportunity_status(request: Request) -> JSONResponse:
        require_key(request)
        return reply(await status.for_opportunity(request.path_params["opportunity_id"]))

    async def thread_status(request: Request) -> JSONResponse:
        require_key(request)
        return reply(await status.for_thread(request.path_params["thread_id"]))

    async def ironclad_webhook(request: Request) -> JSONResponse:
        # No API key: Ironclad signs its deliveries. The body is capped by ServerGuard before it is read.
        body, code = await contracts.accept(request.headers, await request.body())
        return JSONResponse(body, status_code=code)

    async def sync_status(request: Request) -> JSONResponse:
        require_key(request)
        return reply(await status.for_sync(request.path_params["workflow_id"]))

    async def openapi(request: Request) -> JSONResponse:
        # An admin downloads it with the key to register the External Service.
        require_key(request)
        return JSONResponse(build_openapi(str(request.base_url).rstrip("/")))

    async def problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FlowProblem)
        return reply(exc.body, exc.status_code)

    async def upstream(request: Request, exc: Exception) -> JSONResponse:
        return upstream_problem(exc)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await ledgers.open()
        yield
        await ledgers.close()
        await slack.close()

    return Starlette(
        routes=with_method_not_allowed([
            Route("/flow/opportunity-events", opportunity_events, methods=["POST"]),
            Route("/flow/approvals", approvals, methods=["POST"]),
            Route("/flow/document-reviews", document_reviews, methods=["POST"]),
            Route("/flow/contract-questions", contract_questions_route, methods=["POST"]),
            Route("/flow/opportunities/{opportunity_id}", opportunity_status, methods=["GET"]),
            Route("/flow/threads/{thread_id}", thread_status, methods=["GET"]),
            Route("/flow/openapi.json", openapi, methods=["GET"]),
            Route("/ironclad/webhooks", ironclad_webhook, methods=["POST"]),
            Route("/ironclad/workflows/{workflow_id}/sync", sync_status, methods=["GET"]),
            *slack.routes(),
        ]),
        exception_handlers={FlowProblem: problem, SalesforceApiError: upstream, IroncladError: upstream},
        lifespan=lifespan,
        # LangGraph runs user middleware outermost, so this guards its own routes as well as ours.
        middleware=[Middleware(ServerGuard, allowed_origins=settings.contractloop_cors_origins,
                               small_body_limit=settings.contractloop_max_body_bytes,
                               large_body_limit=settings.contractloop_max_api_body_bytes)],
    )


_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def with_method_not_allowed(routes: list[Route]) -> list[Route]:
    """`routes`, then for each path a route answering every other method 405 with `Allow`.

    Mounted inside the LangGraph server, a method our route does not take would fall through to the server's own
    routes and answer 404, telling a Flow admin the path does not exist; the 405 says what to send instead."""
    allowed: dict[str, set[str]] = {}
    for route in routes:
        allowed.setdefault(route.path, set()).update(getattr(route, "methods", None) or ())
    refusals = []
    for path, methods in allowed.items():
        allow = ", ".join(sorted(methods - {"HEAD"}))

        async def refuse(request: Request, allow: str = allow) -> JSONResponse:
            body = ErrorBody(error="method_not_allowed",
                             detail=f"{request.method} is not allowed on {request.url.path}; allowed: {allow}")
            return JSONResponse(body.model_dump(mode="json"), status_code=405, headers={"Allow": allow})

        others = [m for m in _HTTP_METHODS if m not in methods]
        if others:
            refusals.append(Route(path, refuse, methods=others))
    return [*routes, *refusals]


_threads = Threads()
app = build_app(contract_questions=GraphQuestions(_threads), user_directory=ServerUserDirectory(), threads=_threads)
