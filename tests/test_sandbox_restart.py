"""Sandbox restarts keep credentials with the data, as a real org and tenant would: the same settings, every
token handed out still accepted, the same webhook signing key and CA; `fresh` makes new ones. A client whose
token the server expired or revoked gets a new one by itself."""

from __future__ import annotations

from pathlib import Path
from random import Random

import httpx
import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from core.settings import settings_from
from sandbox.http import free_port
from sandbox.stack import SandboxStack
from tests.fixtures.backfill import msa_attributes, msa_template
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient

API = "/public/api/v1"


def stack_on(data_dir: Path, ports: tuple[int, int], fresh: bool = False) -> SandboxStack:
    return SandboxStack(data_dir, opportunities=10, seed=3, sf_port=ports[0], ironclad_port=ports[1], fresh=fresh)


def plain_salesforce(env: dict[str, str], token: str) -> Salesforce:
    """simple-salesforce holding nothing but a session: it cannot log in again by itself."""
    session = requests.Session()
    session.verify = env["SF_CA_BUNDLE"]
    session.trust_env = False
    return Salesforce(instance_url=env["SF_INSTANCE_URL"], session_id=token, session=session)


def ironclad_token(env: dict[str, str]) -> str:
    response = httpx.post(f"{env['IRONCLAD_BASE_URL']}/oauth/token", data={
        "grant_type": "client_credentials", "client_id": env["IRONCLAD_CLIENT_ID"],
        "client_secret": env["IRONCLAD_CLIENT_SECRET"]})
    response.raise_for_status()
    return str(response.json()["access_token"])


def ironclad_with(env: dict[str, str], token: str) -> httpx.Response:
    return httpx.get(f"{env['IRONCLAD_BASE_URL']}{API}/workflow-schemas",
                     headers={"Authorization": f"Bearer {token}", "x-as-user-email": env["IRONCLAD_USER_EMAIL"]})


def first_opportunity(sf: Salesforce) -> str:
    return str(sf.query("SELECT Id FROM Opportunity ORDER BY Id LIMIT 1")["records"][0]["Id"])


def test_a_restart_keeps_settings_tokens_keys_and_running_clients(tmp_path: Path) -> None:
    ports = (free_port(), free_port())
    with stack_on(tmp_path, ports) as stack:
        before = stack.env()
        ca_before = Path(before["SF_CA_BUNDLE"]).read_bytes()
        opportunity = first_opportunity(plain_salesforce(before, before["SF_ACCESS_TOKEN"]))
        ic_token = ironclad_token(before)
        settings = settings_from(before)
        running_sf, running_ic = SalesforceClient.from_settings(settings), IroncladClient.from_settings(settings)
        key_before = running_ic.verification_key()
        workflow = running_ic.launch_workflow(msa_template().id, msa_attributes("Restart Rivets Ltd", Random(1)))
        running_sf.query("SELECT Id FROM Account LIMIT 1")
    with stack_on(tmp_path, ports) as stack:
        after = stack.env()
        assert after == before  # what `sandbox up` prints is the same, secrets included
        assert Path(after["SF_CA_BUNDLE"]).read_bytes() == ca_before
        assert first_opportunity(plain_salesforce(after, before["SF_ACCESS_TOKEN"])) == opportunity
        assert ironclad_with(after, ic_token).status_code == 200
        # A running process (a `serve` started before the restart) carries on with what it holds:
        assert running_ic.verification_key() == key_before
        assert running_ic.get_workflow(workflow.id).id == workflow.id  # the data stayed too
        assert running_sf.query(f"SELECT Id FROM Opportunity WHERE Id = '{opportunity}'")
    running_ic.close()


def test_fresh_makes_new_credentials_and_refuses_the_old_ones(tmp_path: Path) -> None:
    ports = (free_port(), free_port())
    with stack_on(tmp_path, ports) as stack:
        before = stack.env()
        ca_before = Path(before["SF_CA_BUNDLE"]).read_bytes()
        ic_token = ironclad_token(before)
        key_before = stack.ironclad.verification_key_pem
    with stack_on(tmp_path, ports, fresh=True) as stack:
        after = stack.env()
        for name in ("SF_ACCESS_TOKEN", "SF_CLIENT_ID", "SF_CLIENT_SECRET", "IRONCLAD_CLIENT_ID",
                     "IRONCLAD_CLIENT_SECRET"):
            assert after[name] != before[name], name
        assert stack.ironclad.verification_key_pem != key_before
        assert Path(after["SF_CA_BUNDLE"]).read_bytes() != ca_before
        plain = plain_salesforce(after, before["SF_ACCESS_TOKEN"])
        with pytest.raises(SalesforceExpiredSession):
            first_opportunity(plain)
        assert ironclad_with(after, ic_token).status_code == 401
        assert httpx.post(f"{after['IRONCLAD_BASE_URL']}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": before["IRONCLAD_CLIENT_ID"],
            "client_secret": before["IRONCLAD_CLIENT_SECRET"]}).status_code == 401


@pytest.mark.parametrize("login", ["jwt_bearer", "client_credentials"])
def test_a_session_expired_on_the_server_is_renewed_by_the_client(tmp_path: Path, login: str) -> None:
    with stack_on(tmp_path, (0, 0)) as stack:
        env = stack.env()
        if login == "client_credentials":
            del env["SF_USERNAME"], env["SF_PRIVATE_KEY_FILE"]
        client = SalesforceClient.from_settings(settings_from(env))
        client.query("SELECT Id FROM Account LIMIT 1")
        httpx.post(f"{env['SF_INSTANCE_URL']}/_sandbox/faults", json={"kind": "EXPIRE_SESSIONS"},
                   verify=env["SF_CA_BUNDLE"]).raise_for_status()
        with pytest.raises(SalesforceExpiredSession):  # the token the client held is really gone
            first_opportunity(plain_salesforce(env, env["SF_ACCESS_TOKEN"]))
        assert client.query("SELECT Id FROM Opportunity ORDER BY Id LIMIT 1")


@pytest.mark.parametrize("action", ["expire", "revoke"])
def test_an_ironclad_token_expired_or_revoked_on_the_server_is_renewed_by_the_client(tmp_path: Path,
                                                                                     action: str) -> None:
    with stack_on(tmp_path, (0, 0)) as stack:
        env = stack.env()
        with IroncladClient.from_settings(settings_from(env)) as client:
            schemas = client.list_schemas()
            held = ironclad_token(env)
            httpx.post(f"{env['IRONCLAD_BASE_URL']}/_sandbox/tokens/{action}").raise_for_status()
            refused = ironclad_with(env, held)
            assert refused.status_code == 401 and ("revoked" if action == "revoke" else "expired") in refused.text
            assert client.list_schemas() == schemas
