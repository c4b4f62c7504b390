"""`contractloop demo` in read-only mode, as a user runs it: the full loop launches nothing and writes nothing
but insights, by the audit trail of what it applied."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(sys.executable).parent / "contractloop"
INSIGHT_OBJECTS = {"Contract_Insight__c", "Contract_Obligation__c"}


@pytest.fixture(scope="module")
def read_only_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str, Path]:
    cwd = tmp_path_factory.mktemp("demo-read-only")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SF_", "IRONCLAD_", "OPENAI_", "CONTRACTLOOP_"))}
    env.update(CONTRACTLOOP_DATA_DIR=str(cwd / "var"), CONTRACTLOOP_MODE="read_only", COLUMNS="200", TERM="dumb")
    done = subprocess.run([str(CLI), "demo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return env, done.stdout, cwd / "var" / "audit.sqlite"


def test_a_read_only_demo_launches_nothing_and_writes_only_insights(
        read_only_demo: tuple[dict[str, str], str, Path]) -> None:
    env, output, audit_path = read_only_demo
    assert "read_only" in output and "no workflow was launched" in output
    assert "not_launched" in output
    assert audit_path.exists(), "a read-only run still records what it refused"
    with sqlite3.connect(audit_path) as db:
        kinds = {kind for (kind,) in db.execute("SELECT kind FROM audit_log")}
        writes = [json.loads(payload) for (payload,) in
                  db.execute("SELECT payload FROM audit_log WHERE kind = 'write_applied'")]
        refusals = [json.loads(payload) for (payload,) in
                    db.execute("SELECT payload FROM audit_log WHERE subject = 'rollout refusal'")]
    assert "ironclad_launch" not in kinds
    # every refusal on the trail names the mode, and the drafting run's refused launch is among them
    assert refusals and all(r["decision"] == "refused" and r["mode"] == "read_only" for r in refusals)
    assert any("read_only" in reason for r in refusals for reason in r["refusals"])
    written = {op["sobject"] for plan in writes for op in plan.get("operations", [])}
    assert written <= INSIGHT_OBJECTS, written
