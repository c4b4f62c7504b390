"""The few entries the audit log tests fill a log with, whichever backend holds it."""

from __future__ import annotations

from typing import TypeVar

from runtime.audit_chain import AuditChain

Log = TypeVar("Log", bound=AuditChain)


def filled(log: Log, n: int = 5) -> Log:
    for i in range(n):
        log.append("cl-abc", "decision", "contractloop", actor="t", subject=f"s{i}", refs=["006X"],
                   payload={"i": i, "text": "ünïcode"})
    return log
