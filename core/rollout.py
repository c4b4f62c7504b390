"""Phased rollout: what contractloop may do in Salesforce and Ironclad in each mode, and for which contracts.

The blueprint's phases, as `CONTRACTLOOP_MODE`:

- `read_only`: read-only intelligence. Extracted insights only (the insight and obligation records contractloop
  owns); no Account or Opportunity field, no Task or Event, no renewal, quote or file, no Ironclad launch.
- `assisted`: assisted drafting. Everything may be written and launched, but a person approves every deal
  before anything launches, and every executed contract's write plan before it is written.
- `bidirectional`: policy decides (auto-approve within policy, a person otherwise).

And a pilot allow-list, `CONTRACTLOOP_PILOT_TEMPLATES`: the Ironclad templates (our contract types: nda,
order_form, msa, dpa) contractloop may launch; empty = all. A deal drafted on any other template is not launched.

The functions here are pure; they are applied where writes and launches happen (the Salesforce client's
`apply`/`composite`, the batch writer, the Ironclad client's launch, the publisher, the approval gates), so a
caller cannot go around them. A client built without a rollout uses its process's settings
(`core.settings.current_rollout`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Mode(StrEnum):
    READ_ONLY = "read_only"
    ASSISTED = "assisted"
    BIDIRECTIONAL = "bidirectional"


# What read-only mode may write: the custom objects that hold extraction insights and nothing else. Both are
# contractloop's own (the allow-list upserts them by External_Key__c) and point at the Account/Opportunity by a
# lookup on themselves, so writing them changes no field of a CRM record a person works in. An obligation is part
# of the contract's insight (a child of Contract_Insight__c). Contract_Review__c (inbound paper) is left out: the
# issue's read-only phase is extraction insights, and a review record routes work to people (it comes with a Task).
READ_ONLY_OBJECTS = frozenset({"Contract_Insight__c", "Contract_Obligation__c"})

# Salesforce write methods; GET (and HEAD) subrequests of a Composite call are reads.
_WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


class RolloutRefused(PermissionError):
    """The rollout mode or the pilot allow-list does not allow this write or launch; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Rollout(BaseModel):
    """The mode and pilot a client or run works under (from settings: CONTRACTLOOP_MODE, _PILOT_TEMPLATES)."""

    mode: Mode = Mode.BIDIRECTIONAL
    pilot_templates: frozenset[str] = Field(default_factory=frozenset, description="empty = every template")

    # --- Salesforce writes ---------------------------------------------------------------------

    def write_refusal(self, sobject: str, fields: Iterable[str] = ()) -> str | None:
        """Why this write may not be applied in this mode, or None when it may."""
        if self.mode is Mode.READ_ONLY and sobject not in READ_ONLY_OBJECTS:
            what = f"{sobject} ({', '.join(sorted(fields))})" if fields else sobject
            return (f"read_only mode writes extraction insights only ({', '.join(sorted(READ_ONLY_OBJECTS))}); "
                    f"refused: {what}")
        return None

    def check_write(self, sobject: str, fields: Iterable[str] = ()) -> None:
        if reason := self.write_refusal(sobject, fields):
            raise RolloutRefused(reason)

    def check_subrequests(self, subrequests: Iterable[Mapping[str, Any]]) -> None:
        """Every write subrequest of a Composite body (sObject rows and sObject Collections) against the mode."""
        for sub in subrequests:
            if str(sub.get("method", "GET")).upper() not in _WRITE_METHODS:
                continue
            body = sub.get("body")
            records = body.get("records") if isinstance(body, Mapping) else None
            if isinstance(records, list):  # sObject Collections: each record names its type
                for record in records:
                    attributes = record.get("attributes") or {} if isinstance(record, Mapping) else {}
                    self.check_write(str(attributes.get("type") or _sobject_of(str(sub.get("url", "")))))
            else:
                self.check_write(_sobject_of(str(sub.get("url", ""))),
                                 body.keys() if isinstance(body, Mapping) else ())

    # --- Ironclad launches ---------------------------------------------------------------------

    def launch_refusal(self, templates: Iterable[str]) -> str | None:
        """Why these templates may not be launched, or None when they may."""
        if self.mode is Mode.READ_ONLY:
            return "not launched: read_only mode launches nothing in Ironclad"
        outside = [t for t in templates if self.pilot_templates and t not in self.pilot_templates]
        if outside:
            return (f"not launched: template {', '.join(outside)} is outside the pilot "
                    f"({', '.join(sorted(self.pilot_templates))})")
        return None

    def check_launch(self, templates: Iterable[str], automatic: bool = False) -> None:
        """Refuse a launch the mode or pilot does not allow, and in assisted mode one no person approved."""
        if reason := self.launch_refusal(templates):
            raise RolloutRefused(reason)
        if automatic and self.needs_person:
            raise RolloutRefused("not launched: assisted mode launches only what a person approved")

    @property
    def needs_person(self) -> bool:
        """Assisted mode: a person decides every deal and every write plan, whatever policy would do."""
        return self.mode is Mode.ASSISTED

    def describe(self) -> str:
        pilot = ", ".join(sorted(self.pilot_templates)) if self.pilot_templates else "all templates"
        return f"{self.mode.value} (pilot: {pilot})"


def _sobject_of(url: str) -> str:
    """`/services/data/vXX/sobjects/Opportunity/006...` -> `Opportunity` (the segment after `sobjects`)."""
    parts = [p for p in url.split("?")[0].split("/") if p]
    if "sobjects" in parts and parts.index("sobjects") + 1 < len(parts):
        return parts[parts.index("sobjects") + 1]
    return url or "an unknown object"

