"""Typed errors for Salesforce calls, mapped one-to-one from the API's status and errorCode.

simple-salesforce raises by HTTP status only (UNABLE_TO_LOCK_ROW arrives as a 400 "malformed request",
REQUEST_LIMIT_EXCEEDED as a 403 "refused"), so we read the errorCode from the body to decide what is
transient and what is final.
"""

from __future__ import annotations

from typing import Any

from tools.write_plan import WriteNotAllowed  # noqa: F401  (re-exported: the client raises it)


class SalesforceApiError(Exception):
    """A call Salesforce refused. `errors` is Salesforce's list of {message, errorCode, fields}."""

    transient = False

    def __init__(self, status: int, error_code: str, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(f"{status} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.errors = errors or [{"errorCode": error_code, "message": message, "fields": []}]


class SalesforceAuthError(SalesforceApiError):
    """Login failed or the session could not be renewed."""


class RecordNotFound(SalesforceApiError):
    pass


class FileNotFound(RecordNotFound):
    """A ContentDocument with no ContentVersion the integration user can see: no such file, or not shared."""


class MultipleRecordsMatch(SalesforceApiError):
    """An upsert's external id matched more than one record (HTTP 300)."""


class InvalidRequest(SalesforceApiError):
    """Validation or query errors: fix the request, do not retry (MALFORMED_QUERY, INVALID_FIELD, ...)."""


class ApiLimitExceeded(SalesforceApiError):
    """The org's rolling API allocation is spent (REQUEST_LIMIT_EXCEEDED). Retrying now only makes it worse."""


class RowLocked(SalesforceApiError):
    """UNABLE_TO_LOCK_ROW: another transaction holds the record; retried with backoff."""

    transient = True


class ServiceUnavailable(SalesforceApiError):
    """503 / SERVER_UNAVAILABLE; retried with backoff."""

    transient = True


class WritePlanFailed(SalesforceApiError):
    """A write plan was rolled back; `results` holds every operation's outcome."""

    def __init__(self, message: str, results: list[Any], root_code: str | None = None):
        super().__init__(400, "WRITE_PLAN_ROLLED_BACK", message)
        self.results = results
        self.root_code = root_code
        # Rolled back because a row was locked: the same plan can succeed a little later.
        self.transient = root_code == "UNABLE_TO_LOCK_ROW"


_BY_CODE: dict[str, type[SalesforceApiError]] = {
    "UNABLE_TO_LOCK_ROW": RowLocked,
    "SERVER_UNAVAILABLE": ServiceUnavailable,
    "REQUEST_LIMIT_EXCEEDED": ApiLimitExceeded,
    "NOT_FOUND": RecordNotFound,
    "INVALID_SESSION_ID": SalesforceAuthError,
}


def error_from_body(status: int, body: Any) -> SalesforceApiError:
    """Build the typed error for a Salesforce error body (a list of {message, errorCode|statusCode, fields})."""
    errors: list[dict[str, Any]] = []
    if isinstance(body, list):
        errors = [e for e in body if isinstance(e, dict)]
    elif isinstance(body, dict):
        errors = [body]
    first = errors[0] if errors else {}
    code = str(first.get("errorCode") or first.get("statusCode") or _code_for_status(status))
    message = str(first.get("message") or (body if isinstance(body, str) else "")) or code
    if status == 300:
        cls: type[SalesforceApiError] = MultipleRecordsMatch
    elif code in _BY_CODE:
        cls = _BY_CODE[code]
    elif status == 503:
        cls = ServiceUnavailable
    elif status in (400, 404, 405, 409, 414, 415):
        cls = RecordNotFound if status == 404 else InvalidRequest
    elif status == 401:
        cls = SalesforceAuthError
    else:
        cls = SalesforceApiError
    return cls(status, code, message, errors or None)


def _code_for_status(status: int) -> str:
    return {
        300: "MULTIPLE_CHOICES", 400: "BAD_REQUEST", 401: "INVALID_SESSION_ID", 403: "FORBIDDEN",
        404: "NOT_FOUND", 503: "SERVER_UNAVAILABLE",
    }.get(status, f"HTTP_{status}")
