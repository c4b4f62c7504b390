"""The Salesforce emulator's HTTP application: logins, the REST data API, and sandbox-only controls.

Every `/services/data/vXX.X/...` call passes the same gate as on a real org: a valid session (else
401 INVALID_SESSION_ID), the daily API allocation (else 403 REQUEST_LIMIT_EXCEEDED), then any injected
fault; its response carries `Sforce-Limit-Info`. Resources are routed in-process by `SalesforceApi.route`,
which the Composite API reuses for its subrequests.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.salesforce.auth import (
    Authenticator,
    OrgCredentials,
    SessionStore,
    auth_routes,
    bearer_token,
    invalid_session_response,
)
from sandbox.salesforce.bulk2 import BulkIngest
from sandbox.salesforce.composite import CompositeResources
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.faults import FaultInjector, fault_control_routes
from sandbox.salesforce.limits import DEFAULT_DAILY_API_LIMIT, ApiUsage
from sandbox.salesforce.rest import (
    API_VERSIONS,
    DATA_PREFIX,
    ApiRequest,
    ApiResponse,
    RecordResources,
    error_response,
    parse_api_url,
    parse_json_body,
)
from sandbox.salesforce.schema import Schema
from sandbox.salesforce.store import OrgStore

NOT_FOUND_BODY = [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
LIMIT_EXCEEDED_BODY = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render(response: ApiResponse) -> Response:
    headers = dict(response.headers)
    if response.body is None:
        return Response(status_code=response.status, headers=headers)
    if response.media_type == "application/json":
        content = json.dumps(response.body, default=_json_default, ensure_ascii=False)
        return Response(content, status_code=response.status, headers=headers, media_type="application/json")
    return Response(response.body, status_code=response.status, headers=headers, media_type=response.media_type)


def _method_not_allowed(method: str, allowed: str) -> ApiResponse:
    return ApiResponse(
        405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{method}' not allowed. Allowed are {allowed}"}]
    )


@dataclass
class SalesforceApi:
    """One emulated org behind HTTP: its store, sessions, API accounting, faults and resources."""

    store: OrgStore
    schema: Schema
    credentials: OrgCredentials
    usage: ApiUsage
    sessions: SessionStore
    faults: FaultInjector
    public_url: str | None = None

    def __post_init__(self) -> None:
        self.auth = Authenticator(self.credentials, self.sessions)
        self.records = RecordResources(self.store, self.schema, self.usage)
        self.composite = CompositeResources(self.store, self.schema, self.dispatch)
        self.bulk = BulkIngest(self.store, self.schema, self.credentials.user_id)

    # --- in-process routing (shared by HTTP and Composite subrequests) ----------------------

    def dispatch(self, req: ApiRequest) -> ApiResponse:
        try:
            return self.route(req)
        except SalesforceError as exc:
            return error_response(exc)

    def route(self, req: ApiRequest) -> ApiResponse:  # noqa: C901 - a flat routing table reads best
        r, m, s = self.records, req.method, req.segments
        match s:
            case []:
                return r.resources(req) if m == "GET" else _method_not_allowed(m, "GET")
            case ["sobjects"]:
                return r.describe_global(req) if m == "GET" else _method_not_allowed(m, "GET")
            case ["sobjects", obj]:
                if m == "GET":
                    return r.object_metadata(req, obj)
                return r.create(req, obj) if m == "POST" else _method_not_allowed(m, "GET, POST")
            case ["sobjects", obj, "describe"]:
                return r.describe(req, obj) if m == "GET" else _method_not_allowed(m, "GET")
            case ["sobjects", obj, "updated" | "deleted" as change] if m == "GET":
                return r.changed(req, obj, deleted=change == "deleted")
            case ["sobjects", obj, record_id]:
                if m == "GET":
                    return r.get(req, obj, record_id)
                if m == "PATCH":
                    return r.update(req, obj, record_id)
                if m == "DELETE":
                    return r.delete(req, obj, record_id)
                if m == "POST" and record_id.lower() == "id":  # POST /sobjects/X/Id creates (v37+)
                    return r.create(req, obj)
                return _method_not_allowed(m, "GET, PATCH, DELETE")
            case ["sobjects", obj, record_id, blob_field] if m == "GET" and r.names_record(obj, record_id):
                return r.blob(req, obj, record_id, blob_field)
            case ["sobjects", obj, field_name, value]:
                if m == "GET":
                    return r.get_by_external_id(req, obj, field_name, value)
                if m == "PATCH":
                    return r.upsert(req, obj, field_name, value)
                if m == "DELETE":
                    return r.delete_by_external_id(req, obj, field_name, value)
                return _method_not_allowed(m, "GET, PATCH, DELETE")
            case ["query" | "queryAll" as kind]:
                return r.query(req, kind == "queryAll") if m == "GET" else _method_not_allowed(m, "GET")
            case ["query" | "queryAll", cursor]:
                return r.query_more(req, cursor) if m == "GET" else _method_not_allowed(m, "GET")
            case ["limits"]:
                return r.limits(req) if m == "GET" else _method_not_allowed(m, "GET")
            case ["composite"]:
                return self.composite.composite(req) if m == "POST" else _method_not_allowed(m, "POST")
            case ["composite", "sobjects"]:
                if m == "POST":
                    return self.composite.create_records(req)
                if m == "PATCH":
                    return self.composite.update_records(req)
                if m == "DELETE":
                    return self.composite.delete_records(req)
                return _method_not_allowed(m, "POST, PATCH, DELETE")
            case ["composite", "sobjects", obj]:
                if m in ("GET", "POST"):
                    return self.composite.retrieve_records(req, obj)
                return _method_not_allowed(m, "GET, POST")
            case ["composite", "sobjects", obj, ext_field]:
                if m == "PATCH":
                    return self.composite.upsert_records(req, obj, ext_field)
                return _method_not_allowed(m, "PATCH")
        return ApiResponse(404, NOT_FOUND_BODY)

    # --- HTTP ---------------------------------------------------------------------------------

    def instance_url(self, request: Request) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"{request.url.scheme}://{request.url.netloc}"

    async def _data_api(self, request: Request) -> Response:
        response = await self._serve_data_api(request)
        response.headers["Sforce-Limit-Info"] = self.usage.header_value()
        return response

    async def _serve_data_api(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.url.query
        parsed = parse_api_url(raw_path.decode("latin-1") + (f"?{query}" if query else ""))
        if parsed is None or parsed[0] not in API_VERSIONS:
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        version, segments, params = parsed

        token = bearer_token(request)
        if token is None or not self.sessions.is_valid(token):
            return invalid_session_response()
        if not self.usage.try_consume():
            return JSONResponse(LIMIT_EXCEEDED_BODY, status_code=403)

        outcome = self.faults.take(request.method, request.url.path)
        if outcome.delay_seconds:
            await asyncio.sleep(outcome.delay_seconds)
        if outcome.error is not None:
            body = [{"message": outcome.error.message, "errorCode": outcome.error.error_code, "fields": []}]
            return JSONResponse(body, status_code=outcome.error.status)

        raw_body = await request.body()
        if segments[:1] == ["jobs"]:
            return render(await run_in_threadpool(self._bulk, request.method, version, segments[1:], raw_body))
        try:
            body = parse_json_body(raw_body)
        except SalesforceError as exc:
            return render(error_response(exc))
        api_request = ApiRequest(
            method=request.method, version=version, segments=segments, params=params, body=body,
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        return render(await run_in_threadpool(self.dispatch, api_request))

    def _bulk(self, method: str, version: str, segments: list[str], raw_body: bytes) -> ApiResponse:
        try:
            return self.bulk.handle(method, version, segments, raw_body)
        except SalesforceError as exc:
            return error_response(exc)

    async def _versions(self, request: Request) -> Response:
        return JSONResponse(
            [{"label": label, "url": f"{DATA_PREFIX}v{v}", "version": v} for v, label in API_VERSIONS.items()]
        )

    async def _usage(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.usage.reset()
            return Response(status_code=204)
        return JSONResponse({"api_calls": self.usage.used, "daily_limit": self.usage.daily_limit})

    def asgi(self) -> Starlette:
        async def not_found(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 404
            if status == 405:
                return JSONResponse(
                    [{"errorCode": "METHOD_NOT_ALLOWED", "message": f"HTTP Method '{request.method}' not allowed"}],
                    status_code=405,
                )
            return JSONResponse(NOT_FOUND_BODY, status_code=404)

        methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
        routes = [
            *auth_routes(self.auth, self.instance_url),
            Route("/services/data", self._versions, methods=["GET"]),
            Route("/services/data/", self._versions, methods=["GET"]),
            Route("/services/data/{rest:path}", self._data_api, methods=methods),
            *fault_control_routes(self.faults),
            Route("/_sandbox/usage", self._usage, methods=["GET", "DELETE"]),
        ]
        return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})


def build_api(
    store: OrgStore,
    schema: Schema,
    credentials: OrgCredentials,
    daily_api_limit: int = DEFAULT_DAILY_API_LIMIT,
    public_url: str | None = None,
    sessions: SessionStore | None = None,
) -> SalesforceApi:
    sessions = sessions or SessionStore(credentials.org_id, credentials.session_ttl_seconds)
    return SalesforceApi(
        store=store,
        schema=schema,
        credentials=credentials,
        usage=ApiUsage(daily_api_limit),
        sessions=sessions,
        faults=FaultInjector(sessions.expire_all),
        public_url=public_url,
    )
