"""A deviation alert as a Slack Block Kit message, sent to an incoming webhook or with `chat.postMessage`.

Layout: a header, a section with the headline and the deal's fields, one section per deviation (most severe
first), a note of any left out, a context line with the correlation id, and a button to the Opportunity.
Slack refuses a message over its limits (`invalid_blocks`) rather than shortening it, so every text is cut to
its documented maximum here: 50 blocks a message, 150 characters in a header, 3000 in a section's text, 10
fields of 2000, 10 context elements, 75 in a button's label and 3000 in its URL. `text` is the notification
and screen-reader fallback, mrkdwn like the sections, so escaped too.

Incoming webhook: POST `{"text", "blocks"}`; 200 `ok`, errors as a status and a short text (`invalid_payload`,
`no_service`...). Web API: POST `{api}/chat.postMessage` with `Authorization: Bearer <bot token>` and
`{"channel", "text", "blocks"}`; always 200 with `{"ok": true}` or `{"ok": false, "error": "<code>"}`, except a
rate limit, which is a 429 with Retry-After.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from tools.chat.alert import DeviationAlert
from tools.chat.delivery import post_json, raise_for_answer, retry_after
from tools.chat.errors import ChatDeliveryError
from tools.chat.redact import keep_secret, keep_url_secret, redact
from tools.chat.text import clip

SLACK_API_URL = "https://slack.com/api"
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
BUTTON_CHARS = 75
URL_CHARS = 3000
FALLBACK_CHARS = 3000  # Slack keeps 40,000; a notification needs far less
DEFAULT_MAX_DEVIATIONS = 10
# Web API errors that say "try again later"; every other code refuses this message for good. `fatal_error` is
# not among them: Slack warns the message may have been posted.
_TRANSIENT = frozenset({"ratelimited", "internal_error", "service_unavailable", "request_timeout"})
_SEVERITY_MARK = {"high": ":red_circle:", "medium": ":large_orange_circle:", "low": ":white_circle:"}
_HALF_ENTITY = re.compile(r"&[a-z]{0,3}…$")


def escape(text: str) -> str:
    """The three characters mrkdwn reads as markup (links, mentions), as the entities Slack asks for."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str, limit: int) -> dict[str, str]:
    # Cut after escaping, so the limit holds for what Slack counts; never leave half an entity at the cut.
    return {"type": "mrkdwn", "text": _HALF_ENTITY.sub("…", clip(text, limit))}


def slack_message(alert: DeviationAlert, max_deviations: int = DEFAULT_MAX_DEVIATIONS) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}`, within Slack's limits however many deviations there are."""
    highs = sum(1 for d in alert.deviations if d.severity == "high")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True,
                                    "text": clip(f"Contract deviation: {alert.opportunity_name}", HEADER_CHARS)}},
        {"type": "section", "text": mrkdwn(escape(alert.headline), SECTION_CHARS),
         "fields": [mrkdwn(f"*{label}*\n{escape(value)}", FIELD_CHARS) for label, value in (
             ("Account", alert.account_name or "—"),
             ("Opportunity", alert.opportunity_name),
             ("Risk score", f"{alert.risk_score}/100"),
             ("Route", alert.route_label),
             ("Deviations", f"{len(alert.deviations)} ({highs} high)"))]},
        {"type": "divider"},
    ]
    # Room for the deviations: what is left of 50 after the blocks above, the "more" note, context and button.
    room = MAX_BLOCKS - len(blocks) - 3
    shown, hidden = alert.shown_deviations(max(0, min(max_deviations, room)))
    for deviation in shown:
        lines = [f"{_SEVERITY_MARK[deviation.severity]} *{escape(deviation.title)}* ({deviation.severity})"]
        if deviation.quote:
            lines.append(f"> {escape(deviation.quote)}")
        if deviation.negotiation_point:
            lines.append(f"*Negotiate:* {escape(deviation.negotiation_point)}")
        blocks.append({"type": "section", "text": mrkdwn("\n".join(lines), SECTION_CHARS)})
    if hidden:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"…and {hidden} more deviation{'s' if hidden != 1 else ''} not shown"}]})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"Correlation id `{alert.correlation_id}`"}]})
    if alert.record_url and len(alert.record_url) <= URL_CHARS:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": "open_record", "url": alert.record_url,
            "text": {"type": "plain_text", "text": clip("Open in Salesforce", BUTTON_CHARS)}}]})
    fallback = (f"Contract deviation: {alert.opportunity_name}, risk {alert.risk_score}/100, "
                f"route {alert.route_label}: {alert.headline}")
    return {"text": _HALF_ENTITY.sub("…", clip(escape(fallback), FALLBACK_CHARS)), "blocks": blocks}


class SlackWebhook:
    """An incoming webhook: the URL names the channel and is the credential."""

    name = "slack_webhook"

    def __init__(self, url: str, max_deviations: int = DEFAULT_MAX_DEVIATIONS) -> None:
        self._url, self.max_deviations = url, max_deviations
        keep_url_secret(url)

    def send(self, alert: DeviationAlert, http: httpx.Client) -> None:
        raise_for_answer(post_json(http, self._url, slack_message(alert, self.max_deviations)))


class SlackApi:
    """`chat.postMessage` with a bot token (scope `chat:write`) to one channel id or name."""

    name = "slack_api"

    def __init__(self, token: str, channel: str, api_url: str = SLACK_API_URL,
                 max_deviations: int = DEFAULT_MAX_DEVIATIONS) -> None:
        self._token, self.channel, self.max_deviations = token, channel, max_deviations
        self._endpoint = api_url.rstrip("/") + "/chat.postMessage"
        keep_secret(token)

    def send(self, alert: DeviationAlert, http: httpx.Client) -> None:
        body = {"channel": self.channel, **slack_message(alert, self.max_deviations)}
        web_api_answer(post_json(http, self._endpoint, body, {"Authorization": f"Bearer {self._token}"}))


def web_api_answer(response: httpx.Response) -> dict[str, Any]:
    """The `{"ok": true, ...}` body of a Web API answer, or the `ChatDeliveryError` its status or error code means
    (the code is the message, e.g. `user_not_found`)."""
    if response.status_code == 429:
        raise ChatDeliveryError("ratelimited", retryable=True, status=429, retry_after=retry_after(response))
    raise_for_answer(response)
    try:
        answer = response.json()
    except ValueError:
        raise ChatDeliveryError(f"not a Web API answer: {redact(response.text[:200])!r}", retryable=True,
                                status=response.status_code) from None
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        code = str(answer.get("error", "unknown_error")) if isinstance(answer, dict) else "unknown_error"
        raise ChatDeliveryError(code, retryable=code in _TRANSIENT, status=response.status_code,
                                retry_after=retry_after(response))
    return answer
