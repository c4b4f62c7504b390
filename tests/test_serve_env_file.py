"""One rule for `.env`: the file CONTRACTLOOP_ENV_FILE names, else `<repo>/.env`, whatever the working
directory; real environment variables win over it; `serve` hands the same file to the server it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from core.settings import PROJECT_ROOT
from sandbox.ironclad.webhooks import WebhookSigner, compact_json, now_iso
from tests.support.serve_process import ServeProcess

PRINT_SETTINGS = ("from core.settings import get_settings, env_file; s = get_settings(); "
                  "print(env_file()); print(s.contractloop_model); print(s.contractloop_data_dir)")


def read_settings(cwd: Path, **env: str | None) -> list[str]:
    """What a fresh process started in `cwd` reads as its settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACTLOOP_", "SF_", "IRONCLAD_"))}
    environment |= {k: v for k, v in env.items() if v is not None}
    result = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=cwd, env=environment, capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout.splitlines()


def test_the_repo_env_file_is_read_whatever_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CONTRACTLOOP_MODEL=from-the-working-directory\n")
    repo_env = PROJECT_ROOT / ".env"
    if repo_env.exists():  # a developer's own .env: read what it says, never touch it
        model_lines = [line for line in repo_env.read_text().splitlines() if line.startswith("CONTRACTLOOP_MODEL=")]
        expected = model_lines[-1].partition("=")[2] if model_lines else "gpt-4o-mini"
        path, model, _ = read_settings(tmp_path)
    else:  # a clean clone: put a key in the repo's .env for the duration of the test
        expected = f"from-the-repo-{uuid.uuid4().hex[:8]}"
        repo_env.write_text(f"CONTRACTLOOP_MODEL={expected}\n")
        try:
            path, model, _ = read_settings(tmp_path)
        finally:
            repo_env.unlink()
    assert path == str(repo_env)
    assert model == expected != "from-the-working-directory"


def test_contractloop_env_file_names_the_file_and_real_variables_win(tmp_path: Path) -> None:
    env_file = tmp_path / "elsewhere" / "pilot.env"
    env_file.parent.mkdir()
    env_file.write_text(f"CONTRACTLOOP_MODEL=from-the-file\nCONTRACTLOOP_DATA_DIR={tmp_path / 'from-file'}\n")
    assert read_settings(tmp_path, CONTRACTLOOP_ENV_FILE=str(env_file)) == [
        str(env_file), "from-the-file", str(tmp_path / "from-file")]
    assert read_settings(tmp_path, CONTRACTLOOP_ENV_FILE=str(env_file), CONTRACTLOOP_MODEL="from-the-env")[1:] == [
        "from-the-env", str(tmp_path / "from-file")]
    assert read_settings(tmp_path, CONTRACTLOOP_ENV_FILE="")[1] == "gpt-4o-mini"  # empty: no file at all


def test_a_missing_env_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.env"
    result = subprocess.run([str(Path(sys.executable).parent / "contractloop"), "sandbox", "up"], cwd=tmp_path,
                            env={**os.environ, "CONTRACTLOOP_ENV_FILE": str(missing)}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"contractloop: CONTRACTLOOP_ENV_FILE={missing} names no file"


def _signed_delivery(signer: WebhookSigner) -> tuple[dict[str, str], bytes]:
    event_id = str(uuid.uuid4())
    body = compact_json({"companyID": "c1", "timestamp": now_iso(), "webhookID": "w1",
                         "payload": {"event": "workflow_launched", "workflowID": "wf-1"}})
    return signer.headers(event_id, body), body.encode()


def test_serve_started_elsewhere_and_its_server_read_the_same_env_file(tmp_path: Path) -> None:
    """The CLI reads the file (its data dir comes from it), the server reads it too (its webhook key comes
    from it: the CLI never passes that one on), and a real variable beats the file in both."""
    ours, stranger = WebhookSigner(), WebhookSigner()
    key_file = tmp_path / "ironclad-webhook-key.pem"
    key_file.write_text(ours.public_pem)
    env_file = tmp_path / "config" / "pilot.env"
    env_file.parent.mkdir()
    env_file.write_text(f"CONTRACTLOOP_DATA_DIR={tmp_path / 'data-from-file'}\n"
                        f"IRONCLAD_WEBHOOK_PUBLIC_KEY_FILE={key_file}\n"
                        "CONTRACTLOOP_API_KEY=key-from-the-file\n")
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("CONTRACTLOOP_API_KEY=key-from-the-working-directory\n")
    env = {"CONTRACTLOOP_ENV_FILE": str(env_file), "CONTRACTLOOP_API_KEY": "key-from-the-environment",
           "CONTRACTLOOP_DATA_DIR": None}
    with ServeProcess(cwd=elsewhere, env=env) as serve:
        assert serve.settings["CONTRACTLOOP_DATA_DIR"] == str(tmp_path / "data-from-file")
        assert (tmp_path / "data-from-file" / "sandbox").is_dir()
        assert serve.settings["CONTRACTLOOP_API_KEY"] == "key-from-the-environment"
        for key, status in (("key-from-the-environment", 404), ("key-from-the-file", 401),
                            ("key-from-the-working-directory", 401)):
            with serve.http(key) as http:
                assert http.get("/flow/opportunities/006000000000000AAA").status_code == status, key
        headers, body = _signed_delivery(ours)
        accepted = httpx.post(f"{serve.url}/ironclad/webhooks", headers=headers, content=body, timeout=30)
        assert accepted.status_code == 200 and accepted.json()["status"] == "ignored", accepted.text
        headers, body = _signed_delivery(stranger)
        refused = httpx.post(f"{serve.url}/ironclad/webhooks", headers=headers, content=body, timeout=30)
        assert refused.status_code == 401, refused.text
    assert json.loads(refused.text)  # a JSON problem, not a crash page
