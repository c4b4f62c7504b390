"""Per-org API request accounting, as Salesforce reports it in `Sforce-Limit-Info` and `/limits/`.

Every authenticated REST call counts once (a composite request counts once, like the real org).
Past the daily allocation the org answers 403 REQUEST_LIMIT_EXCEEDED until the counter is reset.
"""

from __future__ import annotations

import threading

DEFAULT_DAILY_API_LIMIT = 15_000


class ApiUsage:
    """A thread-safe request counter with a configurable daily allocation."""

    def __init__(self, daily_limit: int = DEFAULT_DAILY_API_LIMIT) -> None:
        if daily_limit < 1:
            raise ValueError("daily_limit must be at least 1")
        self.daily_limit = daily_limit
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        with self._lock:
            return self._used

    def try_consume(self) -> bool:
        """Count one call; False (and nothing counted) when the allocation is spent."""
        with self._lock:
            if self._used >= self.daily_limit:
                return False
            self._used += 1
            return True

    def reset(self, daily_limit: int | None = None) -> None:
        with self._lock:
            self._used = 0
            if daily_limit is not None:
                if daily_limit < 1:
                    raise ValueError("daily_limit must be at least 1")
                self.daily_limit = daily_limit

    def header_value(self) -> str:
        """The `Sforce-Limit-Info` value simple-salesforce parses into `sf.api_usage`."""
        with self._lock:
            return f"api-usage={self._used}/{self.daily_limit}"

    def limits_resource(self) -> dict[str, dict[str, int]]:
        """The `GET /limits/` body: the API allocation is live, the others are static org defaults."""
        with self._lock:
            remaining = max(self.daily_limit - self._used, 0)
        static = {
            "DailyBulkApiBatches": 15_000,
            "DailyBulkV2QueryJobs": 10_000,
            "DailyBulkV2QueryFileStorageMB": 976_562,
            "DailyAsyncApexExecutions": 250_000,
            "DataStorageMB": 5,
            "FileStorageMB": 20,
            "HourlyTimeBasedWorkflow": 1_000,
            "SingleEmail": 5_000,
        }
        body = {"DailyApiRequests": {"Max": self.daily_limit, "Remaining": remaining}}
        body.update({name: {"Max": cap, "Remaining": cap} for name, cap in static.items()})
        return body
