"""The Flow API end to end: `langgraph dev` serving the graph, the Salesforce and Ironclad sandboxes behind
it, and every request made over HTTP the way a Flow HTTP Callout makes it."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.server import FlowServer
from tools.ironclad import IroncladClient

pytestmark = pytest.mark.slow

LEGAL_THRESHOLD = 250_000  # playbook_store/rules/policy.yaml: at or above this, Legal must approve
SETTLED = {"awaiting_approval", "launched", "rejected", "failed"}


def _poll(http: httpx.Client, opportunity_id: str, done: Callable[[dict[str, Any]], bool],
          timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = http.get(f"/flow/opportunities/{opportunity_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        if done(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"run for {opportunity_id} did not settle in {timeout:.0f} s; last status: {body}")


def _event(opportunity_id: str, event_id: str | None = None) -> dict[str, str]:
    return {"opportunity_id": opportunity_id, "stage": "Contracting", "event_id": event_id or uuid.uuid4().hex}


def _contracting(flow_server: FlowServer) -> list[dict[str, Any]]:
    """Contracting opportunities of the seeded org, largest first."""
    sf = flow_server.stack.salesforce.client()
    return sf.query("SELECT Id, Amount FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC")[
        "records"]


def _workflow_count(flow_server: FlowServer) -> int:
    ironclad = flow_server.stack.ironclad
    with IroncladClient(ironclad.base_url, ironclad.client_id, ironclad.client_secret,
                        ironclad.user_email) as client:
        return sum(1 for _ in client.iter_workflows())


def test_callers_without_the_key_are_refused_on_flow_routes_and_on_the_langgraph_api(
        flow_server: FlowServer) -> None:
    with httpx.Client(base_url=flow_server.url, timeout=10) as anonymous:
        flow = anonymous.post("/flow/opportunity-events", json=_event("006000000000001AAA"))
        threads = anonymous.post("/threads", json={})
        wrong = anonymous.get("/flow/opportunities/006000000000001AAA", headers={"X-API-Key": "guess"})
    assert (flow.status_code, threads.status_code, wrong.status_code) == (401, 401, 401)


def test_a_malformed_event_is_refused_naming_the_field(flow_server: FlowServer) -> None:
    with flow_server.http() as http:
        response = http.post("/flow/opportunity-events", json={"opportunity_id": "006000000000001AAA",
                                                               "stage": "Contracting"})
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == ["event_id"]


def test_retried_and_repeated_events_reuse_one_run_and_launch_one_workflow(flow_server: FlowServer) -> None:
    opportunity = next(o for o in reversed(_contracting(flow_server)) if (o["Amount"] or 0) < LEGAL_THRESHOLD)
    before = _workflow_count(flow_server)
    event = _event(opportunity["Id"])
    with flow_server.http() as http:
        started = time.monotonic()
        first = http.post("/flow/opportunity-events", json=event)
        answered_in = time.monotonic() - started
        retry = http.post("/flow/opportunity-events", json=event)
        another = http.post("/flow/opportunity-events", json=_event(opportunity["Id"]))  # new event id, run open
        assert first.status_code == 202, first.text
        assert answered_in < 3.0
        assert (retry.status_code, another.status_code) == (200, 200)
        thread = first.json()["thread_id"]
        assert retry.json()["thread_id"] == another.json()["thread_id"] == thread
        assert retry.json()["duplicate"] and another.json()["duplicate"]
        assert retry.json()["correlation_id"] == first.json()["correlation_id"]

        status = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        if status["status"] == "awaiting_approval":
            approve = {"opportunity_id": opportunity["Id"], "decision": "approve", "reviewer": "deal desk"}
            assert http.post("/flow/approvals", json=approve).status_code == 202
            status = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED - {"awaiting_approval"})
        assert status["status"] == "launched", status
        late_retry = http.post("/flow/opportunity-events", json=event)
    assert late_retry.status_code == 200 and late_retry.json()["status"] == "launched"
    # One workflow per drafted document (the agreement, plus any addendum such as a DPA), launched once.
    assert _workflow_count(flow_server) == before + 1 + len(status["addendum_workflow_ids"])


def test_a_high_value_deal_waits_for_approval_then_launches_and_writes_back(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[0]
    assert opportunity["Amount"] >= LEGAL_THRESHOLD
    with flow_server.http() as http:
        accepted = http.post("/flow/opportunity-events", json={**_event(opportunity["Id"]), "requested_by": "amy"})
        assert accepted.status_code == 202, accepted.text
        waiting = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        assert waiting["status"] == "awaiting_approval", waiting
        approval = waiting["approval"]
        assert approval["approver_role"] == "legal"
        assert approval["allowed_decisions"] == ["approve", "edit", "reject"]
        assert approval["risk_summary"] and isinstance(approval["risk_score"], int)

        decided = http.post("/flow/approvals", json={"thread_id": accepted.json()["thread_id"],
                                                     "decision": "approve", "reviewer": "legal counsel",
                                                     "message": "within delegated authority"})
        assert decided.status_code == 202, decided.text
        again = http.post("/flow/approvals", json={"opportunity_id": opportunity["Id"], "decision": "approve",
                                                   "reviewer": "someone else"})
        assert again.status_code == 409

        done = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED - {"awaiting_approval"})
    assert done["status"] == "launched", done
    assert done["decided_by"] == "legal counsel"
    sf = flow_server.stack.salesforce.client()
    record = sf.Opportunity.get(opportunity["Id"])
    assert record["Ironclad_Workflow_Id__c"] == done["workflow_id"]
    assert record["Ironclad_Workflow_Link__c"] == done["workflow_link"]
    assert record["Ironclad_Status__c"] == done["workflow_status"]
    assert record["Contract_Risk_Summary__c"] and "Risk score" in record["Contract_Risk_Summary__c"]


def test_concurrent_deliveries_start_one_run_and_a_rejection_launches_nothing(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[1]
    before = _workflow_count(flow_server)
    event = _event(opportunity["Id"])

    def deliver(_: int) -> httpx.Response:
        with flow_server.http() as http:
            return http.post("/flow/opportunity-events", json=event)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(deliver, range(6)))
    assert sorted(r.status_code for r in responses) == [200] * 5 + [202]
    assert len({r.json()["thread_id"] for r in responses}) == 1

    with flow_server.http() as http:
        waiting = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        assert waiting["status"] == "awaiting_approval", waiting
        rejected = http.post("/flow/approvals", json={"opportunity_id": opportunity["Id"], "decision": "reject",
                                                      "reviewer": "legal counsel", "message": "no uncapped liability"})
        assert rejected.status_code == 202, rejected.text
        done = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED - {"awaiting_approval"})
    assert (done["status"], done["decision"], done["workflow_id"]) == ("rejected", "reject", None)
    assert _workflow_count(flow_server) == before


def test_a_run_that_crashed_is_redriven_by_the_retried_event(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[-2]
    salesforce = flow_server.stack.salesforce
    event = _event(opportunity["Id"])
    salesforce.inject("SERVER_UNAVAILABLE", count=50, path="/query")  # the org is down while the run reads
    try:
        with flow_server.http() as http:
            assert http.post("/flow/opportunity-events", json=event).status_code == 202
            crashed = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
    finally:
        salesforce.faults.clear()
    assert crashed["status"] == "failed", crashed
    assert "SERVER_UNAVAILABLE" in crashed["error"]  # the failing step's own error, not a masked one

    with flow_server.http() as http:
        retried = http.post("/flow/opportunity-events", json=event)
        assert retried.status_code == 202, retried.text
        assert (retried.json()["status"], retried.json()["duplicate"]) == ("retrying", True)
        assert retried.json()["thread_id"] == crashed["thread_id"]
        recovered = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
    assert recovered["status"] in {"awaiting_approval", "launched"}, recovered


def test_an_edit_from_a_flow_screen_is_reviewed_again_before_anything_launches(flow_server: FlowServer) -> None:
    opportunity = _contracting(flow_server)[2]
    assert opportunity["Amount"] >= LEGAL_THRESHOLD  # stays with Legal after the edit
    with flow_server.http() as http:
        assert http.post("/flow/opportunity-events", json=_event(opportunity["Id"])).status_code == 202
        first = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        assert first["status"] == "awaiting_approval", first
        before = json.loads(first["approval"]["attributes_json"])
        assert before["paymentTermsDays"] != 15
        edit = {"opportunity_id": opportunity["Id"], "decision": "edit", "reviewer": "legal counsel",
                "edited_attributes_json": '{"paymentTermsDays": 15}', "message": "net 15 for this customer"}
        assert http.post("/flow/approvals", json=edit).status_code == 202
        second = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED
                       and s["approval"] is not None and s["approval"]["attributes_json"] != first["approval"][
                           "attributes_json"])
    after = json.loads(second["approval"]["attributes_json"])
    assert after["paymentTermsDays"] == 15
    assert {k: v for k, v in after.items() if k != "paymentTermsDays"} == {
        k: v for k, v in before.items() if k != "paymentTermsDays"}
    assert "RISK-PAY-BEYOND-30" not in second["risk_summary"]
    assert second["workflow_id"] is None


def _workflows_for(flow_server: FlowServer, opportunity_id: str) -> list[Any]:
    from tools.ironclad.idempotent import opportunity_launch_key

    ironclad = flow_server.stack.ironclad
    with IroncladClient(ironclad.base_url, ironclad.client_id, ironclad.client_secret,
                        ironclad.user_email) as client:
        return [w for w in client.find_workflows_by_key(opportunity_launch_key(opportunity_id))
                if w.status != "cancelled"]


def _new_deal(flow_server: FlowServer, name: str, seats: int) -> dict[str, Any]:
    """A deal of its own, so that no other test's runs are on it: PLT-STD seats at 600 a year each."""
    from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal

    spec = DealSpec(account_name=f"{name} {uuid.uuid4().hex[:6]}", region="NA", deal_type="Expansion",
                    governing_law="State of New York", lines=[LineSpec(product_code="PLT-STD", quantity=seats)])
    opportunity_id = create_deal(flow_server.stack.salesforce.store, spec)
    return {"Id": opportunity_id, "Amount": seats * 600}


