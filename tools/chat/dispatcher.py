"""`AlertDispatcher`: hands deviation alerts to chat channels in the background, so a run never waits on them.

`submit(alert)` records the alert for every configured channel and returns at once; it never raises. A single
daemon thread sends what is due, one message at a time (Slack allows a webhook about one message a second,
Teams four), and retries network errors, 5xx and 429 with exponential backoff, a 429 after its Retry-After
(capped), until `max_attempts`. Every attempt and the final status are in the `AlertRecord`. A thread rather than
an asyncio task because the reviewer node that submits is synchronous and may run in any thread, with or without
an event loop; the thread is started by the first submit.

Deliveries still queued when the process exits stay `pending` in the record and are not resumed.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import BaseModel, Field

from core.settings import Settings
from tools.chat.alert import DeviationAlert
from tools.chat.channel import ChatChannel
from tools.chat.errors import ChatDeliveryError
from tools.chat.record import NOT_CONFIGURED, RECORD_FILE, AlertAttempt, AlertDelivery, AlertRecord, now_iso
from tools.chat.redact import redact
from tools.chat.slack import SlackApi, SlackWebhook
from tools.chat.teams import TeamsWebhook

log = logging.getLogger(__name__)
_ERROR_CHARS = 500


class RetryPolicy(BaseModel):
    max_attempts: int = Field(5, ge=1, description="Attempts in all, the first included.")
    backoff_base: float = Field(1.0, ge=0, description="Seconds before the first retry; doubled each time.")
    max_backoff: float = Field(60.0, ge=0)
    max_retry_after: float = Field(300.0, ge=0, description="A longer Retry-After is waited for this long.")
    timeout: float = Field(10.0, gt=0, description="Seconds for one request.")

    def delay(self, failures: int, retry_after: float | None) -> float:
        """Before attempt `failures + 1`: the server's Retry-After (capped), else backoff with jitter."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return min(self.max_backoff, self.backoff_base * 2 ** (failures - 1)) * (0.5 + random.random() / 2)


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    alert: DeviationAlert = field(compare=False)
    channel: ChatChannel = field(compare=False)
    attempt: int = field(default=1, compare=False)


