"""Answers other than success, and the body parsing and key check every Flow route shares."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.auth import API_KEY_HEADER, ApiKeyProblem, check_api_key
from api.flow_payloads import ErrorBody, ErrorField
from tools.json_body import JsonBodyError, json_body

MAX_ERROR_CHARS = 2000
UPSTREAM_RETRY_AFTER_SECONDS = 5
ModelT = TypeVar("ModelT", bound=BaseModel)


class FlowProblem(Exception):
    """An answer other than success, rendered as ErrorBody with its HTTP status."""

    def __init__(self, status_code: int, error: str, detail: str, fields: list[ErrorField] | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.body = ErrorBody(error=error, detail=detail, fields=fields or [])


def reply(model: BaseModel, status_code: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status_code)


def require_key(request: Request) -> None:
    try:
        check_api_key(request.headers.get(API_KEY_HEADER))
    except ApiKeyProblem as problem:
        raise FlowProblem(problem.status_code, "unauthorized" if problem.status_code == 401 else "not_configured",
                          problem.detail) from None


async def parse_body(request: Request, model: type[ModelT]) -> ModelT:
    raw = await request.body()
    try:
        data = json_body(raw)
    except JsonBodyError as exc:
        raise FlowProblem(422, "invalid_body", f"the body is not valid JSON: {exc}",
                          [ErrorField(field="body", message=str(exc))]) from None
    if not isinstance(data, dict):
        raise FlowProblem(422, "invalid_body", "the body must be a JSON object",
                          [ErrorField(field="body", message="must be a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(exc) from None


def validation_problem(exc: ValidationError) -> FlowProblem:
    fields = [ErrorField(field=".".join(str(p) for p in e["loc"]) or "body", message=e["msg"])
              for e in exc.errors(include_url=False)]
    named = ", ".join(sorted({f.field for f in fields}))
    return FlowProblem(422, "invalid_body", f"invalid field(s): {named}", fields)


def upstream_problem(exc: Exception) -> JSONResponse:
    """Salesforce or Ironclad failed a call a route made itself (the mapping check before the first draft, the
    webhook key fetch): 503 with Retry-After when the failure passes (row lock, 429, 5xx), else 502, naming it.
    The caller's event is not recorded, so sending it again later starts the run."""
    transient = bool(getattr(exc, "transient", False))
    body = ErrorBody(error="upstream_unavailable" if transient else "upstream_error",
                     detail=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
    headers = {"Retry-After": str(UPSTREAM_RETRY_AFTER_SECONDS)} if transient else None
    return JSONResponse(body.model_dump(mode="json"), status_code=503 if transient else 502, headers=headers)
