"""OAuth 2.0 client-credentials tokens and the per-request authentication Ironclad performs.

Token endpoint errors follow RFC 6749 (`{error, error_description}`); API errors use `{code, message}`.
Client-credentials tokens act as a user named in `x-as-user-email` / `x-as-user-id`.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox.ironclad.config import SandboxConfig, SandboxUser
from sandbox.ironclad.errors import ApiError
from sandbox.ironclad.store import Store

_WORKFLOW_ACTIONS = (
    "readWorkflows", "createWorkflows", "updateWorkflows", "readSchemas", "readApprovals", "updateApprovals",
    "readSignatures", "readSignStatus", "readComments", "createComments", "cancel", "pauseAndResume",
    "readDocuments", "createDocuments", "readParticipants", "revertToReview",
)
_RECORD_ACTIONS = (
    "readRecords", "createRecords", "updateRecords", "deleteRecords", "readSchemas", "readAttachments",
    "createAttachments", "deleteAttachments", "createComments",
)
_WEBHOOK_ACTIONS = ("createWebhooks", "readWebhooks", "updateWebhooks", "deleteWebhooks")
ALL_SCOPES: frozenset[str] = frozenset(
    [f"public.workflows.{a}" for a in _WORKFLOW_ACTIONS]
    + [f"public.records.{a}" for a in _RECORD_ACTIONS]
    + [f"public.webhooks.{a}" for a in _WEBHOOK_ACTIONS]
)


@dataclass
class AccessToken:
    value: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


@dataclass
class Caller:
    token: AccessToken
    user: SandboxUser


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={"Cache-Control": "no-store"})


class TokenAuthority:
    """Issues and checks tokens. Tokens are kept in the tenant's store, so with a database file they outlive
    a restart of the emulator (as Ironclad's do): a client holding one keeps working."""

    def __init__(self, config: SandboxConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store or Store()
        self._lock = threading.Lock()
        with self.store.lock:
            self.store.conn.execute("DELETE FROM tokens WHERE expires_at <= ?", (time.time(),))
            rows = self.store.conn.execute("SELECT * FROM tokens").fetchall()
        self._tokens: dict[str, AccessToken] = {
            r["value"]: AccessToken(r["value"], r["client_id"], frozenset(r["scopes"].split()), r["expires_at"],
                                    bool(r["revoked"])) for r in rows}

    async def token_endpoint(self, request: Request) -> JSONResponse:
        params = await _read_params(request)
        if params is None:
            return _oauth_error(400, "invalid_request", "body must be JSON or application/x-www-form-urlencoded")
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return _oauth_error(400, "invalid_request", "malformed Basic authorization header")
        grant_type = params.get("grant_type")
        if not grant_type:
            return _oauth_error(400, "invalid_request", "grant_type is required")
        if grant_type != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported here")
        if not client_id:
            return _oauth_error(400, "invalid_request", "client_id is required")
        if client_id != self.config.client_id:
            return _oauth_error(401, "invalid_client", "unknown client")
        if not secrets.compare_digest(str(client_secret or ""), self.config.client_secret):
            return _oauth_error(403, "unauthorized_client", "unauthorized")
        requested = set(str(params.get("scope") or "").split())
        unknown = sorted(requested - ALL_SCOPES)
        if unknown:
            return _oauth_error(400, "invalid_scope", f"unknown scope(s): {' '.join(unknown)}")
        scopes = frozenset(requested or ALL_SCOPES)
        token = AccessToken(secrets.token_urlsafe(32), client_id, scopes,
                            time.time() + self.config.token_ttl_seconds)
        with self._lock:
            self._tokens[token.value] = token
        with self.store.lock:
            self.store.conn.execute(
                "INSERT INTO tokens (value, client_id, scopes, expires_at) VALUES (?, ?, ?, ?)",
                (token.value, token.client_id, " ".join(sorted(token.scopes)), token.expires_at))
        return JSONResponse(
            {"token_type": "Bearer", "access_token": token.value, "expires_in": self.config.token_ttl_seconds,
             "scope": " ".join(sorted(scopes))},
            headers={"Cache-Control": "no-store"},
        )

    def authenticate(self, request: Request, scope: str) -> Caller:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise ApiError(401, "UNAUTHORIZED", "invalid authentication token")
        with self._lock:
            token = self._tokens.get(header[7:].strip())
        if token is None:
            raise ApiError(401, "UNAUTHORIZED", "invalid authentication token")
        if token.revoked:
            raise ApiError(401, "UNAUTHORIZED", "token has been revoked")
        if token.expires_at <= time.time():
            raise ApiError(401, "UNAUTHORIZED", "token has expired")
        if scope not in token.scopes:
            raise ApiError(403, "FORBIDDEN", f"access forbidden: token lacks scope {scope}")
        return Caller(token, self._acting_user(request))

    def _acting_user(self, request: Request) -> SandboxUser:
        email, user_id = request.headers.get("x-as-user-email"), request.headers.get("x-as-user-id")
        if not email and not user_id:
            raise ApiError(400, "MISSING_PARAM",
                           "client credentials tokens must send the x-as-user-email or x-as-user-id header",
                           "x-as-user-email")
        user = self.config.user_by_email(email) if email else self.config.user_by_id(str(user_id))
        if user is None:
            raise ApiError(403, "FORBIDDEN", "access forbidden: the acting user is not a member of this company")
        return user

    def expire_all(self) -> int:
        """Sandbox control: make every issued token expired, to exercise client refresh."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = 0.0
            with self.store.lock:
                self.store.conn.execute("UPDATE tokens SET expires_at = 0")
            return len(self._tokens)

    def revoke_all(self) -> int:
        """Sandbox control: revoke every issued token (an admin rotated the app's credentials)."""
        with self._lock:
            for token in self._tokens.values():
                token.revoked = True
            with self.store.lock:
                self.store.conn.execute("UPDATE tokens SET revoked = 1")
            return len(self._tokens)


async def _read_params(request: Request) -> dict[str, Any] | None:
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    return dict(parse_qsl(raw.decode("utf-8", "replace")))