def test_a_failed_write_back_and_new_events_never_launch_a_second_workflow(flow_server: FlowServer) -> None:
    opportunity = _new_deal(flow_server, "Row Lock Logistics", seats=10)
    salesforce = flow_server.stack.salesforce
    first = _event(opportunity["Id"])
    salesforce.inject("UNABLE_TO_LOCK_ROW", count=1000, path="/composite")  # the write-back can never land
    try:
        with flow_server.http() as http:
            assert http.post("/flow/opportunity-events", json=first).status_code == 202
            failed = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED, timeout=90)
    finally:
        salesforce.faults.clear()
    assert failed["status"] == "failed" and "UNABLE_TO_LOCK_ROW" in failed["error"], failed
    assert len(_workflows_for(flow_server, opportunity["Id"])) == 1  # launched before the write-back failed
    assert not salesforce.client().Opportunity.get(opportunity["Id"])["Ironclad_Workflow_Id__c"]

    with flow_server.http() as http:
        # The Flow fires again with a new event id: the same run finishes what it started.
        second = http.post("/flow/opportunity-events", json=_event(opportunity["Id"]))
        assert second.status_code == 202 and second.json()["thread_id"] == failed["thread_id"], second.text
        done = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        assert done["status"] == "launched" and done["workflow_id"], done
        # The first event sent again answers with the run of record; it re-drives nothing.
        old = http.post("/flow/opportunity-events", json=first)
        assert (old.status_code, old.json()["status"], old.json()["duplicate"]) == (200, "launched", True)
        # Salesforce loses the workflow id (a bad import, a person); a later event adopts the live workflow.
        salesforce.client().Opportunity.update(opportunity["Id"], {"Ironclad_Workflow_Id__c": None})
        later = http.post("/flow/opportunity-events", json=_event(opportunity["Id"]))
        assert later.status_code == 202
        adopted = _poll(http, opportunity["Id"],
                        lambda s: s["thread_id"] == later.json()["thread_id"] and s["status"] in SETTLED)
    assert adopted["status"] == "launched" and adopted["workflow_id"] == done["workflow_id"], adopted
    assert [w.id for w in _workflows_for(flow_server, opportunity["Id"])] == [done["workflow_id"]]
    assert salesforce.client().Opportunity.get(opportunity["Id"])["Ironclad_Workflow_Id__c"] == done["workflow_id"]


