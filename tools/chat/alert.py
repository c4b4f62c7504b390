"""`DeviationAlert`: what a chat message about a risky draft says, and nothing more.

It carries the deal's names, the score and route, and each deviation with a short quote and the point to
negotiate; no contact names or emails (unknown fields are refused, so none can be added by accident). Text is
collapsed to one line and cut to a length at construction: a long clause quote shortens the alert instead of
failing the run that raises it.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from core.salesforce_ids import record_key
from tools.chat.text import clip, one_line

Severity = Literal["low", "medium", "high"]

TITLE_CHARS = 150
QUOTE_CHARS = 300
POINT_CHARS = 500
NAME_CHARS = 255
HEADLINE_CHARS = 300


def _short(limit: int) -> AfterValidator:
    return AfterValidator(lambda value: clip(one_line(value), limit))


class Deviation(BaseModel):
    """One way the draft departs from the playbook."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, _short(TITLE_CHARS)] = Field(min_length=1)
    severity: Severity
    quote: Annotated[str, _short(QUOTE_CHARS)] = Field("", description="The words of the request, shortened.")
    negotiation_point: Annotated[str, _short(POINT_CHARS)] = Field(
        "", description="What to propose instead (the playbook's fallback position).")


class DeviationAlert(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    correlation_id: str = Field(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")
    opportunity_id: str = Field(min_length=15, max_length=18, pattern=r"^[A-Za-z0-9]+$")
    opportunity_name: Annotated[str, _short(NAME_CHARS)]
    account_name: Annotated[str, _short(NAME_CHARS)] = ""
    risk_score: int = Field(ge=0, le=100)
    route: str = Field(pattern=r"^[a-z][a-z_]{0,39}$", description="The approval route, e.g. legal, deal_desk.")
    headline: Annotated[str, _short(HEADLINE_CHARS)]
    deviations: list[Deviation] = Field(default_factory=list)
    record_url: str | None = Field(None, max_length=2000, description="The Opportunity in Salesforce.")

    @field_validator("record_url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        # A chat button opens whatever it is given: only a web link may be one.
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("record_url must be an http(s) URL")
        return value

    @property
    def content_hash(self) -> str:
        """What the message says, apart from whom it is about: a changed score or deviation is a new alert."""
        content = self.model_dump_json(exclude={"correlation_id", "opportunity_id"})
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    @property
    def dedupe_key(self) -> str:
        """Same run, same Opportunity (15- or 18-character Id), same content: the same alert, sent once."""
        return f"{self.correlation_id}:{record_key(self.opportunity_id)}:{self.content_hash[:16]}"

    @property
    def route_label(self) -> str:
        return self.route.replace("_", " ").capitalize()

    def shown_deviations(self, limit: int) -> tuple[list[Deviation], int]:
        """The first `limit` deviations, most severe first (stable within a severity), and how many are left."""
        order = {"high": 0, "medium": 1, "low": 2}
        ranked = sorted(self.deviations, key=lambda d: order[d.severity])
        return ranked[:limit], max(0, len(ranked) - limit)
