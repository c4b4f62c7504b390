"""A deviation alert as a Microsoft Teams message with an Adaptive Card, POSTed to a channel's webhook.

The same body serves an Incoming Webhook and a Workflows ("When a Teams webhook request is received") URL:
`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content":
<AdaptiveCard>}]}`. The card is version 1.4, which Teams renders on desktop, web and mobile. Teams refuses a
message over 28 KB, so deviations are left out (with a note saying how many) until the message fits.

A Workflows URL answers 202 Accepted, an Incoming Webhook 200; the legacy connector also answered some
failures (its own 429 among them) with a 200 whose text says the delivery failed, which counts as a failure.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tools.chat.alert import Deviation, DeviationAlert
from tools.chat.delivery import post_json, raise_for_answer
from tools.chat.errors import ChatDeliveryError
from tools.chat.redact import keep_url_secret, redact

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
MAX_MESSAGE_BYTES = 28 * 1024
DEFAULT_MAX_DEVIATIONS = 10
_SEVERITY_COLOR = {"high": "Attention", "medium": "Warning", "low": "Default"}


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _deviation(deviation: Deviation) -> dict[str, Any]:
    items = [_text(f"{deviation.title} ({deviation.severity})", weight="Bolder",
                   color=_SEVERITY_COLOR[deviation.severity])]
    if deviation.quote:
        items.append(_text(f"“{deviation.quote}”", isSubtle=True))
    if deviation.negotiation_point:
        items.append(_text(f"Negotiate: {deviation.negotiation_point}"))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _card(alert: DeviationAlert, shown: list[Deviation], hidden: int) -> dict[str, Any]:
    highs = sum(1 for d in alert.deviations if d.severity == "high")
    body: list[dict[str, Any]] = [
        _text(f"Contract deviation: {alert.opportunity_name}", size="Large", weight="Bolder"),
        _text(alert.headline),
        {"type": "FactSet", "facts": [
            {"title": "Account", "value": alert.account_name or "—"},
            {"title": "Opportunity", "value": alert.opportunity_name},
            {"title": "Risk score", "value": f"{alert.risk_score}/100"},
            {"title": "Route", "value": alert.route_label},
            {"title": "Deviations", "value": f"{len(alert.deviations)} ({highs} high)"}]},
        *(_deviation(d) for d in shown),
    ]
    if hidden:
        body.append(_text(f"…and {hidden} more deviation{'s' if hidden != 1 else ''} not shown", isSubtle=True))
    body.append(_text(f"Correlation id {alert.correlation_id}", isSubtle=True, size="Small"))
    card: dict[str, Any] = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "type": "AdaptiveCard", "version": CARD_VERSION, "msteams": {"width": "Full"},
                            "body": body}
    if alert.record_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Salesforce", "url": alert.record_url}]
    return card


def teams_message(alert: DeviationAlert, max_deviations: int = DEFAULT_MAX_DEVIATIONS,
                  max_bytes: int = MAX_MESSAGE_BYTES) -> dict[str, Any]:
    """The webhook body, at most `max_bytes` of JSON (as long as the card without deviations fits)."""
    count = max(0, max_deviations)
    while True:
        shown, hidden = alert.shown_deviations(count)
        message = {"type": "message", "attachments": [
            {"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": _card(alert, shown, hidden)}]}
        if count == 0 or message_bytes(message) <= max_bytes:
            return message
        count = min(count, len(alert.deviations)) - 1


def message_bytes(message: dict[str, Any]) -> int:
    return len(json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class TeamsWebhook:
    """A Teams channel's Incoming Webhook or Workflows URL (the URL is the credential)."""

    name = "teams"

    def __init__(self, url: str, max_deviations: int = DEFAULT_MAX_DEVIATIONS) -> None:
        self._url, self.max_deviations = url, max_deviations
        keep_url_secret(url)

    def send(self, alert: DeviationAlert, http: httpx.Client) -> None:
        response = post_json(http, self._url, teams_message(alert, self.max_deviations))
        raise_for_answer(response)
        if "delivery failed" in response.text.lower():
            busy = "429" in response.text or "HTTP error 5" in response.text
            raise ChatDeliveryError(redact(response.text.strip()[:200]), retryable=busy,
                                    status=response.status_code)
