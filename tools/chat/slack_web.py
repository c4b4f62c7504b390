"""`SlackWeb`: the few Slack calls contract questions make, each retried like a deviation alert.

- `users.info` (bot token, `users:read` + `users:read.email`): who asked, by email; None for `user_not_found`.
- `chat.postMessage` (`chat:write`) with `thread_ts`: an answer in the thread of the mention.
- `chat.postEphemeral`: a notice only the asker sees (no access, no Salesforce user).
- a `response_url` (no token: the URL is the credential, good for five posts in 30 minutes): the answer to a
  slash command or to a button press.

A network error, a 5xx, a 429 (after its Retry-After, capped) and Slack's transient error codes are tried again
with the alerts' `RetryPolicy`; any other refusal is raised at once as `ChatDeliveryError`. A timeout after the
request went out may still have posted: a message twice is better than an answer lost. Synchronous, on one
`httpx.Client`, because the existing delivery helpers are; async callers run it in a worker thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tools.chat.delivery import post_json, raise_for_answer
from tools.chat.dispatcher import RetryPolicy
from tools.chat.errors import ChatDeliveryError
from tools.chat.redact import keep_secret, redact
from tools.chat.slack import SLACK_API_URL, web_api_answer

log = logging.getLogger(__name__)
SLACK_HOOKS = "https://hooks.slack.com/"  # where Slack's own response_urls live
T = TypeVar("T")


class SlackProfile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    email: str | None = None
    real_name: str | None = None


class SlackUser(BaseModel):
    """The part of `users.info`'s user object that decides who may ask."""

    model_config = ConfigDict(extra="ignore")

    id: str
    team_id: str | None = None
    deleted: bool = False
    is_bot: bool = False
    profile: SlackProfile = Field(default_factory=SlackProfile)


class SlackWeb:
    def __init__(self, token: str, api_url: str = SLACK_API_URL, policy: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._token, self._api = token, api_url.rstrip("/")
        self.policy, self._sleep = policy or RetryPolicy(max_attempts=3), sleep
        self._http = httpx.Client(transport=transport, timeout=self.policy.timeout, follow_redirects=False,
                                  headers={"User-Agent": "contractloop"})
        keep_secret(token)

    def close(self) -> None:
        self._http.close()

    # --- calls ---------------------------------------------------------------------------------------------
    def user(self, user_id: str) -> SlackUser | None:
        try:
            answer = self._retried("users.info", lambda: web_api_answer(self._http.get(
                f"{self._api}/users.info", params={"user": user_id}, headers=self._auth())))
        except ChatDeliveryError as exc:
            if exc.message == "user_not_found":
                return None
            raise
        return SlackUser.model_validate(answer.get("user") or {})

    def post_message(self, channel: str, message: dict[str, Any], thread_ts: str | None = None) -> str | None:
        """Post to `channel` (in the thread of `thread_ts`); the new message's ts."""
        body = {"channel": channel, **message, **({"thread_ts": thread_ts} if thread_ts else {})}
        answer = self._retried("chat.postMessage", lambda: web_api_answer(
            post_json(self._http, f"{self._api}/chat.postMessage", body, self._auth())))
        return str(answer["ts"]) if answer.get("ts") else None

    def post_ephemeral(self, channel: str, user: str, message: dict[str, Any], thread_ts: str | None = None) -> None:
        body = {"channel": channel, "user": user, **message, **({"thread_ts": thread_ts} if thread_ts else {})}
        self._retried("chat.postEphemeral", lambda: web_api_answer(
            post_json(self._http, f"{self._api}/chat.postEphemeral", body, self._auth())))

    def respond(self, response_url: str, message: dict[str, Any]) -> None:
        """POST `message` (with `response_type`, `replace_original`… as Slack reads them) to a response_url."""
        if not self.response_url_allowed(response_url):
            raise ChatDeliveryError("response_url is not Slack's", retryable=False)
        self._retried("response_url", lambda: raise_for_answer(post_json(self._http, response_url, message)))

    def response_url_allowed(self, url: str) -> bool:
        """Slack's hooks host, or the host of the configured Web API (the sandbox serves both): never anywhere a
        request body happens to name."""
        if url.startswith(SLACK_HOOKS):
            return True
        api, given = urlsplit(self._api), urlsplit(url)
        return (given.scheme, given.netloc) == (api.scheme, api.netloc) and given.scheme in ("http", "https")

    # --- plumbing ------------------------------------------------------------------------------------------
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _retried(self, what: str, call: Callable[[], T]) -> T:
        attempt = 1
        while True:
            try:
                return call()
            except httpx.TransportError as exc:  # a GET has no post_json to wrap this
                error = ChatDeliveryError(redact(f"{type(exc).__name__}: {exc}"), retryable=True)
            except ChatDeliveryError as exc:
                error = exc
            if not error.retryable or attempt >= self.policy.max_attempts:
                raise error
            wait = self.policy.delay(attempt, error.retry_after)
            log.info("slack %s: retrying in %.2fs after %s", what, wait, redact(str(error)))
            self._sleep(wait)
            attempt += 1
