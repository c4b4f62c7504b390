"""Configuration of one emulated Ironclad company (tenant)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import BaseModel, Field

from playbook_store.templates import TEMPLATES_DIR


class RateLimits(BaseModel):
    """Per-company request buckets (Ironclad's documented RPM figures); `window_seconds` lets tests shrink time."""

    workflows_read: int = 400
    workflows_write: int = 40
    records_read: int = 600
    window_seconds: float = 60.0


class WebhookPolicy(BaseModel):
    """Delivery retries with exponential backoff; auto-disable after a long failure streak, as Ironclad does."""

    max_retries: int = 10
    base_delay_seconds: float = 60.0
    backoff_factor: float = 2.0
    timeout_seconds: float = 10.0
    disable_after_failures: int = 100
    disable_after_seconds: float = 7 * 24 * 3600.0


class SandboxUser(BaseModel):
    id: str = Field(default_factory=lambda: secrets.token_hex(12))
    email: str
    first_name: str
    last_name: str
    title: str = ""

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ApprovalRole(BaseModel):
    id: str
    display_name: str
    assignee_email: str


def _default_users() -> list[SandboxUser]:
    return [
        SandboxUser(email="integration@contractloop.example", first_name="Contractloop", last_name="Integration",
                    title="Integration User"),
        SandboxUser(email="legal@contractloop.example", first_name="Lee", last_name="Counsel", title="General Counsel"),
        SandboxUser(email="finance@contractloop.example", first_name="Fran", last_name="Ledger", title="Controller"),
    ]


def _default_roles() -> list[ApprovalRole]:
    return [
        ApprovalRole(id="legal", display_name="Legal", assignee_email="legal@contractloop.example"),
        ApprovalRole(id="finance", display_name="Finance", assignee_email="finance@contractloop.example"),
    ]


class SandboxConfig(BaseModel):
    company_id: str = Field(default_factory=lambda: secrets.token_hex(12))
    company_name: str = "Contractloop Software, Inc."
    client_id: str = Field(default_factory=lambda: secrets.token_hex(16))
    client_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    users: list[SandboxUser] = Field(default_factory=_default_users)
    approval_roles: list[ApprovalRole] = Field(default_factory=_default_roles,
                                               description="Approval groups in order; each must approve in turn.")
    token_ttl_seconds: int = 3600
    rate_limits: RateLimits = Field(default_factory=RateLimits)
    webhooks: WebhookPolicy = Field(default_factory=WebhookPolicy)
    async_launch_delay_seconds: float = 0.2
    templates_dir: Path = TEMPLATES_DIR
    db_path: Path | None = Field(None, description="SQLite file; None keeps state in memory.")

    @property
    def integration_user(self) -> SandboxUser:
        return self.users[0]

    def user_by_email(self, email: str) -> SandboxUser | None:
        return next((u for u in self.users if u.email.lower() == email.lower()), None)

    def user_by_id(self, user_id: str) -> SandboxUser | None:
        return next((u for u in self.users if u.id == user_id), None)
