"""Typed client for Ironclad's public API v1 over httpx.

The same code reaches a real tenant and the local sandbox; only the settings differ. It handles OAuth
client-credentials tokens (cached, refreshed before expiry and once on a 401), the actor header, retries that
honour `Retry-After` on 429 and back off on 5xx and transport errors, and maps error bodies to typed exceptions.
Non-idempotent POSTs are never blindly re-sent after an ambiguous failure: see `launch_workflow_idempotent`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from core.rollout import Mode, Rollout, RolloutRefused
from core.settings import Settings, current_rollout
from tools.capped_read import read_capped
from tools.document_limits import DocumentLimits
from tools.ironclad.errors import (
    IroncladAuthError,
    IroncladError,
    IroncladInvalidStateError,
    IroncladNotFoundError,
    IroncladRateLimitedError,
    IroncladServerError,
    IroncladValidationError,
)
from tools.ironclad.idempotent import find_by_key, launch_idempotent
from tools.ironclad.models import (
    Approvals,
    AsyncJob,
    AsyncLaunch,
    Comment,
    LaunchResult,
    Page,
    Record,
    Webhook,
    Workflow,
    WorkflowSchema,
)
from tools.retry_after import retry_after

log = logging.getLogger(__name__)
API_PREFIX = "/public/api/v1"
DEFAULT_SCOPES = (
    "public.workflows.readWorkflows public.workflows.createWorkflows public.workflows.updateWorkflows "
    "public.workflows.readSchemas public.workflows.readApprovals public.workflows.updateApprovals "
    "public.workflows.readSignatures public.workflows.readComments public.workflows.cancel "
    "public.workflows.pauseAndResume public.records.createComments public.records.readRecords "
    "public.records.createRecords public.records.updateRecords public.records.deleteRecords "
    "public.records.readSchemas public.records.readAttachments public.webhooks.createWebhooks "
    "public.webhooks.readWebhooks public.webhooks.updateWebhooks public.webhooks.deleteWebhooks"
)
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH"})
ModelT = TypeVar("ModelT", bound=BaseModel)


class _Token:
    def __init__(self, value: str, expires_at: float) -> None:
        self.value, self.expires_at = value, expires_at


class IroncladClient:
    def __init__(self, base_url: str, client_id: str, client_secret: str, user_email: str, *,
                 scopes: str = DEFAULT_SCOPES, transport: httpx.BaseTransport | None = None, max_retries: int = 4,
                 timeout: float = 30.0, backoff_base: float = 0.5, max_backoff: float = 30.0,
                 max_retry_after: float = 120.0, verify: bool | str = True, rollout: Rollout | None = None) -> None:
        origin = base_url.rstrip("/")
        if origin.endswith(API_PREFIX):  # accept the OAS server URL as well as the bare origin
            origin = origin[: -len(API_PREFIX)]
        self.base_url, self.client_id, self.user_email, self.scopes = origin, client_id, user_email, scopes
        self._client_secret = client_secret
        self.max_retries, self.backoff_base, self.max_backoff = max_retries, backoff_base, max_backoff
        self.max_retry_after = max_retry_after
        self._http = httpx.Client(base_url=origin, transport=transport, timeout=timeout, verify=verify,
                                  headers={"Accept": "application/json", "User-Agent": "contractloop"})
        self._token: _Token | None = None
        self._token_lock = threading.Lock()
        self.keyed_templates: set[str] = set()  # templates known to carry our correlation-key attribute
        # Launches are checked against the rollout mode here, where every launch passes (read_only launches
        # nothing); the pilot's templates are checked by the publisher, which knows them by key.
        self.rollout = rollout or current_rollout()

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> IroncladClient:
        missing = [name for name, value in (("IRONCLAD_CLIENT_ID", settings.ironclad_client_id),
                                            ("IRONCLAD_CLIENT_SECRET", settings.ironclad_client_secret),
                                            ("IRONCLAD_USER_EMAIL", settings.ironclad_user_email)) if not value]
        if missing:
            raise ValueError(f"Ironclad is not configured: set {', '.join(missing)}")
        secret = settings.ironclad_client_secret.get_secret_value() if settings.ironclad_client_secret else ""
        kwargs.setdefault("rollout", settings.rollout)
        return cls(settings.ironclad_base_url, str(settings.ironclad_client_id), secret,
                   str(settings.ironclad_user_email), **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IroncladClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- OAuth --------------------------------------------------------------------------------
    def _access_token(self, force: bool = False) -> str:
        with self._token_lock:
            # Refresh a minute early (or at 90% of a short lifetime) so no request carries a dying token.
            if force or self._token is None or time.time() >= self._token.expires_at:
                self._token = self._fetch_token()
            return self._token.value

    def _fetch_token(self) -> _Token:
        data = {"grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self._client_secret, "scope": self.scopes}
        response = self._send("POST", "/oauth/token", idempotent=True, authenticated=False, data=data)
        if response.status_code != 200:
            body = _json_or_none(response) or {}
            raise IroncladAuthError(
                f"token request refused: {body.get('error', response.status_code)}: "
                f"{body.get('error_description', response.text[:200])}",
                code=body.get("error"), status=response.status_code,
                request_id=response.headers.get("x-ironclad-requestid"))
        body = response.json()
        lifetime = float(body.get("expires_in", 3600))
        return _Token(body["access_token"], time.time() + lifetime - min(60.0, lifetime * 0.1))

    # --- transport ----------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, idempotent: bool, authenticated: bool = True, stream: bool = False,
              **kwargs: Any) -> httpx.Response:
        """One logical request with retries. Returns the final response (2xx or a non-retryable error).

        With `stream`, the final response's body is not read yet: the caller reads it and closes it."""
        refreshed = False
        attempt = 0
        extra_headers = dict(kwargs.pop("headers", None) or {})
        while True:
            headers = dict(extra_headers)
            if authenticated:
                headers["Authorization"] = f"Bearer {self._access_token()}"
                headers["x-as-user-email"] = self.user_email
            try:
                response = self._http.send(self._http.build_request(method, path, headers=headers, **kwargs),
                                           stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # The request never reached the server, so any method may be re-sent.
                if attempt >= self.max_retries:
                    raise IroncladServerError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
                self._sleep(self.backoff_delay(attempt), f"{type(exc).__name__} on {method} {path}")
                attempt += 1
                continue
            except httpx.TransportError as exc:
                if not idempotent or attempt >= self.max_retries:
                    raise IroncladServerError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
                self._sleep(self.backoff_delay(attempt), f"{type(exc).__name__} on {method} {path}")
                attempt += 1
                continue
            status = response.status_code
            if stream and status >= 400:
                response.read()  # an error answer is small: read, it can be retried past or raised like any other
            if status == 401 and authenticated and not refreshed:
                refreshed = True
                self._access_token(force=True)
                continue
            if status == 429 and attempt < self.max_retries:
                wait = retry_after(response) or self.backoff_delay(attempt)
                if wait <= self.max_retry_after:
                    self._sleep(wait, f"429 on {method} {path}")
                    attempt += 1
                    continue
            if status >= 500 and idempotent and attempt < self.max_retries:
                self._sleep(self.backoff_delay(attempt), f"{status} on {method} {path}")
                attempt += 1
                continue
            return response

    def backoff_delay(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff_base * 2 ** attempt) * (0.5 + random.random() / 2)

    @staticmethod
    def _sleep(seconds: float, why: str) -> None:
        log.info("ironclad: retrying in %.2fs after %s", seconds, why)
        time.sleep(seconds)

    def _request(self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any) -> Any:
        response = self._send(method, API_PREFIX + path,
                              idempotent=method in _IDEMPOTENT_METHODS if idempotent is None else idempotent,
                              **kwargs)
        if response.status_code >= 400:
            raise _error_from(response)
        if response.status_code == 204 or not response.content:
            return None
        content_type = response.headers.get("content-type", "")
        return response.json() if "json" in content_type else response.content

    def _model(self, model: type[ModelT], method: str, path: str, **kwargs: Any) -> ModelT:
        return model.model_validate(self._request(method, path, **kwargs))

    # --- workflow schemas ---------------------------------------------------------------------
    def list_schemas(self) -> list[WorkflowSchema]:
        body = self._request("GET", "/workflow-schemas", params={"form": "launch"})
        return [WorkflowSchema.model_validate(item) for item in body["list"]]

    def get_schema(self, template_id: str) -> WorkflowSchema:
        return self._model(WorkflowSchema, "GET", f"/workflow-schemas/{template_id}", params={"form": "launch"})

    # --- workflows ----------------------------------------------------------------------------
    def launch_workflow(self, template_id: str, attributes: dict[str, Any]) -> Workflow:
        """Synchronous launch. Not retried after an ambiguous failure: it may have happened."""
        self._check_launch_mode()
        return self._model(Workflow, "POST", "/workflows", json={"template": template_id, "attributes": attributes})

    def launch_workflow_async(self, template_id: str, attributes: dict[str, Any]) -> AsyncLaunch:
        self._check_launch_mode()
        return self._model(AsyncLaunch, "POST", "/workflows/async",
                           json={"template": template_id, "attributes": attributes})

    def _check_launch_mode(self) -> None:
        if self.rollout.mode is Mode.READ_ONLY:
            raise RolloutRefused(self.rollout.launch_refusal(()) or "read_only")

    def get_async_job(self, job_id: str) -> AsyncJob:
        return self._model(AsyncJob, "GET", f"/workflows/async/{job_id}")

    def wait_for_async_launch(self, job_id: str, timeout: float = 60.0, interval: float = 0.25) -> Workflow:
        """Poll the async job until it succeeds (its workflow) or fails (its error, typed)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get_async_job(job_id)
            if job.status == "success" and job.workflow is not None:
                return job.workflow
            if job.status == "failed":
                err = job.error
                raise _typed_error(400, err.code if err else "SERVER_ERROR",
                                   err.message if err else "async launch failed", err.param if err else None, None)
            if time.monotonic() >= deadline:
                raise IroncladServerError(f"async launch {job_id} still in progress after {timeout}s")
            time.sleep(interval)

    def launch_workflow_idempotent(self, template_id: str, attributes: dict[str, Any], key: str, *,
                                   settle_timeout: float = 5.0) -> LaunchResult:
        """Launch at most one workflow per `key`, however often this is retried (see `idempotent.py`).
        `settle_timeout`: how long to look for a launch that failed ambiguously before sending it again."""
        return launch_idempotent(self, template_id, attributes, key, settle_timeout=settle_timeout)

    def find_workflows_by_key(self, key: str) -> list[Workflow]:
        """Every workflow carrying our correlation key, in any status, oldest first."""
        return find_by_key(self, key)

    def get_workflow(self, workflow_id: str) -> Workflow:
        return self._model(Workflow, "GET", f"/workflows/{workflow_id}")

    def list_workflows(self, *, page: int = 0, page_size: int = 20, status: str | None = None,
                       template: str | None = None, last_updated: datetime | str | None = None,
                       filter: str | None = None) -> Page[Workflow]:
        params = _drop_none({"page": page, "pageSize": page_size, "status": status, "template": template,
                             "lastUpdated": _iso(last_updated), "filter": filter})
        return Page[Workflow].model_validate(self._request("GET", "/workflows", params=params))

    def iter_workflows(self, *, status: str | None = None, template: str | None = None,
                       last_updated: datetime | str | None = None, filter: str | None = None,
                       page_size: int = 100) -> Iterator[Workflow]:
        page = 0
        while True:
            batch = self.list_workflows(page=page, page_size=page_size, status=status, template=template,
                                        last_updated=last_updated, filter=filter)
            yield from batch.items
            if not batch.items or (page + 1) * page_size >= (batch.count or 0):
                return
            page += 1

    def update_attributes(self, workflow_id: str, set: dict[str, Any] | None = None,
                          remove: list[str] | None = None, comment: str | None = None) -> Workflow:
        updates = [{"action": "set", "path": k, "value": v} for k, v in (set or {}).items()]
        updates += [{"action": "remove", "path": k} for k in remove or []]
        body: dict[str, Any] = {"updates": updates}
        if comment:
            body["comment"] = comment
        return self._model(Workflow, "PATCH", f"/workflows/{workflow_id}/attributes", json=body)

    def get_approvals(self, workflow_id: str) -> Approvals:
        return self._model(Approvals, "GET", f"/workflows/{workflow_id}/approvals")

    def set_approval(self, workflow_id: str, role_id: str, status: str = "approved") -> bool:
        return bool(self._request("PATCH", f"/workflows/{workflow_id}/approvals/{role_id}", json={"status": status}))

    def add_comment(self, workflow_id: str, text: str) -> Comment:
        return self._model(Comment, "POST", f"/workflows/{workflow_id}/comments", json={"comment": text})

    def cancel_workflow(self, workflow_id: str, message: str) -> None:
        self._request("POST", f"/workflows/{workflow_id}/cancel", json={"comment": {"message": message}})

    def pause_workflow(self, workflow_id: str, message: str) -> None:
        self._request("POST", f"/workflows/{workflow_id}/pause", json={"comment": {"message": message}})

    def resume_workflow(self, workflow_id: str, message: str) -> None:
        self._request("POST", f"/workflows/{workflow_id}/resume", json={"comment": {"message": message}})

    # --- records ------------------------------------------------------------------------------
    def get_record(self, record_id: str) -> Record:
        return self._model(Record, "GET", f"/records/{record_id}")

    def list_records(self, *, page: int = 0, page_size: int = 20, types: list[str] | None = None,
                     last_updated: datetime | str | None = None, filter: str | None = None,
                     sort_field: str = "agreementDate", sort_direction: str = "DESC") -> Page[Record]:
        params = _drop_none({"page": page, "pageSize": page_size, "types": ",".join(types) if types else None,
                             "lastUpdated": _iso(last_updated), "filter": filter, "sortField": sort_field,
                             "sortDirection": sort_direction})
        return Page[Record].model_validate(self._request("GET", "/records", params=params))

    def iter_records(self, *, types: list[str] | None = None, last_updated: datetime | str | None = None,
                     filter: str | None = None, page_size: int = 100) -> Iterator[Record]:
        page = 0
        while True:
            # Oldest first, so records created while we page only ever append.
            batch = self.list_records(page=page, page_size=page_size, types=types, last_updated=last_updated,
                                      filter=filter, sort_field="lastUpdated", sort_direction="ASC")
            yield from batch.items
            if not batch.items or (page + 1) * page_size >= (batch.count or 0):
                return
            page += 1

    def create_record(self, type: str, name: str, properties: dict[str, dict[str, Any]]) -> Record:
        return self._model(Record, "POST", "/records", json={"type": type, "name": name, "properties": properties})

    def update_record(self, record_id: str, add_properties: dict[str, dict[str, Any]] | None = None,
                      remove_properties: list[str] | None = None, name: str | None = None) -> Record:
        body = _drop_none({"addProperties": add_properties, "removeProperties": remove_properties, "name": name})
        return self._model(Record, "PATCH", f"/records/{record_id}", json=body)

    def delete_record(self, record_id: str) -> None:
        self._request("DELETE", f"/records/{record_id}")

    def records_metadata(self) -> dict[str, Any]:
        return dict(self._request("GET", "/records/metadata"))

    def download_signed_copy(self, record_id: str, max_bytes: int | None = None) -> bytes:
        """The executed file, streamed and cut off at `max_bytes` (the document limits' input cap): a hostile
        or broken attachment is refused with DocumentTooLargeError before it fills memory."""
        cap = max_bytes or DocumentLimits().max_bytes
        source = f"Ironclad record {record_id} signedCopy"
        response = self._send("GET", f"{API_PREFIX}/records/{record_id}/attachments/signedCopy", idempotent=True,
                              stream=True)
        try:
            if response.status_code >= 400:
                raise _error_from(response)
            return read_capped(response.headers.get("content-length"), response.iter_bytes(), cap, source)
        finally:
            response.close()

    # --- webhooks -----------------------------------------------------------------------------
    def create_webhook(self, events: list[str], target_url: str) -> Webhook:
        return self._model(Webhook, "POST", "/webhooks", json={"events": events, "targetURL": target_url})

    def list_webhooks(self, page: int = 0, page_size: int = 100) -> list[Webhook]:
        body = self._request("GET", "/webhooks", params={"page": page, "pageSize": page_size})
        return [Webhook.model_validate(item) for item in body["list"]]

    def get_webhook(self, webhook_id: str) -> Webhook:
        return self._model(Webhook, "GET", f"/webhooks/{webhook_id}")

    def update_webhook(self, webhook_id: str, *, events: list[str] | None = None, target_url: str | None = None,
                       status: str | None = None) -> Webhook:
        body = _drop_none({"events": events, "targetURL": target_url, "status": status})
        return self._model(Webhook, "PATCH", f"/webhooks/{webhook_id}", json=body)

    def delete_webhook(self, webhook_id: str) -> None:
        self._request("DELETE", f"/webhooks/{webhook_id}")

    def verification_key(self) -> str:
        """The PEM public key that signs webhook deliveries."""
        response = self._send("GET", f"{API_PREFIX}/webhooks/verification-key", idempotent=True)
        if response.status_code >= 400:
            raise _error_from(response)
        return response.text


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _iso(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _json_or_none(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _typed_error(status: int, code: str, message: str, param: str | None, request_id: str | None,
                 retry_after: float | None = None) -> IroncladError:
    kwargs: dict[str, Any] = {"code": code, "param": param, "status": status, "request_id": request_id}
    if status == 429:
        return IroncladRateLimitedError(message, retry_after=retry_after, **kwargs)
    if status in (401, 403):
        return IroncladAuthError(message, **kwargs)
    if status == 404:
        return IroncladNotFoundError(message, **kwargs)
    if status >= 500:
        return IroncladServerError(message, **kwargs)
    if code == "INVALID_STATE":
        return IroncladInvalidStateError(message, **kwargs)
    if code in ("MISSING_PARAM", "INVALID_PARAM") or status == 400:
        return IroncladValidationError(message, **kwargs)
    return IroncladError(message, **kwargs)


def _error_from(response: httpx.Response) -> IroncladError:
    body = _json_or_none(response) or {}
    message = body.get("message") or response.text[:500] or response.reason_phrase
    return _typed_error(response.status_code, body.get("code") or f"HTTP_{response.status_code}", message,
                        body.get("param"), response.headers.get("x-ironclad-requestid"), retry_after(response))
