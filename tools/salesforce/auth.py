"""Getting a Salesforce access token: a held token, OAuth client credentials, or the JWT bearer flow.

Tokens come from the org's own token endpoint (`{instance}/services/oauth2/token`, as My Domain orgs
require for client credentials), so the sandbox and a real org are reached by the same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import requests

from tools.salesforce.errors import SalesforceAuthError


@dataclass(frozen=True)
class AccessToken:
    value: str
    instance_url: str


class TokenProvider:
    """Hands out a token and can fetch a fresh one when the session expires."""

    def __init__(
        self,
        instance_url: str,
        session: requests.Session,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        username: str | None = None,
        private_key_file: Path | None = None,
        login_domain: str = "login",
        timeout: float = 30.0,
    ) -> None:
        self.instance_url = instance_url.rstrip("/")
        self._session = session
        self._static = access_token
        self._client_id = client_id
        self._client_secret = client_secret
        self._username = username
        self._private_key_file = private_key_file
        self._login_domain = login_domain
        self._timeout = timeout
        self._current: AccessToken | None = None

    @property
    def can_refresh(self) -> bool:
        return bool(self._client_id and (self._client_secret or (self._username and self._private_key_file)))

    def token(self) -> AccessToken:
        if self._current is None:
            if self._static:
                self._current = AccessToken(self._static, self.instance_url)
            else:
                self._current = self.refresh()
        return self._current

    def refresh(self) -> AccessToken:
        """Fetch a new token with the configured credentials (JWT bearer preferred over client secret)."""
        if not self.can_refresh:
            raise SalesforceAuthError(401, "INVALID_SESSION_ID",
                                      "session expired and no OAuth credentials are configured to renew it")
        if self._username and self._private_key_file:
            form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": self._jwt_assertion()}
        else:
            form = {"grant_type": "client_credentials", "client_id": self._client_id or "",
                    "client_secret": self._client_secret or ""}
        resp = self._session.post(f"{self.instance_url}/services/oauth2/token", data=form, timeout=self._timeout)
        try:
            payload = resp.json()
        except ValueError:
            payload = {"error": "invalid_response", "error_description": resp.text[:200]}
        if resp.status_code != 200 or "access_token" not in payload:
            raise SalesforceAuthError(resp.status_code, str(payload.get("error", "auth_failed")),
                                      str(payload.get("error_description", "token request failed")))
        self._current = AccessToken(payload["access_token"], str(payload.get("instance_url") or self.instance_url))
        return self._current

    def _jwt_assertion(self) -> str:
        assert self._private_key_file is not None
        key = Path(self._private_key_file).read_text(encoding="utf-8")
        claims = {
            "iss": self._client_id,
            "sub": self._username,
            "aud": f"https://{self._login_domain}.salesforce.com",
            "exp": int(time.time()) + 180,
        }
        return jwt.encode(claims, key, algorithm="RS256")
