"""What a `curl` user sees: OAuth token, actor header, schemas, launch, and webhook signatures checked with
nothing but the `cryptography` library."""

from __future__ import annotations

import base64
import json

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from sandbox.ironclad import IroncladSandbox
from tests.fixtures.ironclad import ORDER_FORM_TEMPLATE_ID, WebhookReceiver, order_form_attributes

API = "/public/api/v1"


def _token(http: httpx.Client, sandbox: IroncladSandbox, **extra: str) -> str:
    response = http.post("/oauth/token", json={"grant_type": "client_credentials", "client_id": sandbox.client_id,
                                               "client_secret": sandbox.client_secret, **extra})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0 and "refresh_token" not in body
    return body["access_token"]


def test_bearer_token_lists_schemas_and_launches(ironclad_sandbox: IroncladSandbox) -> None:
    with httpx.Client(base_url=ironclad_sandbox.base_url) as http:
        headers = {"Authorization": f"Bearer {_token(http, ironclad_sandbox)}",
                   "x-as-user-email": ironclad_sandbox.user_email}
        schemas = http.get(f"{API}/workflow-schemas", headers=headers)
        assert schemas.status_code == 200
        assert schemas.headers["x-ironclad-requestid"]
        order_form = next(s for s in schemas.json()["list"] if s["id"] == ORDER_FORM_TEMPLATE_ID)
        assert order_form["schema"]["totalValue"] == {"type": "monetaryAmount", "displayName": "Total Contract Value",
                                                      "required": "always", "propertyKey": "totalValue"}
        assert order_form["schema"]["paymentTerms"]["options"]["values"] == ["Net 30", "Net 45", "Net 60"]

        launched = http.post(f"{API}/workflows", headers=headers,
                             json={"template": ORDER_FORM_TEMPLATE_ID, "attributes": order_form_attributes()})
        assert launched.status_code == 200, launched.text
        workflow = launched.json()
        assert workflow["step"] == "Review" and workflow["status"] == "active"
        assert workflow["ironcladId"].startswith("IC-") and len(workflow["id"]) == 24
        assert workflow["creator"]["email"] == ironclad_sandbox.user_email
        by_readable_id = http.get(f"{API}/workflows/{workflow['ironcladId']}", headers=headers)
        assert by_readable_id.json()["id"] == workflow["id"]


def test_client_credentials_token_without_actor_header_is_refused(ironclad_sandbox: IroncladSandbox) -> None:
    with httpx.Client(base_url=ironclad_sandbox.base_url) as http:
        token = _token(http, ironclad_sandbox)
        response = http.get(f"{API}/workflow-schemas", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 400
        assert response.json()["param"] == "x-as-user-email"
        stranger = http.get(f"{API}/workflow-schemas",
                            headers={"Authorization": f"Bearer {token}", "x-as-user-email": "mallory@evil.example"})
        assert stranger.status_code == 403 and stranger.json()["code"] == "FORBIDDEN"


def test_token_endpoint_speaks_rfc6749(ironclad_sandbox: IroncladSandbox) -> None:
    with httpx.Client(base_url=ironclad_sandbox.base_url) as http:
        form = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(ironclad_sandbox.client_id, ironclad_sandbox.client_secret))
        assert form.status_code == 200 and form.json()["access_token"]
        wrong = http.post("/oauth/token", data={"grant_type": "client_credentials",
                                                "client_id": ironclad_sandbox.client_id, "client_secret": "nope"})
        assert (wrong.status_code, wrong.json()["error"]) == (403, "unauthorized_client")
        unknown = http.post("/oauth/token", json={"grant_type": "client_credentials", "client_id": "who",
                                                  "client_secret": "x"})
        assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
        bad_scope = http.post("/oauth/token", json={"grant_type": "client_credentials",
                                                    "client_id": ironclad_sandbox.client_id,
                                                    "client_secret": ironclad_sandbox.client_secret,
                                                    "scope": "public.everything"})
        assert (bad_scope.status_code, bad_scope.json()["error"]) == (400, "invalid_scope")
        no_token = http.get(f"{API}/workflows")
        assert no_token.status_code == 401 and no_token.json()["code"] == "UNAUTHORIZED"


def test_scopes_are_enforced_per_endpoint(ironclad_sandbox: IroncladSandbox) -> None:
    with httpx.Client(base_url=ironclad_sandbox.base_url) as http:
        token = _token(http, ironclad_sandbox, scope="public.workflows.readSchemas")
        headers = {"Authorization": f"Bearer {token}", "x-as-user-email": ironclad_sandbox.user_email}
        assert http.get(f"{API}/workflow-schemas", headers=headers).status_code == 200
        launch = http.post(f"{API}/workflows", headers=headers,
                           json={"template": ORDER_FORM_TEMPLATE_ID, "attributes": order_form_attributes()})
        assert launch.status_code == 403 and launch.json()["code"] == "FORBIDDEN"


def test_webhook_delivery_verifies_with_published_pem(ironclad_sandbox: IroncladSandbox,
                                                      ironclad_webhook_receiver: WebhookReceiver) -> None:
    with httpx.Client(base_url=ironclad_sandbox.base_url) as http:
        headers = {"Authorization": f"Bearer {_token(http, ironclad_sandbox)}",
                   "x-as-user-email": ironclad_sandbox.user_email}
        created = http.post(f"{API}/webhooks", headers=headers,
                            json={"events": ["workflow_launched"], "targetURL": ironclad_webhook_receiver.url})
        assert created.status_code == 201
        pem = http.get(f"{API}/webhooks/verification-key", headers=headers)
        assert pem.headers["content-type"].startswith("text/plain")
        launched = http.post(f"{API}/workflows", headers=headers,
                             json={"template": ORDER_FORM_TEMPLATE_ID, "attributes": order_form_attributes()}).json()
        http.delete(f"{API}/webhooks/{created.json()['id']}", headers=headers)

    ironclad_webhook_receiver.wait_for(lambda got: any(json.loads(d.body)["payload"]["workflowID"] == launched["id"]
                                              for d in got))
    delivery = next(d for d in ironclad_webhook_receiver.received
                    if json.loads(d.body)["payload"]["workflowID"] == launched["id"])
    verification = json.loads(delivery.headers["x-ironclad-webhook-verification"])
    assert verification["signAlgorithm"] == "RSA-SHA256" and verification["encoding"] == "base64"
    signed = (delivery.headers["x-ironclad-webhook-event-id"] + json.dumps(json.loads(delivery.body),
              separators=(",", ":")) + verification["nonce"]).encode()
    public_key = serialization.load_pem_public_key(pem.text.encode())
    public_key.verify(base64.b64decode(verification["signature"]), signed, padding.PKCS1v15(), hashes.SHA256())
