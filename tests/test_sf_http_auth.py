"""Every simple-salesforce login flow, unchanged, against the sandbox (login hosts rewritten by the adapter)."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from sandbox.salesforce.server import SalesforceSandbox

MY_DOMAIN = "contractloop-sandbox.my"


def _host_port(sandbox: SalesforceSandbox) -> str:
    return sandbox.instance_url.removeprefix("https://")


def test_soap_login_with_security_token(sf_sandbox: SalesforceSandbox) -> None:
    sf = Salesforce(username=sf_sandbox.username, password=sf_sandbox.password,
                    security_token=sf_sandbox.security_token, session=sf_sandbox.requests_session())
    assert sf.sf_instance == _host_port(sf_sandbox)
    assert sf.session_id.startswith(sf_sandbox.credentials.org_id + "!")
    assert sf.query("SELECT COUNT() FROM Opportunity")["totalSize"] > 0


def test_soap_login_scoped_to_organization(sf_sandbox: SalesforceSandbox) -> None:
    sf = Salesforce(username=sf_sandbox.username, password=sf_sandbox.password,
                    organizationId=sf_sandbox.credentials.org_id, session=sf_sandbox.requests_session())
    assert sf.query("SELECT Id FROM Organization")["totalSize"] == 1
    with pytest.raises(SalesforceAuthenticationFailed) as wrong_org:
        Salesforce(username=sf_sandbox.username, password=sf_sandbox.password,
                   organizationId="00D000000000001", session=sf_sandbox.requests_session())
    assert wrong_org.value.code == "INVALID_LOGIN"


def test_soap_login_with_wrong_password_is_invalid_login(sf_sandbox: SalesforceSandbox) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        Salesforce(username=sf_sandbox.username, password="wrong", security_token=sf_sandbox.security_token,
                   session=sf_sandbox.requests_session())
    assert failed.value.code == "INVALID_LOGIN"


def test_oauth_password_flow(sf_sandbox: SalesforceSandbox) -> None:
    sf = Salesforce(username=sf_sandbox.username, password=sf_sandbox.password + sf_sandbox.security_token,
                    consumer_key=sf_sandbox.client_id, consumer_secret=sf_sandbox.client_secret,
                    session=sf_sandbox.requests_session())
    assert sf.sf_instance == _host_port(sf_sandbox)
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1


def test_client_credentials_with_basic_auth_via_my_domain(sf_sandbox: SalesforceSandbox) -> None:
    sf = Salesforce(consumer_key=sf_sandbox.client_id, consumer_secret=sf_sandbox.client_secret, domain=MY_DOMAIN,
                    session=sf_sandbox.requests_session())
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1
    with pytest.raises(SalesforceAuthenticationFailed) as refused:
        Salesforce(consumer_key=sf_sandbox.client_id, consumer_secret="nope", domain=MY_DOMAIN,
                   session=sf_sandbox.requests_session())
    assert refused.value.code == "invalid_client"


def test_client_credentials_with_body_auth(sf_sandbox: SalesforceSandbox) -> None:
    response = requests.post(f"{sf_sandbox.instance_url}/services/oauth2/token", verify=str(sf_sandbox.ca_pem), data={
        "grant_type": "client_credentials", "client_id": sf_sandbox.client_id,
        "client_secret": sf_sandbox.client_secret}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["instance_url"] == sf_sandbox.instance_url and body["token_type"] == "Bearer"
    assert body["id"].endswith(f"/id/{sf_sandbox.credentials.org_id}/{sf_sandbox.credentials.user_id}")
    unsupported = requests.post(f"{sf_sandbox.instance_url}/services/oauth2/token", verify=str(sf_sandbox.ca_pem),
                                data={"grant_type": "authorization_code"}, timeout=30)
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"


def test_jwt_bearer_flow_verifies_the_signature(sf_sandbox: SalesforceSandbox) -> None:
    sf = Salesforce(username=sf_sandbox.username, consumer_key=sf_sandbox.client_id,
                    privatekey_file=str(sf_sandbox.jwt_private_key_file), session=sf_sandbox.requests_session())
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(SalesforceAuthenticationFailed) as forged:
        Salesforce(username=sf_sandbox.username, consumer_key=sf_sandbox.client_id, privatekey=stranger,
                   session=sf_sandbox.requests_session())
    assert forged.value.code == "invalid_grant"

    key = sf_sandbox.jwt_private_key_file.read_text()
    expired = jwt.encode({"iss": sf_sandbox.client_id, "sub": sf_sandbox.username,
                          "aud": "https://login.salesforce.com", "exp": int(time.time()) - 600}, key, "RS256")
    response = requests.post(f"{sf_sandbox.instance_url}/services/oauth2/token", verify=str(sf_sandbox.ca_pem),
                             data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                   "assertion": expired}, timeout=30)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_expired_session_is_a_json_401_and_simple_salesforce_logs_in_again(
        fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    sf = Salesforce(username=sandbox.username, password=sandbox.password, security_token=sandbox.security_token,
                    session=sandbox.requests_session())
    sf.query("SELECT Id FROM Account LIMIT 1")
    old_session = sf.session_id

    control = requests.post(f"{sandbox.instance_url}/_sandbox/faults", json={"kind": "EXPIRE_SESSIONS"},
                            verify=str(sandbox.ca_pem), timeout=30)
    assert control.status_code == 201
    stale = requests.get(f"{sandbox.instance_url}/services/data/v59.0/limits/", verify=str(sandbox.ca_pem),
                         headers={"Authorization": f"Bearer {old_session}"}, timeout=30)
    assert stale.status_code == 401
    assert stale.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]

    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1  # re-login inside simple-salesforce
    assert sf.session_id != old_session
    account = sf.Account.create({"Name": "After relogin"})  # SFType path re-logs in the same way
    assert account["success"]


def test_session_lifetime_and_direct_sessions_cannot_refresh(fresh_sf_sandbox: SalesforceSandbox) -> None:
    short_lived = fresh_sf_sandbox.api.sessions.issue(ttl_seconds=0.2)
    sf = Salesforce(instance_url=fresh_sf_sandbox.instance_url, session_id=short_lived,
                    session=fresh_sf_sandbox.requests_session())
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1
    time.sleep(0.3)
    with pytest.raises(SalesforceExpiredSession):
        sf.query("SELECT Id FROM Account LIMIT 1")
