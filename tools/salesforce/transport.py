"""The HTTP session the client uses. A configured CA bundle must win over REQUESTS_CA_BUNDLE, which
requests otherwise lets override `session.verify` (and which many machines set system-wide)."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class _PinnedCABundleAdapter(HTTPAdapter):
    def __init__(self, ca_bundle: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ca_bundle = ca_bundle

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs["verify"] = self._ca_bundle
        return super().send(request, **kwargs)


def make_session(ca_bundle: str | None = None) -> requests.Session:
    session = requests.Session()
    if ca_bundle:
        session.verify = ca_bundle
        session.mount("https://", _PinnedCABundleAdapter(ca_bundle))
    return session
