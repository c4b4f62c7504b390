"""What Slack sends the contract-question routes, validated once the signature holds.

- a slash command: a form (`team_id`, `channel_id`, `user_id`, `command`, `text`, `response_url`, `trigger_id`…);
- an Events API envelope (JSON): `url_verification` with a `challenge`, or `event_callback` with an `event_id` and
  the inner event, here `app_mention` (`user`, `text`, `ts`, `thread_ts` when in a thread, `channel`);
- an interaction: a form whose `payload` field is JSON, here `block_actions` (a button pressed).

Unknown fields are ignored (Slack adds them freely); the ids we build conversation ids and mentions from are
held to Slack's shapes, so nothing else can end up in a thread id or a `<@…>` we write.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

SlackId = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,40}$")]
SlackTs = Annotated[str, Field(pattern=r"^\d{1,12}\.\d{1,9}$")]
MAX_QUESTION_CHARS = 4000
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LEADING_MENTIONS = re.compile(r"^(?:\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")


class _Slack(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SlashCommand(_Slack):
    team_id: SlackId
    channel_id: SlackId
    user_id: SlackId
    command: str = "/contract"
    text: str = Field("", max_length=MAX_QUESTION_CHARS)
    response_url: str = Field(min_length=1, max_length=2000)
    trigger_id: str | None = None
    enterprise_id: SlackId | None = None
    api_app_id: str | None = None


class Authorization(_Slack):
    user_id: SlackId | None = None
    is_bot: bool = False


class EventEnvelope(_Slack):
    type: str
    challenge: str | None = Field(None, max_length=200)
    team_id: SlackId | None = None
    event_id: str | None = Field(None, max_length=100)
    event: dict[str, Any] | None = None
    authorizations: list[Authorization] = Field(default_factory=list)


class AppMention(_Slack):
    type: str
    channel: SlackId
    ts: SlackTs
    user: SlackId | None = None
    text: str = Field("", max_length=40_000)
    thread_ts: SlackTs | None = None
    bot_id: str | None = None
    team: SlackId | None = None


class SlackRef(_Slack):
    id: SlackId


class BlockAction(_Slack):
    action_id: str = Field(max_length=255)
    type: str | None = None
    value: str | None = Field(None, max_length=2000)
    block_id: str | None = None


class BlockActions(_Slack):
    type: str
    user: SlackRef
    team: SlackRef | None = None
    channel: SlackRef | None = None
    response_url: str | None = Field(None, max_length=2000)
    actions: list[BlockAction] = Field(default_factory=list, max_length=25)
    message: dict[str, Any] | None = None


def question_of(text: str, bot_user_ids: set[str]) -> str:
    """A mention's text as a question: the bot's mention and any leading ones removed, Slack's link markup and
    entities turned back into what the person typed."""
    text = _MENTION.sub(lambda m: "" if m.group(1) in bot_user_ids else m.group(0), text)
    text = _LEADING_MENTIONS.sub("", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())[:MAX_QUESTION_CHARS]
