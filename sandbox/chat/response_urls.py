"""The `response_url`s the sandbox hands out, as Slack's behave: good for five posts within 30 minutes.

Slack puts one in every slash command and interaction (`https://hooks.slack.com/commands/T…/…/…` and
`…/actions/…`); the URL is the credential. A post to one not handed out, used up or expired is refused with 404
and `{"ok": false, "error": "…"}`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sandbox.chat.slack_users import TEAM_ID

MAX_USES = 5
LIFETIME_SECONDS = 30 * 60
Source = Literal["commands", "actions"]


@dataclass
class _Issued:
    issued_at: float
    uses: int = 0


class ResponseUrls:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._issued: dict[str, _Issued] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def issue(self, source: Source = "commands") -> str:
        """A new path, `/{source}/{team}/{id}/{secret}`."""
        path = f"/{source}/{TEAM_ID}/{secrets.randbelow(10**12):012d}/{secrets.token_urlsafe(18)}"
        with self._lock:
            self._issued[path] = _Issued(self._clock())
        return path

    def use(self, path: str) -> str | None:
        """None when a post to `path` may go through (and counts it), else Slack's error code."""
        with self._lock:
            issued = self._issued.get(path)
            if issued is None:
                return "no_active_hooks"
            if self._clock() - issued.issued_at > LIFETIME_SECONDS:
                return "expired_url"
            if issued.uses >= MAX_USES:
                return "used_url"
            issued.uses += 1
            return None
