"""The Starlette application: Ironclad's public API v1 under `/public/api/v1`, OAuth under `/oauth`, and the
sandbox-only controls (the humans who approve and sign, fault switches) under `/_sandbox`, apart from the API."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sandbox.ironclad.browser import browser_routes
from sandbox.ironclad.errors import ApiError, invalid, missing, not_found
from sandbox.ironclad.faults import RATE_LIMITED, FaultHit, FaultPlan, Faults
from sandbox.ironclad.oauth import Caller, TokenAuthority
from sandbox.ironclad.ratelimit import RateLimiter
from sandbox.ironclad.records import records_metadata
from sandbox.ironclad.repository import RecordRepository
from sandbox.ironclad.schemas import TemplateCatalog, schema_json
from sandbox.ironclad.store import Store
from sandbox.ironclad.webhooks import EVENTS, WebhookDispatcher, WebhookSigner, now_iso
from sandbox.ironclad.workflows import API, AsyncLaunches, WorkflowEngine, public

READ, WRITE, RECORDS_READ = "pub:workflows:read", "pub:workflows:write", "pub:records:read"


@dataclass
class Call:
    caller: Caller
    path: dict[str, str]
    query: QueryParams
    body: Any


@dataclass
class Services:
    """Everything the routes need; built by `IroncladSandbox`."""

    store: Store
    auth: TokenAuthority
    limiter: RateLimiter
    faults: Faults
    catalog: TemplateCatalog
    engine: WorkflowEngine
    launches: AsyncLaunches
    records: RecordRepository
    dispatcher: WebhookDispatcher
    signer: WebhookSigner


def _paging(query: QueryParams) -> tuple[int, int]:
    try:
        page, size = int(query.get("page", 0)), int(query.get("pageSize", 20))
    except ValueError:
        raise invalid("page", "page and pageSize must be integers") from None
    if page < 0:
        raise invalid("page", "page must be zero or greater")
    if not 1 <= size <= 100:
        raise invalid("pageSize", "pageSize must be between 1 and 100")
    return page, size


class _RequestIdAndFaults(BaseHTTPMiddleware):
    def __init__(self, app: Any, faults: Faults) -> None:
        super().__init__(app)
        self.faults = faults

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request_id = str(uuid.uuid4())
        plan = self.faults.take(request.method, request.url.path)
        if plan and plan.latency_ms and not plan.after_processing:
            await asyncio.sleep(plan.latency_ms / 1000)
        if plan and plan.status and not plan.after_processing:
            response: Response = _injected(plan, "injected fault: internal server error")
        else:
            response = await call_next(request)
            if plan and plan.after_processing:
                if plan.latency_ms:
                    await asyncio.sleep(plan.latency_ms / 1000)
                if plan.status:
                    response = _injected(plan, "injected fault after processing")
        response.headers["x-ironclad-requestid"] = request_id
        return response


def _injected(hit: FaultHit, message: str) -> Response:
    if hit.status == RATE_LIMITED:
        seconds = f"{hit.retry_after:g}"
        return ApiError(RATE_LIMITED, "TOO_MANY_REQUESTS", "injected fault: rate limit exceeded",
                        headers={"Retry-After": seconds, "X-RateLimit-Remaining": "0"}).response()
    assert hit.status is not None
    return ApiError(hit.status, "SERVER_ERROR", message).response()


def create_app(services: Services) -> Starlette:
    s = services

    def api(handler: Callable[[Call], Any], scope: str, bucket: str | None = None,
            status_code: int = 200) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                caller = s.auth.authenticate(request, scope)
                limit_headers = s.limiter.check(bucket) if bucket else {}
                raw = await request.body()
                body = None
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        raise invalid("body", "request body is not valid JSON") from None
                result = await run_in_threadpool(handler, Call(caller, dict(request.path_params),
                                                               request.query_params, body))
            except ApiError as exc:
                return exc.response()
            if isinstance(result, Response):
                result.headers.update(limit_headers)
                return result
            if result is None:
                return Response(status_code=204, headers=limit_headers)
            return JSONResponse(result, status_code=status_code, headers=limit_headers)
        return endpoint

    def control(handler: Callable[[Request, Any], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else None
                return JSONResponse(await run_in_threadpool(handler, request, body))
            except ApiError as exc:
                return exc.response()
            except (ValueError, ValidationError) as exc:
                return ApiError(400, "INVALID_PARAM", str(exc), "body").response()
        return endpoint

    # --- workflows ----------------------------------------------------------------------------
    def list_schemas(c: Call) -> Any:
        return {"list": [schema_json(t) for t in s.catalog.all()]}

    def get_schema(c: Call) -> Any:
        return schema_json(s.catalog.get(c.path["template_id"]))

    def launch(c: Call) -> Any:
        return s.engine.launch(c.body, c.caller.user)

    def launch_async(c: Call) -> Any:
        if not isinstance(c.body, dict):
            raise invalid("body", "request body must be a JSON object")
        return s.launches.submit(c.body, c.caller.user)

    def async_job(c: Call) -> Any:
        return s.launches.get(c.path["job_id"])

    def list_workflows(c: Call) -> Any:
        page, size = _paging(c.query)
        return s.engine.list_workflows(c.query.get("status"), c.query.get("template"), c.query.get("lastUpdated"),
                             c.query.get("filter"), page, size)

    def get_workflow(c: Call) -> Any:
        return public(s.engine.get(c.path["workflow_id"]))

    def status_change(action: str) -> Callable[[Call], Any]:
        return lambda c: s.engine.change_status(c.path["workflow_id"], action, c.body, c.caller.user)

    def comments(c: Call) -> Any:
        page, size = _paging(c.query)
        return s.engine.comments(c.path["workflow_id"], page, size)

    # --- records ------------------------------------------------------------------------------
    def list_records(c: Call) -> Any:
        page, size = _paging(c.query)
        return s.records.list_records(page, size, c.query.get("types"), c.query.get("lastUpdated"), c.query.get("filter"),
                              c.query.get("sortField", "agreementDate"), c.query.get("sortDirection", "DESC"))

    def attachment(c: Call) -> Response:
        filename, content_type, data = s.records.attachment(c.path["record_id"], c.path["key"])
        return Response(data, media_type=content_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    # --- webhooks -----------------------------------------------------------------------------
    def check_webhook_fields(body: Any, partial: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid("body", "request body must be a JSON object")
        if not partial or "events" in body:
            events = body.get("events")
            if not events:
                raise missing("events")
            if not isinstance(events, list) or not set(events) <= EVENTS:
                bad = sorted(set(events) - EVENTS) if isinstance(events, list) else events
                raise invalid("events", f"unknown webhook event(s): {bad}")
        if not partial or "targetURL" in body:
            target = body.get("targetURL")
            if not target:
                raise missing("targetURL")
            parsed = urlparse(str(target))
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise invalid("targetURL", "targetURL must be an absolute http(s) URL")
        if "status" in body and body["status"] not in ("enabled", "disabled"):
            raise invalid("status", "status must be 'enabled' or 'disabled'")
        return body

    def create_webhook(c: Call) -> Any:
        body = check_webhook_fields(c.body, partial=False)
        with s.store.lock:
            for hook in s.store.all("webhook"):
                if hook["targetURL"] == body["targetURL"]:
                    raise invalid("targetURL", f"webhook already exists for event {hook['events']} and target "
                                               f"{body['targetURL']}")
            hook = {"id": uuid.uuid4().hex[:24], "events": sorted(set(body["events"])),
                    "targetURL": body["targetURL"], "companyId": s.engine.config.company_id,
                    "status": body.get("status", "enabled"), "statusLastUpdatedAt": now_iso(),
                    "statusLastUpdatedBy": c.caller.user.id, "consecutiveFailureCount": 0,
                    "firstConsecutiveFailure": None}
            s.store.put("webhook", hook["id"], hook)
        return hook

    def get_webhook_doc(webhook_id: str) -> dict[str, Any]:
        hook = s.store.get("webhook", webhook_id)
        if hook is None:
            raise not_found("webhook", "webhookId")
        return hook

    def list_webhooks(c: Call) -> Any:
        page, size = _paging(c.query)
        hooks = s.store.all("webhook")
        return {"page": page, "pageSize": size, "list": hooks[page * size:(page + 1) * size]}

    def update_webhook(c: Call) -> Any:
        body = check_webhook_fields(c.body, partial=True)
        with s.store.lock:
            hook = get_webhook_doc(c.path["webhook_id"])
            if "events" in body:
                hook["events"] = sorted(set(body["events"]))
            if "targetURL" in body:
                hook["targetURL"] = body["targetURL"]
            if "status" in body and body["status"] != hook["status"]:
                hook.update(status=body["status"], statusLastUpdatedAt=now_iso(),
                            statusLastUpdatedBy=c.caller.user.id)
                if body["status"] == "enabled":
                    hook.update(consecutiveFailureCount=0, firstConsecutiveFailure=None)
            s.store.put("webhook", hook["id"], hook)
        return hook

    def delete_webhook(c: Call) -> None:
        get_webhook_doc(c.path["webhook_id"])
        s.store.delete("webhook", c.path["webhook_id"])

    # --- sandbox controls (no auth: the emulator binds to loopback) ---------------------------
    def set_faults(request: Request, body: Any) -> Any:
        plan = FaultPlan.model_validate(body or {"count": 0})
        s.faults.set(plan)
        return {"faults": plan.model_dump() if plan.count else None}

    def get_faults(request: Request, body: Any) -> Any:
        plan, stats = s.faults.current()
        return {"faults": plan.model_dump() if plan else None, **stats.model_dump()}

    def deliveries(request: Request, body: Any) -> Any:
        return {"list": [a.model_dump() for a in s.dispatcher.attempts()]}

    def human(action: str) -> Callable[[Request, Any], Any]:
        def run(request: Request, body: Any) -> Any:
            workflow_id = request.path_params["workflow_id"]
            if action == "sign":
                return s.engine.sign(workflow_id, (body or {}).get("signers"))
            return getattr(s.engine, action)(workflow_id)
        return run

    def expire_tokens(request: Request, body: Any) -> Any:
        return {"expired": s.auth.expire_all()}

    def revoke_tokens(request: Request, body: Any) -> Any:
        return {"revoked": s.auth.revoke_all()}

    async def userinfo(request: Request) -> Response:
        try:
            caller = s.auth.authenticate(request, "public.workflows.readWorkflows")
        except ApiError as exc:
            return exc.response()
        user = caller.user
        return JSONResponse({"sub": user.id, "id": user.id, "email": user.email, "username": user.email,
                             "firstName": user.first_name, "lastName": user.last_name,
                             "displayName": user.display_name, "title": user.title,
                             "companyId": s.engine.config.company_id, "companyName": s.engine.config.company_name,
                             "scopes": sorted(caller.token.scopes)})

    async def verification_key(request: Request) -> Response:
        try:
            s.auth.authenticate(request, "public.webhooks.readWebhooks")
        except ApiError as exc:
            return exc.response()
        return PlainTextResponse(s.signer.public_pem)

    async def unknown_route(request: Request) -> Response:
        return ApiError(404, "NOT_FOUND", f"no route for {request.method} {request.url.path}").response()

    wf, rec, hooks = "public.workflows.", "public.records.", "public.webhooks."
    routes = [
        Route("/oauth/token", s.auth.token_endpoint, methods=["POST"]),
        Route("/oauth/userinfo", userinfo, methods=["GET"]),
        Route(f"{API}/workflow-schemas", api(list_schemas, wf + "readSchemas"), methods=["GET"]),
        Route(f"{API}/workflow-schemas/{{template_id}}", api(get_schema, wf + "readSchemas"), methods=["GET"]),
        Route(f"{API}/workflows", api(launch, wf + "createWorkflows", WRITE), methods=["POST"]),
        Route(f"{API}/workflows", api(list_workflows, wf + "readWorkflows", READ), methods=["GET"]),
        Route(f"{API}/workflows/async", api(launch_async, wf + "createWorkflows", WRITE), methods=["POST"]),
        Route(f"{API}/workflows/async/{{job_id}}", api(async_job, wf + "readWorkflows", READ), methods=["GET"]),
        Route(f"{API}/workflows/{{workflow_id}}", api(get_workflow, wf + "readWorkflows", READ), methods=["GET"]),
        Route(f"{API}/workflows/{{workflow_id}}/attributes",
              api(lambda c: s.engine.update_attributes(c.path["workflow_id"], c.body), wf + "updateWorkflows", WRITE),
              methods=["PATCH"]),
        Route(f"{API}/workflows/{{workflow_id}}/approvals",
              api(lambda c: s.engine.approvals(c.path["workflow_id"]), wf + "readApprovals", READ), methods=["GET"]),
        Route(f"{API}/workflows/{{workflow_id}}/approvals/{{role_id}}",
              api(lambda c: s.engine.set_approval(c.path["workflow_id"], c.path["role_id"], c.body, c.caller.user),
                  wf + "updateApprovals", WRITE), methods=["PATCH"]),
        Route(f"{API}/workflows/{{workflow_id}}/signatures",
              api(lambda c: s.engine.signatures(c.path["workflow_id"]), wf + "readSignatures", READ),
              methods=["GET"]),
        Route(f"{API}/workflows/{{workflow_id}}/revert-to-review",
              api(lambda c: s.engine.revert_to_review(c.path["workflow_id"]), wf + "revertToReview", WRITE),
              methods=["PATCH"]),
        Route(f"{API}/workflows/{{workflow_id}}/comments",
              api(lambda c: s.engine.add_comment(c.path["workflow_id"], c.body, c.caller.user),
                  rec + "createComments", WRITE), methods=["POST"]),
        Route(f"{API}/workflows/{{workflow_id}}/comments", api(comments, wf + "readComments", READ), methods=["GET"]),
        Route(f"{API}/workflows/{{workflow_id}}/cancel", api(status_change("cancel"), wf + "cancel", WRITE),
              methods=["POST"]),
        Route(f"{API}/workflows/{{workflow_id}}/pause", api(status_change("pause"), wf + "pauseAndResume", WRITE),
              methods=["POST"]),
        Route(f"{API}/workflows/{{workflow_id}}/resume", api(status_change("resume"), wf + "pauseAndResume", WRITE),
              methods=["POST"]),
        Route(f"{API}/records", api(list_records, rec + "readRecords", RECORDS_READ), methods=["GET"]),
        Route(f"{API}/records", api(lambda c: s.records.create(c.body), rec + "createRecords"), methods=["POST"]),
        Route(f"{API}/records/metadata",
              api(lambda c: records_metadata(s.catalog.all()), rec + "readSchemas", RECORDS_READ), methods=["GET"]),
        Route(f"{API}/records/{{record_id}}",
              api(lambda c: s.records.get(c.path["record_id"]), rec + "readRecords", RECORDS_READ), methods=["GET"]),
        Route(f"{API}/records/{{record_id}}",
              api(lambda c: s.records.replace(c.path["record_id"], c.body), rec + "updateRecords"), methods=["PUT"]),
        Route(f"{API}/records/{{record_id}}",
              api(lambda c: s.records.patch(c.path["record_id"], c.body), rec + "updateRecords"), methods=["PATCH"]),
        Route(f"{API}/records/{{record_id}}",
              api(lambda c: s.records.delete(c.path["record_id"]), rec + "deleteRecords"), methods=["DELETE"]),
        Route(f"{API}/records/{{record_id}}/attachments/{{key}}",
              api(attachment, rec + "readAttachments", RECORDS_READ), methods=["GET"]),
        Route(f"{API}/webhooks", api(create_webhook, hooks + "createWebhooks", status_code=201), methods=["POST"]),
        Route(f"{API}/webhooks", api(list_webhooks, hooks + "readWebhooks"), methods=["GET"]),
        Route(f"{API}/webhooks/verification-key", verification_key, methods=["GET"]),
        Route(f"{API}/webhooks/{{webhook_id}}",
              api(lambda c: get_webhook_doc(c.path["webhook_id"]), hooks + "readWebhooks"), methods=["GET"]),
        Route(f"{API}/webhooks/{{webhook_id}}", api(update_webhook, hooks + "updateWebhooks"), methods=["PATCH"]),
        Route(f"{API}/webhooks/{{webhook_id}}", api(delete_webhook, hooks + "deleteWebhooks"), methods=["DELETE"]),
        Route("/_sandbox/faults", control(set_faults), methods=["POST"]),
        Route("/_sandbox/faults", control(get_faults), methods=["GET"]),
        Route("/_sandbox/webhook-deliveries", control(deliveries), methods=["GET"]),
        Route("/_sandbox/tokens/expire", control(expire_tokens), methods=["POST"]),
        Route("/_sandbox/tokens/revoke", control(revoke_tokens), methods=["POST"]),
        *[Route(f"/_sandbox/workflows/{{workflow_id}}/{name}", control(human(action)), methods=["POST"])
          for name, action in (("approve-all", "approve_all"), ("sign", "sign"), ("archive", "archive"),
                               ("complete", "complete"))],
        *browser_routes(s),
        Route("/{path:path}", unknown_route, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(_RequestIdAndFaults, faults=s.faults)
    return app
