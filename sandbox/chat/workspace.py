"""`SlackWorkspace`: Slack's side of contract questions, for tests and the demo.

It builds the requests Slack sends an app, in Slack's encodings, and signs them with the app's signing secret
(`v0`, as tools/slack_signature.py checks): a slash command (form; its `response_url` handed out by the chat
receiver, where the answer then shows up), an `app_mention` event (JSON envelope with `event_id`, and
`X-Slack-Retry-Num` when it is a redelivery), a `url_verification`, and a button click (`payload` form field,
`block_actions`). `secret=` and `timestamp=` forge or age a request on purpose.

    workspace = chat_sandbox.workspace()
    sent = workspace.slash_command(f"{app_url}/slack/commands", "governing law of the Acme MSA?", user_id="U0SANDBOX1")
    sent.response.json()  # {"response_type": "ephemeral", "text": "Looking that up…"}
    chat_sandbox.received("slack_response")  # the answer, once it is posted
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from sandbox.chat.response_urls import Source
from sandbox.chat.slack_users import TEAM_ID
from tools.slack_signature import signed_headers

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class SentRequest:
    response: httpx.Response
    elapsed: float  # seconds until the app answered (Slack gives up after 3)
    response_url: str | None = None
    event_id: str | None = None
    ts: str | None = None


class SlackWorkspace:
    def __init__(self, signing_secret: str, receiver_url: str, *, team_id: str = TEAM_ID,
                 bot_user_id: str = "U0CONTRACTS", channel_id: str = "C0SANDBOX",
                 clock: Callable[[], float] = time.time, timeout: float = 10.0) -> None:
        self.signing_secret, self.receiver_url = signing_secret, receiver_url.rstrip("/")
        self.team_id, self.bot_user_id, self.channel_id = team_id, bot_user_id, channel_id
        self._clock, self._timeout = clock, timeout

    def response_url(self, source: Source = "commands") -> str:
        """A fresh response_url from the chat receiver (what Slack puts in each command and click)."""
        answer = httpx.post(f"{self.receiver_url}/_sandbox/response-urls", json={"source": source},
                            timeout=self._timeout)
        answer.raise_for_status()
        return str(answer.json()["response_url"])

    # --- what Slack sends -------------------------------------------------------------------------------------
    def slash_command(self, url: str, text: str, *, user_id: str, channel_id: str | None = None,
                      command: str = "/contract", response_url: str | None = None, **signing: Any) -> SentRequest:
        """POST a `/contract <text>` from `user_id` to `url` (the app's /slack/commands)."""
        hook = response_url or self.response_url("commands")
        form = {"token": "deprecated-verification-token", "team_id": self.team_id, "team_domain": "sandbox",
                "channel_id": channel_id or self.channel_id, "channel_name": "contracts", "user_id": user_id,
                "user_name": user_id.lower(), "command": command, "text": text, "api_app_id": "A0CONTRACTS",
                "is_enterprise_install": "false", "response_url": hook,
                "trigger_id": f"{int(self._clock())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"}
        sent = self.send(url, urlencode(form).encode(), FORM, **signing)
        sent.response_url = hook
        return sent

    def mention(self, url: str, text: str, *, user_id: str, channel_id: str | None = None,
                thread_ts: str | None = None, ts: str | None = None, event_id: str | None = None,
                retry_num: int | None = None, **signing: Any) -> SentRequest:
        """POST an `app_mention` of the bot (`text` follows `<@bot>`); pass the same `event_id` and a `retry_num`
        to redeliver it as Slack does."""
        ts = ts or f"{self._clock():.6f}"
        event_id = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"
        event: dict[str, Any] = {"type": "app_mention", "user": user_id, "text": f"<@{self.bot_user_id}> {text}",
                                 "ts": ts, "channel": channel_id or self.channel_id, "event_ts": ts,
                                 "team": self.team_id, "client_msg_id": str(uuid.uuid4())}
        if thread_ts:
            event["thread_ts"] = thread_ts
        envelope = {"token": "deprecated-verification-token", "team_id": self.team_id, "api_app_id": "A0CONTRACTS",
                    "event": event, "type": "event_callback", "event_id": event_id,
                    "event_time": int(self._clock()), "event_context": uuid.uuid4().hex,
                    "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": self.bot_user_id,
                                        "is_bot": True, "is_enterprise_install": False}],
                    "is_ext_shared_channel": False}
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry_num else {}
        sent = self.send(url, json.dumps(envelope).encode(), JSON, headers=headers, **signing)
        sent.event_id, sent.ts = event_id, ts
        return sent

    def url_verification(self, url: str, challenge: str | None = None, **signing: Any) -> SentRequest:
        body = {"token": "deprecated-verification-token", "type": "url_verification",
                "challenge": challenge or uuid.uuid4().hex}
        return self.send(url, json.dumps(body).encode(), JSON, **signing)

    def click(self, url: str, *, user_id: str, action_id: str, value: str | None = None,
              message: dict[str, Any] | None = None, response_url: str | None = None, channel_id: str | None = None,
              **signing: Any) -> SentRequest:
        """POST a `block_actions` for a button press on `message` (the blocks as the app posted them; Slack
        leaves the message out for an ephemeral one)."""
        hook = response_url or self.response_url("actions")
        channel = channel_id or self.channel_id
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": self.team_id, "domain": "sandbox"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": "A0CONTRACTS", "token": "deprecated-verification-token",
            "container": {"type": "message", "message_ts": (message or {}).get("ts", f"{self._clock():.6f}"),
                          "channel_id": channel, "is_ephemeral": message is None},
            "trigger_id": f"{int(self._clock())}.{uuid.uuid4().hex}", "channel": {"id": channel, "name": "contracts"},
            "response_url": hook,
            "actions": [{"action_id": action_id, "block_id": uuid.uuid4().hex[:6], "type": "button",
                         "action_ts": f"{self._clock():.6f}", **({"value": value} if value is not None else {}),
                         "text": {"type": "plain_text", "text": action_id}}]}
        if message is not None:
            payload["message"] = {"type": "message", "ts": payload["container"]["message_ts"], **message}
        sent = self.send(url, urlencode({"payload": json.dumps(payload)}).encode(), FORM, **signing)
        sent.response_url = hook
        return sent

    def send(self, url: str, body: bytes, content_type: str, *, secret: str | None = None,
             timestamp: int | None = None, headers: dict[str, str] | None = None) -> SentRequest:
        """POST `body` signed as Slack signs (with `secret` instead of the app's to forge, at `timestamp` to age)."""
        signed = signed_headers(self.signing_secret if secret is None else secret, body,
                                int(self._clock()) if timestamp is None else timestamp)
        sent = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                **signed, **(headers or {})}
        started = time.monotonic()
        response = httpx.post(url, content=body, headers=sent, timeout=self._timeout)
        return SentRequest(response=response, elapsed=time.monotonic() - started)