def test_a_deal_with_a_live_workflow_is_not_sent_to_legal_again(flow_server: FlowServer) -> None:
    opportunity = _new_deal(flow_server, "Second Look Holdings", seats=500)
    assert opportunity["Amount"] >= LEGAL_THRESHOLD
    with flow_server.http() as http:
        assert http.post("/flow/opportunity-events", json=_event(opportunity["Id"])).status_code == 202
        waiting = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
        assert waiting["status"] == "awaiting_approval", waiting
        approve = {"opportunity_id": opportunity["Id"], "decision": "approve", "reviewer": "legal counsel"}
        assert http.post("/flow/approvals", json=approve).status_code == 202
        launched = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED - {"awaiting_approval"})
        assert launched["status"] == "launched", launched
        again = http.post("/flow/opportunity-events", json=_event(opportunity["Id"]))  # stage moved back and forth
        status = _poll(http, opportunity["Id"],
                       lambda s: s["thread_id"] == again.json()["thread_id"] and s["status"] in SETTLED)
    assert (status["status"], status["workflow_id"], status["approval"]) == ("launched", launched["workflow_id"], None)
    assert len(_workflows_for(flow_server, opportunity["Id"])) == 1


def test_a_malformed_resume_through_the_langgraph_api_is_refused_and_the_run_keeps_waiting(
        flow_server: FlowServer) -> None:
    import asyncio

    from langgraph_sdk import get_client

    opportunity = _new_deal(flow_server, "Malformed Resume Mills", seats=500)
    with flow_server.http() as http:
        assert http.post("/flow/opportunity-events", json=_event(opportunity["Id"])).status_code == 202
        waiting = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED)
    assert waiting["status"] == "awaiting_approval", waiting

    async def resume(value: Any) -> int:
        client = get_client(url=flow_server.url, api_key=flow_server.api_key)
        try:
            await client.runs.create(waiting["thread_id"], "contractloop", command={"resume": value})
        except httpx.HTTPStatusError as exc:
            return exc.response.status_code
        return 200

    for bad in ({"decisions": [{"type": "maybe"}], "reviewer": "x"}, "approve", {"decisions": []},
                {"decisions": [{"type": "reject"}], "reviewer": "legal"}):  # a rejection needs its reason
        assert asyncio.run(resume(bad)) == 422, bad
    with flow_server.http() as http:
        still = http.get(f"/flow/opportunities/{opportunity['Id']}").json()
        assert still["status"] == "awaiting_approval" and still["approval"], still
        good = {"decisions": [{"type": "approve"}], "reviewer": "legal counsel"}
        assert asyncio.run(resume(good)) == 200
        done = _poll(http, opportunity["Id"], lambda s: s["status"] in SETTLED - {"awaiting_approval"})
    assert done["status"] == "launched" and done["decided_by"] == "legal counsel", done


