"""The one place that picks the audit log's backend: PostgreSQL when CONTRACTLOOP_AUDIT_DATABASE_URL is set
(the production database), else SQLite at CONTRACTLOOP_AUDIT_PATH or <data dir>/audit.sqlite."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from runtime.audit_chain import AuditChain
from runtime.audit_log import AuditLog
from runtime.audit_log_postgres import PostgresAuditLog


def sqlite_path(settings: Settings) -> Path:
    return settings.contractloop_audit_path or settings.contractloop_data_dir / "audit.sqlite"


def open_audit_log(settings: Settings, *, path: Path | None = None, database_url: str | None = None) -> AuditChain:
    """The configured log; `path` or `database_url` (the CLI's options) win over the settings."""
    if database_url:
        return PostgresAuditLog(database_url)
    if path is not None:
        return AuditLog(path)
    if settings.contractloop_audit_database_url:
        return PostgresAuditLog(settings.contractloop_audit_database_url)
    return AuditLog(sqlite_path(settings))
