"""Flow routes up to the point a run would start: auth, validation, ignored stages, the ledger, OpenAPI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.ledger import EventLedger, thread_id_for
from api.openapi import build_openapi

OPPORTUNITY = "006000000000001AAA"
EVENT = {"opportunity_id": OPPORTUNITY, "stage": "Contracting", "event_id": "evt-1"}


def _fields(response: Any) -> set[str]:
    return {f["field"] for f in response.json()["fields"]}


# --- auth -----------------------------------------------------------------------------------------

def test_requests_without_the_key_or_with_a_wrong_key_are_refused(flow_app_client: TestClient) -> None:
    missing = flow_app_client.post("/flow/opportunity-events", json=EVENT)
    wrong = flow_app_client.post("/flow/opportunity-events", json=EVENT, headers={"X-API-Key": "nope"})
    status = flow_app_client.get(f"/flow/opportunities/{OPPORTUNITY}")
    assert (missing.status_code, wrong.status_code, status.status_code) == (401, 401, 401)
    assert "X-API-Key" in missing.json()["detail"]


def test_a_server_without_a_configured_key_refuses_everyone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import build_app
    from core.settings import get_settings

    monkeypatch.delenv("CONTRACTLOOP_API_KEY", raising=False)
    get_settings.cache_clear()
    try:
        with TestClient(build_app(tmp_path / "l.sqlite")) as client:
            response = client.post("/flow/opportunity-events", json=EVENT, headers={"X-API-Key": ""})
        assert response.status_code == 503
        assert "CONTRACTLOOP_API_KEY" in response.json()["detail"]
    finally:
        get_settings.cache_clear()


# --- events -----------------------------------------------------------------------------------------

def test_a_stage_other_than_contracting_is_ignored(flow_app_client: TestClient, flow_api_key: str) -> None:
    response = flow_app_client.post("/flow/opportunity-events", headers={"X-API-Key": flow_api_key},
                                    json={**EVENT, "stage": "Negotiation"})
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert response.json()["thread_id"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({k: v for k, v in EVENT.items() if k != "event_id"}, "event_id"),
    ({**EVENT, "opportunity_id": "not-an-id"}, "opportunity_id"),
    ({**EVENT, "stage": ""}, "stage"),
    ({**EVENT, "amount": 5}, "amount"),
])
def test_a_malformed_event_is_refused_naming_the_field(flow_app_client: TestClient, flow_api_key: str,
                                                        body: dict[str, Any], field: str) -> None:
    response = flow_app_client.post("/flow/opportunity-events", headers={"X-API-Key": flow_api_key}, json=body)
    assert response.status_code == 422
    assert _fields(response) == {field}
    assert field in response.json()["detail"]


def test_a_body_that_is_not_a_json_object_is_refused(flow_app_client: TestClient, flow_api_key: str) -> None:
    headers = {"X-API-Key": flow_api_key, "Content-Type": "application/json"}
    garbled = flow_app_client.post("/flow/opportunity-events", headers=headers, content=b"{opportunity_id:")
    listed = flow_app_client.post("/flow/opportunity-events", headers=headers, content=b"[1, 2]")
    assert (garbled.status_code, listed.status_code) == (422, 422)
    assert _fields(garbled) == {"body"} and _fields(listed) == {"body"}


# --- approvals and status ------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"opportunity_id": OPPORTUNITY, "decision": "reject", "reviewer": "amy"}, "message"),
    ({"opportunity_id": OPPORTUNITY, "decision": "edit", "reviewer": "amy"}, "edited_attributes"),
    ({"opportunity_id": OPPORTUNITY, "decision": "approve", "reviewer": "amy",
      "edited_attributes": {"seats": 10}}, "edited_attributes"),
    ({"opportunity_id": OPPORTUNITY, "decision": "edit", "reviewer": "amy",
      "edited_attributes_json": "{seats: 10"}, "edited_attributes_json"),
    ({"opportunity_id": OPPORTUNITY, "decision": "maybe", "reviewer": "amy"}, "decision"),
    ({"opportunity_id": OPPORTUNITY, "decision": "approve", "reviewer": ""}, "reviewer"),
])
def test_an_invalid_decision_is_refused_naming_the_field(flow_app_client: TestClient, flow_api_key: str,
                                                          body: dict[str, Any], field: str) -> None:
    response = flow_app_client.post("/flow/approvals", headers={"X-API-Key": flow_api_key}, json=body)
    assert response.status_code == 422
    assert field in _fields(response)


def test_a_decision_must_name_the_run(flow_app_client: TestClient, flow_api_key: str) -> None:
    response = flow_app_client.post("/flow/approvals", headers={"X-API-Key": flow_api_key},
                                    json={"decision": "approve", "reviewer": "amy", "thread_id": ""})
    assert response.status_code == 422
    assert "opportunity_id or thread_id" in response.json()["fields"][0]["message"]


def test_unknown_opportunities_answer_404(flow_app_client: TestClient, flow_api_key: str) -> None:
    headers = {"X-API-Key": flow_api_key}
    status = flow_app_client.get(f"/flow/opportunities/{OPPORTUNITY}", headers=headers)
    approval = flow_app_client.post("/flow/approvals", headers=headers,
                                    json={"opportunity_id": OPPORTUNITY, "decision": "approve", "reviewer": "amy"})
    assert (status.status_code, approval.status_code) == (404, 404)
    assert OPPORTUNITY in status.json()["detail"]


def test_an_edit_given_as_json_text_becomes_the_graphs_resume_value() -> None:
    from api.flow_payloads import ApprovalSubmission

    submission = ApprovalSubmission(thread_id="t", decision="edit", reviewer="amy",
                                    edited_attributes_json='{"seats": 300}', message="more seats")
    assert submission.problems() == []
    resume = submission.to_resume()
    assert resume.decisions[0].edited_action is not None
    assert resume.decisions[0].edited_action.args == {"seats": 300}
    assert resume.reviewer == "amy"


# --- ledger ------------------------------------------------------------------------------------------

def test_the_ledger_keeps_the_first_thread_for_an_event_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledger = EventLedger(path)
    first = ledger.record(OPPORTUNITY, "e1", "thread-a", "amy")
    again = ledger.record(OPPORTUNITY[:15], "e1", "thread-b", None)  # the 15-character form of the same Id
    ledger.record(OPPORTUNITY, "e2", "thread-c", None)
    ledger.close()

    reopened = EventLedger(path)
    assert again.thread_id == first.thread_id == "thread-a"
    found = reopened.find(OPPORTUNITY, "e1")
    latest = reopened.latest_for(OPPORTUNITY)
    assert found is not None and found.requested_by == "amy"
    assert latest is not None and latest.thread_id == "thread-c"
    assert reopened.latest_for("006000000000002AAA") is None


def test_thread_ids_are_stable_per_event_and_distinct_across_events() -> None:
    assert thread_id_for(OPPORTUNITY, "e1") == thread_id_for(OPPORTUNITY[:15], "e1")
    assert thread_id_for(OPPORTUNITY, "e1") != thread_id_for(OPPORTUNITY, "e2")
    # Salesforce 15-character Ids are case-sensitive: these are two records.
    assert thread_id_for("006Aa0000000001", "e1") != thread_id_for("006aA0000000001", "e1")


# --- document reviews -----------------------------------------------------------------------------------

REVIEW = {"opportunity_id": OPPORTUNITY, "content_document_id": "069000000000001AAA", "event_id": "att-1"}


@pytest.mark.parametrize(("body", "field"), [
    ({**REVIEW, "content_document_id": "068000000000001AAA"}, "content_document_id"),  # a version, not a document
    ({k: v for k, v in REVIEW.items() if k != "event_id"}, "event_id"),
    ({**REVIEW, "document": "x"}, "document"),
])
def test_a_malformed_review_request_is_refused_naming_the_field(flow_app_client: TestClient, flow_api_key: str,
                                                                body: dict, field: str) -> None:
    response = flow_app_client.post("/flow/document-reviews", headers={"X-API-Key": flow_api_key}, json=body)
    assert response.status_code == 422
    assert field in _fields(response)


def test_a_review_request_needs_the_key(flow_app_client: TestClient) -> None:
    assert flow_app_client.post("/flow/document-reviews", json=REVIEW).status_code == 401


# --- OpenAPI -----------------------------------------------------------------------------------------

APEX_IDENTIFIER = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$")


def _walk(node: Any, depth: int = 0) -> Any:
    yield node, depth
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1)


def test_openapi_document_is_3_0_with_apex_operation_ids_and_resolvable_refs() -> None:
    doc = build_openapi("https://contractloop.example.com")
    assert doc["openapi"].startswith("3.0.")
    operations = [op for path in doc["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == 6 == len(set(ids))
    assert all(APEX_IDENTIFIER.match(i) for i in ids), ids
    schemas = doc["components"]["schemas"]
    refs = {n["$ref"] for n, _ in _walk(doc) if isinstance(n, dict) and "$ref" in n}
    assert refs and all(r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] in schemas for r in refs)
    assert doc["components"]["securitySchemes"]["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_openapi_schemas_avoid_what_flow_cannot_take() -> None:
    doc = build_openapi("https://contractloop.example.com")
    nodes = [(n, d) for n, d in _walk(doc["components"]["schemas"]) if isinstance(n, dict)]
    types = {n.get("type") for n, _ in nodes if isinstance(n.get("type"), str)}
    assert "number" not in types  # no floats
    assert not any("const" in n for n, _ in nodes)
    assert not any(n.get("type") == "null" for n, _ in nodes)  # 3.1-style nulls lowered to `nullable`
    status = doc["components"]["schemas"]["RunStatus"]["properties"]
    assert status["risk_score"] == {"type": "integer", "nullable": True}
    assert max(d for _, d in _walk(doc["components"]["schemas"])) <= 15


def test_openapi_keeps_every_single_field_rule_the_routes_enforce() -> None:
    schemas = build_openapi("https://contractloop.example.com")["components"]["schemas"]
    approval, event = schemas["ApprovalSubmission"], schemas["OpportunityEvent"]
    assert approval["properties"]["decision"] == {"type": "string", "enum": ["approve", "edit", "reject"]}
    assert approval["additionalProperties"] is False and event["additionalProperties"] is False
    assert event["properties"]["opportunity_id"]["pattern"] == "^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$"
    assert event["properties"]["stage"]["minLength"] == 1 and event["properties"]["event_id"]["maxLength"] == 255
    assert set(event["required"]) == {"opportunity_id", "stage", "event_id"}


def test_openapi_document_is_served_with_the_callers_base_url(flow_app_client: TestClient,
                                                              flow_api_key: str) -> None:
    assert flow_app_client.get("/flow/openapi.json").status_code == 401
    response = flow_app_client.get("/flow/openapi.json", headers={"X-API-Key": flow_api_key})
    assert response.status_code == 200
    assert response.json()["servers"] == [{"url": "http://testserver"}]


# --- answers that are not the route's own ---------------------------------------------------------

def test_a_method_a_route_does_not_take_is_refused_with_the_allowed_ones(flow_app_client: TestClient,
                                                                        flow_api_key: str) -> None:
    answer = flow_app_client.get("/flow/opportunity-events", headers={"X-API-Key": flow_api_key})
    assert answer.status_code == 405 and answer.headers["allow"] == "POST"
    assert answer.json()["error"] == "method_not_allowed" and "POST" in answer.json()["detail"]
    answer = flow_app_client.delete(f"/flow/opportunities/{OPPORTUNITY}", headers={"X-API-Key": flow_api_key})
    assert answer.status_code == 405 and answer.headers["allow"] == "GET"


def test_salesforce_down_before_the_first_draft_answers_503_and_records_nothing(
        flow_app_client: TestClient, flow_api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from api import opportunity_events
    from tools.salesforce.errors import RecordNotFound, ServiceUnavailable

    def org_down(salesforce: Any, ironclad: Any) -> None:
        raise ServiceUnavailable(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")

    monkeypatch.setattr(opportunity_events, "default_salesforce", lambda: None)
    monkeypatch.setattr(opportunity_events, "default_ironclad", lambda: None)
    monkeypatch.setattr(opportunity_events, "check_live_mapping", org_down)
    for _ in range(2):  # sent again, it is still new: the first answer recorded nothing
        answer = flow_app_client.post("/flow/opportunity-events", json=EVENT, headers={"X-API-Key": flow_api_key})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5", answer.text
        assert answer.json()["error"] == "upstream_unavailable" and "SERVER_UNAVAILABLE" in answer.json()["detail"]

    def not_found(salesforce: Any, ironclad: Any) -> None:
        raise RecordNotFound(404, "NOT_FOUND", "no such describe")

    monkeypatch.setattr(opportunity_events, "check_live_mapping", not_found)
    answer = flow_app_client.post("/flow/opportunity-events", json=EVENT, headers={"X-API-Key": flow_api_key})
    assert answer.status_code == 502 and "retry-after" not in answer.headers
    assert answer.json()["error"] == "upstream_error"