def test_a_file_on_an_opportunity_is_reviewed_once_however_often_the_flow_calls(flow_server: FlowServer) -> None:
    sf = flow_server.stack.salesforce.client()
    opportunity = _contracting(flow_server)[-1]["Id"]
    paper = (Path(__file__).parent / "data" / "inbound" / "vendor_agreement.txt").read_bytes()
    created = sf.ContentVersion.create({"Title": "Their MSA", "PathOnClient": "their-msa.txt",
                                        "FirstPublishLocationId": opportunity,
                                        "VersionData": base64.b64encode(paper).decode()})
    document = sf.query(f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = '{created['id']}'")[
        "records"][0]["ContentDocumentId"]
    body = {"opportunity_id": opportunity, "content_document_id": document, "event_id": "attach-1"}
    with flow_server.http() as http:
        first = http.post("/flow/document-reviews", json=body)
        retry = http.post("/flow/document-reviews", json=body)
        assert first.status_code == 202, first.text
        assert retry.status_code == 200 and retry.json()["duplicate"]
        thread = first.json()["thread_id"]
        assert retry.json()["thread_id"] == thread
        deadline = time.monotonic() + 60
        while (status := http.get(f"/flow/threads/{thread}").json())["status"] not in SETTLED | {"completed"}:
            assert time.monotonic() < deadline, status
            time.sleep(0.3)
        assert status["status"] == "completed", status
        late = http.post("/flow/document-reviews", json=body)
    assert late.status_code == 200 and late.json()["status"] == "completed"
    reviews = sf.query("SELECT Route__c, Risk_Score__c FROM Contract_Review__c "
                       f"WHERE Opportunity__c = '{opportunity}'")["records"]
    assert [(r["Route__c"], r["Risk_Score__c"]) for r in reviews] == [("Legal", 100)]


