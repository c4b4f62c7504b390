"""One entry of the audit trail: what an AI action did, under which correlation id, chained by hash.

Each entry holds the hash of the one before it, so editing, removing or reordering any entry breaks the chain
from that point on (`runtime.audit_log.verify`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

GENESIS = "0" * 64

AuditKind = Literal["model_request", "model_response", "tool_call", "decision", "write_applied",
                    "ironclad_launch", "webhook_accepted"]
AuditSystem = Literal["salesforce", "ironclad", "model", "contractloop"]


def json_native(value: Any) -> Any:
    """The value as JSON will give it back, so an entry hashes the same before and after it is stored."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


class AuditEntry(BaseModel):
    seq: int = Field(ge=1)
    at: str = Field(description="UTC, ISO 8601")
    correlation_id: str
    kind: AuditKind
    system: AuditSystem
    actor: str = ""
    subject: str = ""
    refs: list[str] = Field(default_factory=list, description="Opportunity / workflow ids tying one deal's runs")
    payload: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    @field_validator("payload", mode="before")
    @classmethod
    def _native(cls, value: Any) -> Any:
        return json_native(value or {})

    def canonical(self) -> bytes:
        body = self.model_dump(mode="json", exclude={"hash"})
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def computed_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def sealed(self) -> AuditEntry:
        return self.model_copy(update={"hash": self.computed_hash()})

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)
