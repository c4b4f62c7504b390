"""The sandbox workspace's members, as Slack's `users.info` shows them: an id, a team, and the profile's email.

Seeded with a few members (configurable per test or demo, over HTTP at `/_sandbox/users` too) so a slash command
can come from someone whose email is a Salesforce user's, from someone whose email is no one's, or from someone
whose profile hides it (as Slack does without `users:read.email`).
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, Field

TEAM_ID = "T0SANDBOX"


class SandboxSlackUser(BaseModel):
    id: str = Field(pattern=r"^[UW][A-Z0-9]{2,20}$")
    name: str = "member"
    email: str | None = None
    team_id: str = TEAM_ID
    deleted: bool = False
    is_bot: bool = False

    def users_info(self) -> dict[str, Any]:
        """The user object `users.info` answers with (the fields a client reads, in Slack's places)."""
        profile: dict[str, Any] = {"real_name": self.name, "display_name": self.name}
        if self.email is not None:
            profile["email"] = self.email
        return {"id": self.id, "team_id": self.team_id, "name": self.name, "real_name": self.name,
                "deleted": self.deleted, "is_bot": self.is_bot, "profile": profile}


# The integration user is the one Salesforce user every sandbox org has (see sandbox/salesforce/store.py).
DEFAULT_USERS = (
    SandboxSlackUser(id="U0SANDBOX1", name="sam.sales", email="integration@contractloop.sandbox"),
    SandboxSlackUser(id="U0OUTSIDER", name="olivia.outsider", email="olivia@elsewhere.example"),
    SandboxSlackUser(id="U0NOEMAIL", name="nameless"),
)


class SlackMembers:
    def __init__(self, users: tuple[SandboxSlackUser, ...] | list[SandboxSlackUser] = DEFAULT_USERS) -> None:
        self._users = {u.id: u for u in users}
        self._lock = threading.Lock()

    def add(self, user: SandboxSlackUser) -> SandboxSlackUser:
        with self._lock:
            self._users[user.id] = user
        return user

    def get(self, user_id: str) -> SandboxSlackUser | None:
        with self._lock:
            return self._users.get(user_id)
