"""`contractloop serve` alone closes the loop: it registers its webhook route with Ironclad at start (one
webhook however often it restarts, moved along when its URL changes), so a contract signed in Ironclad lands in
Salesforce with nothing else registering anything."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import requests
from simple_salesforce import Salesforce

from core.settings import settings_from
from tests.fixtures.backfill import msa_attributes, msa_template
from tests.support.serve_process import ServeProcess
from tools.ironclad import IroncladClient, Webhook

SIGNED = {"workflow_completed", "workflow_signature_packet_fully_signed"}


def serve_in(tmp_path: Path, *args: str, env_file: str | None = "") -> ServeProcess:
    # Own data dir and (by default) no .env: nothing but serve itself sets anything up.
    env = {"CONTRACTLOOP_DATA_DIR": str(tmp_path / "data"), "CONTRACTLOOP_ENV_FILE": env_file,
           "CONTRACTLOOP_API_KEY": None, "CONTRACTLOOP_PUBLIC_URL": None}
    return ServeProcess(*args, cwd=tmp_path, env=env)


def webhooks(serve: ServeProcess) -> list[Webhook]:
    with IroncladClient.from_settings(settings_from(serve.settings)) as ironclad:
        return ironclad.list_webhooks()


def salesforce(serve: ServeProcess) -> Salesforce:
    session = requests.Session()
    session.verify = serve.settings["SF_CA_BUNDLE"]
    session.trust_env = False
    return Salesforce(instance_url=serve.settings["SF_INSTANCE_URL"], session_id=serve.settings["SF_ACCESS_TOKEN"],
                      session=session)


def poll(fetch: Callable[[], httpx.Response], done: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = fetch()
        body = response.json() if response.status_code == 200 else {"status": f"http {response.status_code}"}
        if done(body) or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.2)


def test_serve_registers_one_webhook_across_restarts_and_a_signed_contract_reaches_salesforce(
        tmp_path: Path) -> None:
    keys = set()
    for start in range(3):  # a new server port each time (--port 0): the one webhook follows it
        serve = serve_in(tmp_path).start()
        keys.add(serve.settings["CONTRACTLOOP_API_KEY"])
        hooks = webhooks(serve)
        assert [h.target_url for h in hooks] == [f"{serve.url}/ironclad/webhooks"], hooks
        assert set(hooks[0].events) >= SIGNED and hooks[0].status == "enabled"
        assert serve.note("# Ironclad webhook:").endswith(
            f"({'created' if start == 0 else 'updated'} webhook {hooks[0].id}: {', '.join(hooks[0].events)})")
        if start < 2:
            assert serve.stop() == 130
    assert len(keys) == 1  # the generated Flow API key is kept with the data, like the sandbox credentials

    try:
        sf = salesforce(serve)
        opportunity = sf.query("SELECT Id, Account.Name FROM Opportunity ORDER BY Id LIMIT 1")["records"][0]
        terms = msa_attributes(opportunity["Account"]["Name"], random.Random(5), opportunity["Id"])
        with IroncladClient.from_settings(settings_from(serve.settings)) as ironclad:
            workflow = ironclad.launch_workflow(msa_template().id, terms)
        httpx.post(f"{serve.settings['IRONCLAD_BASE_URL']}/_sandbox/workflows/{workflow.id}/complete",
                   timeout=60).raise_for_status()
        with serve.http() as http:
            path = f"/ironclad/workflows/{workflow.id}/sync"
            sync = poll(lambda: http.get(path), lambda s: s["status"] in ("completed", "awaiting_approval", "failed"))
            if sync["status"] == "awaiting_approval":  # policy wants a person: approve as the Flow would
                http.post("/flow/approvals", json={"thread_id": sync["thread_id"], "decision": "approve",
                                                   "reviewer": "serve test"}).raise_for_status()
                sync = poll(lambda: http.get(path), lambda s: s["status"] in ("completed", "failed"))
        assert sync["status"] == "completed", sync
        insights = sf.query("SELECT Ironclad_Record_Id__c, Payment_Terms_Days__c FROM Contract_Insight__c "
                            f"WHERE Opportunity__c = '{opportunity['Id']}'")["records"]
        assert [i["Ironclad_Record_Id__c"] for i in insights] == [sync["record_id"]]
        assert insights[0]["Payment_Terms_Days__c"] == terms["paymentTermsDays"]  # read from the signed PDF
    finally:
        serve.stop()


def test_no_register_webhook_registers_nothing(tmp_path: Path) -> None:
    # With the default .env rule (<repo>/.env, which a clean clone does not have) for the server too.
    with serve_in(tmp_path, "--no-register-webhook", env_file=None) as serve:
        assert webhooks(serve) == []
        assert serve.note("# Ironclad webhook:") == "# Ironclad webhook: not registered (--no-register-webhook)"


def test_public_url_is_where_ironclad_is_told_to_deliver(tmp_path: Path) -> None:
    with serve_in(tmp_path, "--public-url", "https://contracts.example.com/") as serve:
        assert [h.target_url for h in webhooks(serve)] == ["https://contracts.example.com/ironclad/webhooks"]
        assert serve.settings["CONTRACTLOOP_PUBLIC_URL"] == "https://contracts.example.com/"
