"""Deviation alerts to Slack (incoming webhook or chat.postMessage) and Microsoft Teams (Adaptive Card), sent in
the background with retries and recorded; `dispatcher_from_settings` is the entry point."""

from tools.chat.alert import Deviation, DeviationAlert
from tools.chat.channel import ChatChannel
from tools.chat.dispatcher import (
    AlertDispatcher,
    RetryPolicy,
    channels_from_settings,
    dispatcher_from_settings,
)
from tools.chat.errors import ChatDeliveryError
from tools.chat.record import RECORD_FILE, AlertAttempt, AlertDelivery, AlertRecord
from tools.chat.slack import SlackApi, SlackWebhook, slack_message
from tools.chat.teams import TeamsWebhook, teams_message

__all__ = [
    "RECORD_FILE", "AlertAttempt", "AlertDelivery", "AlertDispatcher", "AlertRecord", "ChatChannel",
    "ChatDeliveryError", "Deviation", "DeviationAlert", "RetryPolicy", "SlackApi", "SlackWebhook", "TeamsWebhook",
    "channels_from_settings", "dispatcher_from_settings", "slack_message", "teams_message",
]
