"""A `requests` transport adapter that sends Salesforce login traffic to the sandbox.

simple-salesforce hard-codes `https://{domain}.salesforce.com` for its SOAP, username-password, JWT and
client-credentials logins. Mounting this adapter on the session it is given sends those requests to
the sandbox instead, so every login flow runs unchanged; the sandbox then answers with its own
instance URL and all later calls go there directly.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


def is_salesforce_login_host(host: str) -> bool:
    host = host.lower()
    return host == "salesforce.com" or host.endswith(".salesforce.com")


class SandboxRedirectAdapter(HTTPAdapter):
    """Rewrites `https://*.salesforce.com/...` to `target_url` (scheme, host and port); leaves others alone.

    With `ca_bundle`, requests to the target are verified against it even when `REQUESTS_CA_BUNDLE` is set
    (requests lets that variable override `session.verify`).
    """

    def __init__(self, target_url: str, ca_bundle: str | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._ca_bundle = ca_bundle
        target = urlsplit(target_url)
        if target.scheme not in ("http", "https") or not target.netloc:
            raise ValueError(f"target_url must be an absolute http(s) URL, got {target_url!r}")
        self._scheme = target.scheme
        self._netloc = target.netloc

    def send(self, request: requests.PreparedRequest, **kwargs):  # type: ignore[override]
        parts = urlsplit(request.url or "")
        if parts.hostname and is_salesforce_login_host(parts.hostname):
            request.url = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, parts.fragment))
            parts = urlsplit(request.url)
        if self._ca_bundle and parts.scheme == "https" and parts.netloc == self._netloc:
            kwargs["verify"] = self._ca_bundle
        return super().send(request, **kwargs)


def redirecting_session(target_url: str, ca_bundle: str | None = None) -> requests.Session:
    """A session for `simple_salesforce.Salesforce(session=...)` that logs in against the sandbox."""
    session = requests.Session()
    adapter = SandboxRedirectAdapter(target_url, ca_bundle)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if ca_bundle is not None:
        session.verify = ca_bundle
    return session