def test_a_question_from_the_record_is_answered_on_its_own_thread_and_followed_up(flow_server: FlowServer) -> None:
    """Asked as a Lightning component or Flow would: the answer comes back in the response, from a graph run
    on the conversation's thread (so the follow-up, with no record and no name, reads the same contract)."""
    from api.graph_questions import question_thread_id
    from qa import ContractStore, IndexedContract
    from tests.test_qa_graph import TEXT

    sf = flow_server.stack.salesforce.client()

    def user(email: str) -> str:
        return str(sf.query(f"SELECT Id FROM User WHERE Email = '{email}'")["records"][0]["Id"])

    ethan, amara = user("ethan.dubois@contractloop.sandbox"), user("amara.haddad@contractloop.sandbox")
    shared = {r["OpportunityId"] for r in sf.query("SELECT OpportunityId FROM OpportunityShare")["records"]}
    shared_accounts = {r["AccountId"] for r in sf.query("SELECT AccountId FROM AccountShare")["records"]}
    deal = next(r for r in sf.query(f"SELECT Id, AccountId FROM Opportunity WHERE OwnerId = '{ethan}' "
                                    "ORDER BY Id")["records"]
                if r["Id"] not in shared and r["AccountId"] not in shared_accounts)
    ContractStore.open(flow_server.data_dir / "contracts.sqlite").upsert(IndexedContract(
        doc="wf-apollo-server", text=TEXT, name="Apollo Endosurgery", account_id=deal["AccountId"],
        opportunity_id=deal["Id"]))
    asked = {"question": "Which law governs this contract?", "asked_by": ethan, "record_id": deal["Id"],
             "conversation_id": "lwc-1"}
    with flow_server.http() as http:
        first = http.post("/flow/contract-questions", json=asked)
        follow_up = http.post("/flow/contract-questions", json={"question": "And what insurance is required?",
                                                                "asked_by": ethan, "conversation_id": "lwc-1"})
        peer = http.post("/flow/contract-questions", json={**asked, "asked_by": amara})
        thread = http.get(f"/flow/threads/{question_thread_id('lwc-1', ethan)}")
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["found"] and answer["contract_key"] == "wf-apollo-server" and answer["category"] == "Governing Law"
    assert any("State of Texas" in q for q in answer["quotes"]) and all(q in TEXT for q in answer["quotes"])
    assert follow_up.json()["contract_key"] == "wf-apollo-server" and follow_up.json()["category"] == "Insurance"
    assert peer.json()["outcome"] == "no_contract_visible" and not peer.json()["quotes"]
    assert thread.status_code == 200 and thread.json()["status"] == "completed", thread.text
