"""A local receiver for chat alerts: a Slack incoming webhook, Slack's chat.postMessage and a Teams webhook."""

from sandbox.chat.app import ChatReceiverConfig, create_app
from sandbox.chat.faults import ChatFaultPlan
from sandbox.chat.inbox import Received
from sandbox.chat.server import ChatSandbox

__all__ = ["ChatFaultPlan", "ChatReceiverConfig", "ChatSandbox", "Received", "create_app"]
