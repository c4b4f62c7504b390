"""The audit log on a real PostgreSQL server: concurrent threads and processes keep one chain; the database
refuses UPDATE, DELETE and TRUNCATE; what gets past the triggers (a superuser disabling them) is named by
`verify`; the CLI and `audit_trail.record` use Postgres when it is configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from contractloop.cli import main
from core.settings import get_settings
from runtime import audit_trail
from runtime.audit_log_postgres import PostgresAuditLog
from runtime.audit_store import open_audit_log
from tests.support.audit_entries import filled
from tests.support.threads import failures_in_threads

REPO = Path(__file__).resolve().parent.parent

_WRITER = """
import sys
from runtime.audit_log_postgres import PostgresAuditLog
from runtime.audit_chain import PendingEntry
log = PostgresAuditLog(sys.argv[1])
for i in range(int(sys.argv[2])):
    if i % 5 == 0:
        log.append_many([PendingEntry(sys.argv[3], "decision", "contractloop", subject=f"b{i}-{j}")
                         for j in range(3)])
    else:
        log.append(sys.argv[3], "decision", "contractloop", subject=f"s{i}")
"""


def _filled(url: str, n: int = 5) -> PostgresAuditLog:
    return filled(PostgresAuditLog(url), n)


def _past_the_triggers(url: str, *statements: str) -> None:
    """What a superuser can do: switch the triggers off, change rows, switch them on again."""
    with psycopg.connect(url) as conn:
        conn.execute("ALTER TABLE audit_log DISABLE TRIGGER ALL")
        for statement in statements:
            conn.execute(statement)
        conn.execute("ALTER TABLE audit_log ENABLE TRIGGER ALL")


def _assert_one_chain(log: PostgresAuditLog, expected: int) -> None:
    result = log.verify()
    assert result.intact, result
    assert result.entries == expected
    assert [e.seq for e in log.entries()] == list(range(1, expected + 1))


def test_threads_and_processes_keep_one_chain(postgres_url: str) -> None:
    log = PostgresAuditLog(postgres_url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    per_process = 40  # 32 single appends and 8 batches of 3 each
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, postgres_url, str(per_process), f"cl-proc-{n}"],
                                cwd=REPO, env=env, stderr=subprocess.PIPE, text=True) for n in range(2)]

    def append_from_thread(n: int) -> None:  # a duplicate seq (two appends read the same head) raises here
        for i in range(25):
            log.append(f"cl-thread-{n}", "tool_call", "model", subject=f"t{i}")

    failures = failures_in_threads(append_from_thread, 6)
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    assert not failures, failures
    _assert_one_chain(log, 6 * 25 + 2 * (32 + 8 * 3))
    assert {e.correlation_id for e in log.entries()} == {f"cl-thread-{n}" for n in range(6)} | {"cl-proc-0",
                                                                                                "cl-proc-1"}


def test_the_database_refuses_update_delete_and_truncate(postgres_url: str) -> None:
    _filled(postgres_url)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log WHERE seq = 2",
                      "TRUNCATE audit_log"):
        with psycopg.connect(postgres_url) as conn, pytest.raises(psycopg.Error, match="append-only"):
            conn.execute(statement)
    _assert_one_chain(PostgresAuditLog(postgres_url), 5)


def test_an_edited_entry_is_named(postgres_url: str) -> None:
    log = _filled(postgres_url)
    _past_the_triggers(postgres_url, "UPDATE audit_log SET payload = '{\"i\": 99}' WHERE seq = 3")
    result = log.verify()
    assert result.broken_seq == 3 and result.reason.startswith("edited"), result


def test_a_removed_entry_is_named(postgres_url: str) -> None:
    log = _filled(postgres_url)
    _past_the_triggers(postgres_url, "DELETE FROM audit_log WHERE seq = 2")
    result = log.verify()
    assert result.broken_seq == 3 and result.reason.startswith("removed: seq 2"), result


def test_two_swapped_entries_are_named(postgres_url: str) -> None:
    log = _filled(postgres_url)
    _past_the_triggers(postgres_url, "UPDATE audit_log SET seq = 100 WHERE seq = 2",
                       "UPDATE audit_log SET seq = 2 WHERE seq = 4", "UPDATE audit_log SET seq = 4 WHERE seq = 100")
    result = log.verify()
    assert result.broken_seq == 2 and result.reason.startswith("reordered"), result


def test_cli_verify_and_show_against_postgres(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(postgres_url)
    assert main(["audit", "--database-url", postgres_url, "verify"]) == 0
    out = capsys.readouterr().out
    assert "5 entries, chain intact" in out and "127.0.0.1" in out
    assert main(["audit", "--database-url", postgres_url, "show", "cl-abc"]) == 0
    out = capsys.readouterr().out
    assert out.count("decision") == 5 and "s4" in out
    _past_the_triggers(postgres_url, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 4")
    assert main(["audit", "--database-url", postgres_url, "verify"]) == 1
    assert "entry 4 fails: edited" in capsys.readouterr().out


def test_the_setting_sends_the_trail_and_the_cli_to_postgres(postgres_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    sqlite_file = tmp_path / "audit.sqlite"
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_PATH", str(sqlite_file))
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_DATABASE_URL", postgres_url)
    get_settings.cache_clear()
    try:
        assert isinstance(open_audit_log(get_settings()), PostgresAuditLog)
        before = audit_trail.dropped()
        audit_trail.record("decision", "cl-pg-1", "contractloop", actor="tester", subject="approved",
                           refs=["006PG", None], payload={"decision": "approve"})
        assert audit_trail.dropped() == before
        [entry] = PostgresAuditLog(postgres_url).trail("cl-pg-1")
        assert (entry.kind, entry.actor, entry.refs, entry.payload) == ("decision", "tester", ["006PG"],
                                                                        {"decision": "approve"})
        assert not sqlite_file.exists()  # nothing went to the SQLite file
        assert main(["audit", "verify"]) == 0  # the CLI reads the setting too
        assert "1 entries, chain intact" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()


def test_messages_name_the_database_without_its_password() -> None:
    log = PostgresAuditLog("postgresql://audit:s3cret@db.internal:5433/contracts?sslmode=require")
    assert log.where == "postgresql://audit@db.internal:5433/contracts"


def test_the_setting_takes_only_a_postgres_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_DATABASE_URL", "mysql://db/audit")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="postgresql://"):
            get_settings()
        monkeypatch.setenv("CONTRACTLOOP_AUDIT_DATABASE_URL", "")  # empty: unset, the SQLite log
        get_settings.cache_clear()
        assert get_settings().contractloop_audit_database_url is None
    finally:
        get_settings.cache_clear()
