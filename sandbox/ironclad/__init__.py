"""A local emulator of Ironclad's public API v1 (workflows, records, webhooks, OAuth), backed by SQLite."""

from sandbox.ironclad.app import create_app
from sandbox.ironclad.config import ApprovalRole, RateLimits, SandboxConfig, SandboxUser, WebhookPolicy
from sandbox.ironclad.faults import FaultPlan
from sandbox.ironclad.server import IroncladSandbox, build_services
from sandbox.ironclad.webhooks import DeliveryAttempt

__all__ = ["ApprovalRole", "DeliveryAttempt", "FaultPlan", "IroncladSandbox", "RateLimits", "SandboxConfig",
           "SandboxUser", "WebhookPolicy", "build_services", "create_app"]
