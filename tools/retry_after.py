"""The Retry-After header of an HTTP answer, in seconds: the one reading both Ironclad's and the chat clients use."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (a number or an HTTP date), or None when absent or unreadable."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
