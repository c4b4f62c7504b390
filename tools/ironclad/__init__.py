"""Typed client for Ironclad's public API v1, webhook verification and idempotent launches."""

from tools.ironclad.client import DEFAULT_SCOPES, IroncladClient
from tools.ironclad.errors import (
    IroncladAuthError,
    IroncladError,
    IroncladInvalidStateError,
    IroncladNotFoundError,
    IroncladRateLimitedError,
    IroncladServerError,
    IroncladValidationError,
)
from tools.ironclad.idempotent import KEY_ATTRIBUTE
from tools.ironclad.models import (
    Approvals,
    AsyncJob,
    LaunchResult,
    Page,
    Record,
    Webhook,
    WebhookEvent,
    Workflow,
    WorkflowSchema,
)
from tools.ironclad.webhooks import WebhookVerificationError, WebhookVerifier

__all__ = [
    "DEFAULT_SCOPES", "KEY_ATTRIBUTE", "Approvals", "AsyncJob", "IroncladAuthError", "IroncladClient",
    "IroncladError", "IroncladInvalidStateError", "IroncladNotFoundError", "IroncladRateLimitedError",
    "IroncladServerError", "IroncladValidationError", "LaunchResult", "Page", "Record", "Webhook", "WebhookEvent",
    "WebhookVerificationError", "WebhookVerifier", "Workflow", "WorkflowSchema",
]
