"""Keeping webhook URLs and tokens out of logs and records.

A Slack or Teams webhook URL is itself the credential, and httpx logs every request's URL at INFO: a filter on
the `httpx` logger replaces each registered secret before the line is written anywhere. Error texts we record
go through the same `redact`. A slash command's `response_url` is a credential too (anyone holding it may post
for half an hour), and there is one per command, so those are matched by their shape instead of registered.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import urlsplit

REDACTED = "<redacted>"
_SHORTEST_SECRET = 8  # a bare "/" path is not a secret, and replacing it would garble every line
_RESPONSE_URL = re.compile(r"https://hooks\.slack\.com/(?:commands|actions)/[^\s\"'<>]+")


class _Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        if len(secret) >= _SHORTEST_SECRET:
            with self._lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)  # a URL before the path inside it
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return _RESPONSE_URL.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_REDACTOR = _Redactor()
logging.getLogger("httpx").addFilter(_REDACTOR)


def keep_secret(secret: str) -> None:
    """Never show `secret` in a log line of httpx's or a text passed through `redact`."""
    _REDACTOR.add(secret)


def keep_url_secret(url: str) -> None:
    """A webhook URL: the whole of it, and its path and query (what identifies and authorises the hook)."""
    keep_secret(url)
    parts = urlsplit(url)
    keep_secret(parts.path + (f"?{parts.query}" if parts.query else ""))
    if parts.query:
        keep_secret(parts.query)


def redact(text: str) -> str:
    return _REDACTOR.redact(text)
