"""One POST of a JSON message to a chat service, and what its answer means for a retry.

A network error, a 5xx, a 408 and a 429 are worth another attempt (a 429's Retry-After is kept for the
dispatcher to honour); any other 4xx is the service refusing this message, which sending again cannot change.
A timeout after the request went out may still have posted the message: an alert sent twice is better than an
alert lost, so it is retried like any other network error.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tools.chat.errors import ChatDeliveryError
from tools.chat.redact import redact
from tools.retry_after import retry_after

_BODY_CHARS = 200  # of an error answer, in the record


def post_json(http: httpx.Client, url: str, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> httpx.Response:
    """POST `body` as compact UTF-8 JSON; a transport failure becomes a retryable `ChatDeliveryError`."""
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    try:
        return http.post(url, content=content, headers=sent)
    except httpx.TransportError as exc:
        raise ChatDeliveryError(redact(f"{type(exc).__name__}: {exc}"), retryable=True) from exc


def raise_for_answer(response: httpx.Response) -> None:
    """Nothing for a 2xx; otherwise the `ChatDeliveryError` the status calls for."""
    status = response.status_code
    if 200 <= status < 300:
        return
    text = redact(response.text.strip()[:_BODY_CHARS]) or response.reason_phrase
    retryable = status >= 500 or status in (408, 429)
    raise ChatDeliveryError(text, retryable=retryable, status=status,
                            retry_after=retry_after(response) if status == 429 else None)

