"""A local receiver for chat alerts (a Slack incoming webhook, Slack's chat.postMessage, a Teams webhook) and for
contract questions from Slack (users.info, response_urls, threads), with the workspace that signs what Slack sends."""

from sandbox.chat.app import ChatReceiverConfig, create_app
from sandbox.chat.faults import ChatFaultPlan
from sandbox.chat.inbox import Received
from sandbox.chat.server import ChatSandbox
from sandbox.chat.slack_users import SandboxSlackUser
from sandbox.chat.workspace import SentRequest, SlackWorkspace

__all__ = ["ChatFaultPlan", "ChatReceiverConfig", "ChatSandbox", "Received", "SandboxSlackUser", "SentRequest",
           "SlackWorkspace", "create_app"]