class AlertDispatcher:
    def __init__(self, channels: Sequence[ChatChannel], record: AlertRecord, policy: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        names = [c.name for c in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"channel names must be unique: {names}")
        self.channels, self.record, self.policy = list(channels), record, policy or RetryPolicy()
        self._http = httpx.Client(transport=transport, timeout=self.policy.timeout, follow_redirects=False,
                                  headers={"User-Agent": "contractloop"})
        self._queue: list[_Job] = []
        self._seq = itertools.count()
        self._unsettled = 0  # queued or in flight
        self._cv = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def configured(self) -> bool:
        return bool(self.channels)

    # --- producing ----------------------------------------------------------------------------
    def submit(self, alert: DeviationAlert) -> str | None:
        """Queue `alert` for every channel that has not had it; its dedupe key, or None if it could not even be
        recorded (logged). Never raises and never waits for a chat service."""
        try:
            if not self.channels:
                self.record.claim(alert, NOT_CONFIGURED, status="not_configured")
                return alert.dedupe_key
            for channel in self.channels:
                if self.record.claim(alert, channel.name):
                    self._enqueue(_Job(time.monotonic(), next(self._seq), alert, channel))
            return alert.dedupe_key
        except Exception:
            log.exception("chat alert for correlation id %s was not queued",
                          getattr(alert, "correlation_id", "?"))
            return None

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued delivery is delivered or given up; False if `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while self._unsettled:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cv.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Give queued deliveries up to `timeout` seconds, then stop; what is left stays `pending`."""
        self.flush(timeout)
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.policy.timeout + 1)
        self._http.close()
        self.record.close()

    def __enter__(self) -> AlertDispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def deliveries(self, correlation_id: str | None = None) -> list[AlertDelivery]:
        return self.record.deliveries(correlation_id)

    def attempts(self, dedupe_key: str | None = None) -> list[AlertAttempt]:
        return self.record.attempts(dedupe_key)

    def _enqueue(self, job: _Job) -> None:
        with self._cv:
            if self._stopping:
                return  # recorded as pending; a stopped dispatcher sends nothing
            heapq.heappush(self._queue, job)
            self._unsettled += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="chat-alerts", daemon=True)
                self._thread.start()
            self._cv.notify_all()

    # --- consuming ----------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stopping and (not self._queue or self._queue[0].due > time.monotonic()):
                    self._cv.wait(self._queue[0].due - time.monotonic() if self._queue else None)
                if self._stopping:
                    return
                job = heapq.heappop(self._queue)
            retry: _Job | None = None
            try:
                retry = self._attempt(job)
            except Exception:  # the record itself failed: log it, keep the thread alive for the others
                log.exception("chat alert %s to %s: attempt %d not recorded", job.alert.correlation_id,
                              job.channel.name, job.attempt)
            with self._cv:
                if retry is not None and not self._stopping:
                    heapq.heappush(self._queue, retry)
                else:
                    self._unsettled -= 1
                self._cv.notify_all()

    def _attempt(self, job: _Job) -> _Job | None:
        """One attempt, recorded; the next attempt if one is due."""
        key, name = job.alert.dedupe_key, job.channel.name
        started, clock = now_iso(), time.monotonic()
        error: ChatDeliveryError | None = None
        try:
            job.channel.send(job.alert, self._http)
        except ChatDeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug in rendering or sending: recorded, not retried, never raised
            error = ChatDeliveryError(f"{type(exc).__name__}: {exc}", retryable=False)
        elapsed_ms = (time.monotonic() - clock) * 1000
        if error is None:
            self.record.attempted(key, name, attempt=job.attempt, started_at=started, elapsed_ms=elapsed_ms,
                                  status_code=None, error=None, outcome="delivered", status="delivered")
            log.info("chat alert %s delivered to %s (attempt %d)", job.alert.correlation_id, name, job.attempt)
            return None
        text = redact(str(error))[:_ERROR_CHARS]
        again = error.retryable and job.attempt < self.policy.max_attempts
        self.record.attempted(key, name, attempt=job.attempt, started_at=started, elapsed_ms=elapsed_ms,
                              status_code=error.status, error=text, outcome="retry" if again else "failed",
                              status="pending" if again else "failed")
        if not again:
            log.warning("chat alert %s to %s failed after %d attempt(s): %s", job.alert.correlation_id, name,
                        job.attempt, text)
            return None
        wait = self.policy.delay(job.attempt, error.retry_after)
        log.info("chat alert %s to %s: retrying in %.2fs after %s", job.alert.correlation_id, name, wait, text)
        return _Job(time.monotonic() + wait, next(self._seq), job.alert, job.channel, job.attempt + 1)


def channels_from_settings(settings: Settings) -> list[ChatChannel]:
    """Every destination the settings configure (each gets every alert); none = alerts are only recorded."""
    channels: list[ChatChannel] = []
    if settings.contractloop_slack_webhook_url:
        channels.append(SlackWebhook(settings.contractloop_slack_webhook_url.get_secret_value()))
    token, channel = settings.contractloop_slack_bot_token, settings.contractloop_slack_channel
    # A token without a channel is whole when it is there for contract questions (signing secret set).
    if bool(token) != bool(channel) and not (token and settings.contractloop_slack_signing_secret):
        missing = "CONTRACTLOOP_SLACK_CHANNEL" if token else "CONTRACTLOOP_SLACK_BOT_TOKEN"
        raise ValueError(f"Slack's Web API is half configured: set {missing} too, or neither")
    if token and channel:
        channels.append(SlackApi(token.get_secret_value(), channel, settings.contractloop_slack_api_url))
    if settings.contractloop_teams_webhook_url:
        channels.append(TeamsWebhook(settings.contractloop_teams_webhook_url.get_secret_value()))
    return channels


def dispatcher_from_settings(settings: Settings, *, record_path: Path | None = None,
                             policy: RetryPolicy | None = None,
                             transport: httpx.BaseTransport | None = None) -> AlertDispatcher:
    """The dispatcher the settings describe, recording in `<data dir>/chat_alerts.sqlite`. Raises ValueError for a
    half-configured channel (at startup, not in a run)."""
    channels = channels_from_settings(settings)
    record = AlertRecord(record_path or settings.contractloop_data_dir / RECORD_FILE)
    policy = policy or RetryPolicy(max_attempts=settings.contractloop_chat_max_attempts)
    return AlertDispatcher(channels, record, policy, transport)
