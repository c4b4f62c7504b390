"""The whole loop over the sandboxes and the server: a deal drafted, launched and signed leaves its launch,
writes, decisions and the accepted webhook on one trail, across both systems, and the chain verifies."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from contractloop.cli import main
from runtime.audit_log import AuditLog
from tests.fixtures.server import FlowServer
from tests.test_server_webhooks import executed  # noqa: F401  (the module-scoped fixture: drafted, signed, synced)


def test_the_loop_leaves_one_verified_trail(flow_server: FlowServer, executed: dict[str, Any],  # noqa: F811
                                            capsys: Any) -> None:
    log = AuditLog(Path(os.environ["CONTRACTLOOP_AUDIT_PATH"]))  # the server inherits the tests' log
    entries = log.entries()
    launch = next(e for e in entries if e.kind == "ironclad_launch" and e.subject == executed["workflow_id"])
    trail = log.trail(launch.correlation_id)
    kinds = {e.kind for e in trail}
    assert {"ironclad_launch", "write_applied", "decision", "webhook_accepted"} <= kinds, kinds
    # the delivery that started the sync (a replay of it, if the module's tests sent one, says "duplicate")
    webhook = next(e for e in trail if e.kind == "webhook_accepted" and e.payload["outcome"] == "started")
    # the sync run's own writes, under the correlation id the webhook entry names
    assert any(e.kind == "write_applied" and e.correlation_id == webhook.correlation_id for e in trail)
    assert {e.system for e in trail} >= {"salesforce", "ironclad"}
    assert log.verify().intact
    assert main(["audit", "show", launch.correlation_id]) == 0
    out = capsys.readouterr().out
    assert "ironclad_launch" in out and "webhook_accepted" in out
    assert main(["audit", "verify"]) == 0
