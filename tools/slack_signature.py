"""Slack's request signature (version `v0`): how our routes check a request came from Slack, and how the sandbox's
workspace signs the requests it sends the way Slack does.

Slack sends `X-Slack-Request-Timestamp` (Unix seconds) and `X-Slack-Signature: v0=<hex>`, where the hex is the
HMAC-SHA256, keyed with the app's signing secret, of `v0:{timestamp}:{raw body}`. The body must be the bytes as
received: a parsed and re-encoded form or JSON body signs differently. A timestamp more than five minutes from our
clock is refused whatever its signature, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

VERSION = "v0"
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
MAX_AGE_SECONDS = 300


class SlackSignatureError(Exception):
    """The request is not Slack's: no signature, a wrong one, or a timestamp outside the window."""


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """`v0=<hex>` for `body` sent at `timestamp`."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to a request carrying `body` (now, unless `timestamp` is given)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, body)}


def verify(secret: str, body: bytes, timestamp: str | None, presented: str | None, *,
           clock: Callable[[], float] = time.time, max_age: float = MAX_AGE_SECONDS) -> None:
    """Nothing when Slack signed `body` within `max_age` seconds of `clock()`; else `SlackSignatureError`."""
    if not timestamp or not presented:
        raise SlackSignatureError(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}")
    # Digits only: int() would also take " 12", "+12" and "1_2", each signing differently from what it means.
    if not timestamp.isascii() or not timestamp.isdigit():
        raise SlackSignatureError(f"{TIMESTAMP_HEADER} is not a Unix time")
    if abs(clock() - int(timestamp)) > max_age:
        raise SlackSignatureError(f"{TIMESTAMP_HEADER} is more than {max_age:g} seconds from now")
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode()):
        raise SlackSignatureError(f"{SIGNATURE_HEADER} does not match the body")
