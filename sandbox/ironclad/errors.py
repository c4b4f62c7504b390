"""Ironclad's error shape: `{code, message, param?}` with the matching HTTP status."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, param: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.param is not None:
            body["param"] = self.param
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def missing(param: str, message: str | None = None) -> ApiError:
    return ApiError(400, "MISSING_PARAM", message or f"missing required parameter: {param}", param)


def invalid(param: str, message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAM", message, param)


def invalid_state(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, "INVALID_STATE", message, param)


def not_found(what: str, param: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} does not exist", param)
