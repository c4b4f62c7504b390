"""Who is asking: a Slack user, by the email on their Slack profile, as a Salesforce user.

Slack's `users.info` gives the profile's email (the bot token needs `users:read.email`); a `UserDirectory` turns
the email into a Salesforce User Id. Anyone this cannot place (a deleted or bot user, no readable email, an email
no Salesforce user has) gets a reason to show them, and no answer: the engine is never asked on their behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tools.chat.slack_web import SlackWeb


class UserDirectory(Protocol):
    def salesforce_user_id(self, email: str) -> str | None:
        """The active Salesforce user with this email, or None."""
        ...


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


class UsersByEmail(Protocol):
    """What `SalesforceClient.user_by_email` offers."""

    def user_by_email(self, email: str) -> _HasId | None: ...


class SalesforceUserDirectory:
    """A `UserDirectory` over anything with `user_by_email(email) -> object with .id | None`."""

    def __init__(self, salesforce: UsersByEmail) -> None:
        self._salesforce = salesforce

    def salesforce_user_id(self, email: str) -> str | None:
        user = self._salesforce.user_by_email(email)
        return user.id if user is not None else None


@dataclass(frozen=True)
class Asker:
    slack_user_id: str
    salesforce_user_id: str | None = None
    refusal: str | None = None  # what to tell the person when there is no Salesforce user

    @property
    def known(self) -> bool:
        return self.salesforce_user_id is not None


class SlackAskers:
    """Resolves a Slack user id to an `Asker` (blocking: run it in a worker thread)."""

    def __init__(self, slack: SlackWeb, directory: UserDirectory) -> None:
        self._slack, self._directory = slack, directory

    def resolve(self, slack_user_id: str) -> Asker:
        user = self._slack.user(slack_user_id)
        if user is None or user.deleted or user.is_bot:
            return Asker(slack_user_id, refusal="I can't tell who you are in this workspace, so I can't look up "
                                                "contracts for you.")
        email = (user.profile.email or "").strip()
        if not email:
            return Asker(slack_user_id, refusal="Your Slack profile has no email I can read, so I can't match you "
                                                "to a Salesforce user. Ask your Slack admin.")
        salesforce_id = self._directory.salesforce_user_id(email)
        if not salesforce_id:
            return Asker(slack_user_id, refusal=f"Your Slack email ({email}) matches no active Salesforce user, so "
                                                "I can't look up contracts for you. Ask your Salesforce admin.")
        return Asker(slack_user_id, salesforce_user_id=salesforce_id)
