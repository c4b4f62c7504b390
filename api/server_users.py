"""The server's Slack user directory, built on first use from settings, so importing the app needs no
reachable org. (Questions themselves go through the graph: `api/graph_questions.py`.)"""

from __future__ import annotations

from api.slack_users import SalesforceUserDirectory
from runtime.context import default_salesforce


class ServerUserDirectory:
    def salesforce_user_id(self, email: str) -> str | None:
        return SalesforceUserDirectory(default_salesforce()).salesforce_user_id(email)
