"""What the Opportunity records about its Ironclad workflow: one mapping, used at launch and on adoption."""

from __future__ import annotations

from typing import Any

from runtime.state import Launch


def workflow_fields(launch: Launch) -> dict[str, Any]:
    """The Opportunity fields that link it to its workflow."""
    return {"Ironclad_Workflow_Id__c": launch.workflow_id, "Ironclad_Workflow_Link__c": launch.link,
            "Ironclad_Status__c": launch.status}


def workflow_link(base_url: str, workflow_id: str) -> str:
    return f"{base_url.rstrip('/')}/workflow/{workflow_id}"
