"""`ChatSandbox`: the chat receiver on a loopback port, with the settings that point contractloop at it.

`down()` stops it listening (connections are refused, as when the service is unreachable) and `up()` starts it
again on the same port with what it had received, so a test can watch alerts wait out an outage.
"""

from __future__ import annotations

from typing import Any

import httpx

from sandbox.chat.app import ChatReceiverConfig, create_app
from sandbox.chat.faults import ChatFaultPlan, ChatFaults, Kind
from sandbox.chat.inbox import Inbox, Received
from sandbox.chat.response_urls import ResponseUrls
from sandbox.chat.slack_users import TEAM_ID, SandboxSlackUser, SlackMembers
from sandbox.chat.workspace import SlackWorkspace
from sandbox.http import BackgroundServer


class ChatSandbox:
    """Usage: `with ChatSandbox() as chat: settings_from(chat.env())`, then `chat.received("teams")`."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None,
                 config: ChatReceiverConfig | None = None) -> None:
        self.config = config or ChatReceiverConfig.generate()
        self.inbox, self.faults = Inbox(), ChatFaults()
        self.members, self.response_urls = SlackMembers(), ResponseUrls()
        self._app = create_app(self.config, self.inbox, self.faults, self.members, self.response_urls)
        self._server = BackgroundServer(self._app, host=host, port=port)
        self.host, self.port = host, self._server.port
        self._running = False

    @property
    def base_url(self) -> str:
        return self._server.url

    @property
    def slack_webhook_url(self) -> str:
        return self.base_url + self.config.slack_webhook_path

    @property
    def slack_api_url(self) -> str:
        return self.base_url + "/api"

    @property
    def teams_webhook_url(self) -> str:
        return self.base_url + self.config.teams_webhook_path

    @property
    def bot_token(self) -> str:
        return self.config.bot_token

    @property
    def slack_channel(self) -> str:
        return self.config.channels[0]

    @property
    def signing_secret(self) -> str:
        return self.config.signing_secret

    def env(self, *, slack_webhook: bool = True, slack_api: bool = True, teams: bool = True,
            slack_questions: bool = False) -> dict[str, str]:
        """The settings that send alerts here, for the channels asked for; `slack_questions`: the signing secret
        and bot token that contract questions from this workspace need."""
        env: dict[str, str] = {}
        if slack_webhook:
            env["CONTRACTLOOP_SLACK_WEBHOOK_URL"] = self.slack_webhook_url
        if slack_api:
            env |= {"CONTRACTLOOP_SLACK_BOT_TOKEN": self.bot_token, "CONTRACTLOOP_SLACK_CHANNEL": self.slack_channel,
                    "CONTRACTLOOP_SLACK_API_URL": self.slack_api_url}
        if slack_questions:
            env |= {"CONTRACTLOOP_SLACK_BOT_TOKEN": self.bot_token, "CONTRACTLOOP_SLACK_API_URL": self.slack_api_url,
                    "CONTRACTLOOP_SLACK_SIGNING_SECRET": self.signing_secret}
        if teams:
            env["CONTRACTLOOP_TEAMS_WEBHOOK_URL"] = self.teams_webhook_url
        return env

    def add_slack_user(self, user_id: str, email: str | None, name: str = "member", **fields: Any) -> None:
        """A workspace member `users.info` will show, e.g. with a seeded Salesforce user's email."""
        self.members.add(SandboxSlackUser(id=user_id, email=email, name=name, **fields))

    def workspace(self, team_id: str = TEAM_ID) -> SlackWorkspace:
        """The workspace that sends signed commands, mentions and clicks, with this receiver's response_urls."""
        return SlackWorkspace(self.signing_secret, self.base_url, team_id=team_id, bot_user_id=self.config.bot_user_id,
                              channel_id=self.slack_channel)

    def received(self, kind: Kind | None = None) -> list[Received]:
        return self.inbox.messages(kind)

    def requests(self) -> dict[str, int]:
        return self.inbox.requests()

    def fail(self, **plan: Any) -> None:
        """Set a fault plan over HTTP, as a demo script would (`status`, `count`, `retry_after`, `kind`)."""
        httpx.post(f"{self.base_url}/_sandbox/faults", json=ChatFaultPlan(**plan).model_dump()).raise_for_status()

    def start(self) -> ChatSandbox:
        self._server.start()
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._server.stop()
            self._running = False

    def down(self) -> None:
        self.stop()

    def up(self) -> None:
        if not self._running:
            self._server = BackgroundServer(self._app, host=self.host, port=self.port)
            self.start()

    def __enter__(self) -> ChatSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
