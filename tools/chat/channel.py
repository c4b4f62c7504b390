"""`ChatChannel`: one place alerts go (a Slack webhook, Slack's Web API, a Teams webhook)."""

from __future__ import annotations

from typing import Protocol

import httpx

from tools.chat.alert import DeviationAlert


class ChatChannel(Protocol):
    # Names the channel in the record; unique among a dispatcher's channels.
    name: str

    def send(self, alert: DeviationAlert, http: httpx.Client) -> None:
        """Deliver once, or raise `ChatDeliveryError` saying whether another attempt could succeed."""
        ...
