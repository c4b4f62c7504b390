"""The hash-chained audit log: appends verify; an edited, removed or reordered entry is named; the CLI's exit
codes; model calls recorded only when tagged as the tokenised call."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel

from contractloop.cli import main
from core.settings import get_settings
from runtime.audit_callback import AuditCallback
from runtime.audit_log import AuditLog
from runtime.model_tags import TOKENISED_CALL_TAG
from tests.support.audit_entries import filled
from tests.support.scripted_model import scripted


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.sqlite"
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_PATH", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _filled(path: Path, n: int = 5) -> AuditLog:
    return filled(AuditLog(path), n)


def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")  # what someone with the file can do
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_chain_appends_and_verifies(tmp_path: Path) -> None:
    log = _filled(tmp_path / "a.sqlite")
    result = log.verify()
    assert result.intact and result.entries == 5
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))


def test_log_refuses_update_and_delete(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    _filled(path, 2)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE audit_log SET actor = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM audit_log")


def test_edited_entry_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    log = _filled(path)
    _raw(path, "UPDATE audit_log SET payload = '{\"i\": 99}' WHERE seq = 3")
    result = log.verify()
    assert result.broken_seq == 3 and result.reason.startswith("edited")


def test_removed_entry_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    log = _filled(path)
    _raw(path, "DELETE FROM audit_log WHERE seq = 2")
    result = log.verify()
    assert result.broken_seq == 3 and result.reason.startswith("removed")


def test_reordered_entries_are_named(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    log = _filled(path)
    _raw(path, "UPDATE audit_log SET seq = 100 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 4",
         "UPDATE audit_log SET seq = 4 WHERE seq = 100")
    result = log.verify()
    assert result.broken_seq == 2 and result.reason.startswith("reordered"), result


def test_cli_verify_and_show(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(log_file)
    assert main(["audit", "verify"]) == 0
    assert "5 entries, chain intact" in capsys.readouterr().out
    assert main(["audit", "show", "cl-abc"]) == 0
    out = capsys.readouterr().out
    assert out.count("decision") == 5 and "s4" in out
    _raw(log_file, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 4")
    assert main(["audit", "--path", str(log_file), "verify"]) == 1
    assert "entry 4 fails: edited" in capsys.readouterr().out


class _S(BaseModel):
    correlation_id: str = ""


def test_only_tokenised_model_calls_are_recorded(log_file: Path) -> None:
    """The PII wrapper calls the real model with TOKENISED_CALL_TAG; its own untagged run is not recorded."""
    model = scripted(AIMessage(content="tokenised answer <PERSON_1>"), AIMessage(content="raw answer Jane Doe"))

    def node(state: _S) -> dict:
        model.invoke([HumanMessage("about <PERSON_1>")], config={"tags": [TOKENISED_CALL_TAG]})
        model.invoke([HumanMessage("about Jane Doe")])
        return {}

    builder = StateGraph(_S)
    builder.add_node("n", node)
    builder.add_edge(START, "n")
    builder.add_edge("n", END)
    builder.compile().with_config(callbacks=[AuditCallback()]).invoke({"correlation_id": "cl-model-1"})
    entries = AuditLog(log_file).entries()
    assert [e.kind for e in entries] == ["model_request", "model_response"]
    assert all(e.correlation_id == "cl-model-1" for e in entries)
    text = str([e.payload for e in entries])
    assert "<PERSON_1>" in text and "Jane Doe" not in text


def test_recording_never_fails_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime import audit_trail

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_PATH", str(blocker / "audit.sqlite"))  # a file as the folder
    get_settings.cache_clear()
    try:
        before = audit_trail.dropped()
        audit_trail.record("decision", "cl-x", "contractloop")
        assert audit_trail.dropped() == before + 1
    finally:
        get_settings.cache_clear()
