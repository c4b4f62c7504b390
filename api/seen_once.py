"""`SeenOnce`: keys claimed recently, so a redelivered Slack event or a double-clicked button acts once.

Slack retries an event up to three times within minutes when it saw no 200 in time (`X-Slack-Retry-Num`), and a
button sends one interaction per click. An hour's memory covers both; it is in memory, so a retry arriving just
after a restart is answered again (a duplicate answer beats a lost one). Bounded: the oldest keys go first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class SeenOnce:
    def __init__(self, ttl: float = 3600.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_keys, self._clock = ttl, max_keys, clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed within `ttl`; False for a repeat."""
        now = self._clock()
        with self._lock:
            while self._seen and (len(self._seen) >= self.max_keys or next(iter(self._seen.values())) < now - self.ttl):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def release(self, key: str) -> None:
        """Forget `key`, so that the work it guarded can be tried again (it failed)."""
        with self._lock:
            self._seen.pop(key, None)
