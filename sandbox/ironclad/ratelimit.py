"""Per-company request buckets: at most N requests in any rolling window, then 429 with Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from sandbox.ironclad.config import RateLimits
from sandbox.ironclad.errors import ApiError


class RateLimiter:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def bucket_limit(self, bucket: str) -> int:
        return {"pub:workflows:read": self.limits.workflows_read,
                "pub:workflows:write": self.limits.workflows_write,
                "pub:records:read": self.limits.records_read}[bucket]

    def check(self, bucket: str) -> dict[str, str]:
        """Count one request; returns X-RateLimit headers, or raises 429 TOO_MANY_REQUESTS."""
        limit, window = self.bucket_limit(bucket), self.limits.window_seconds
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(bucket, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            reset = hits[0] + window - now if hits else window
            if len(hits) >= limit:
                retry_after = max(1, math.ceil(reset)) if window >= 1 else max(reset, 0.001)
                raise ApiError(429, "TOO_MANY_REQUESTS",
                               f"rate limit of {limit} requests per {window:g}s exceeded for {bucket}",
                               headers={"Retry-After": _seconds(retry_after),
                                        "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
                                        "X-RateLimit-Reset": _seconds(reset)})
            hits.append(now)
            return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - len(hits)),
                    "X-RateLimit-Reset": _seconds(reset)}


def _seconds(value: float) -> str:
    """Whole seconds as the real API sends; sub-second windows (tests) keep their fraction."""
    return str(math.ceil(value)) if value >= 1 else f"{value:.3f}"
