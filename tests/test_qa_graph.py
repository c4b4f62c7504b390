"""The Q&A specialist in the graph (issue 13): one thread per conversation and asker, follow-ups from the
checkpoint, escalation once, and the model's answer checked against its own quotes (scripted models and the
real ChatOpenAI wire path through the local stub)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents.qa.answer_support import support_problems
from agents.qa.escalation import escalation_key
from agents.qa.store import passages_path
from core.settings import settings_from
from evals.shared_data import require_shared
from graphs.supervisor import build_graph
from playbook_store.embeddings import MiniLMInt8Embeddings
from qa import ContractStore, IndexedContract
from qa.dense_passages import DensePassages
from runtime.context import Context
from runtime.state import RunState, Task
from sandbox.salesforce.server import SalesforceSandbox
from tests.support.scripted_model import call, scripted
from tools.salesforce import SalesforceClient

TEXT = (require_shared("data", "cuad") / "dev100" / "texts" / "cuad439.txt").read_text(encoding="utf-8")
INSURANCE = ("ESTABLISHMENT, at its sole cost and expense, will maintain appropriate insurance including, but not "
             "limited to, Commercial General Liability Insurance")
LIMITS = "with limits of not less than $1,000,000 per occurrence"


def _user(sf_sandbox: SalesforceSandbox, email: str) -> str:
    return sf_sandbox.store.query(f"SELECT Id FROM User WHERE Email = '{email}'").records[0]["Id"]


@pytest.fixture
def asking(sf_sandbox: SalesforceSandbox, tmp_path: Path) -> dict[str, Any]:
    """Apollo Endosurgery's contract on a deal Ethan owns and no share opens to others, in a store on disk."""
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    shared = {r["OpportunityId"] for r in sf_sandbox.store.query("SELECT OpportunityId FROM OpportunityShare").records}
    shared_accounts = {r["AccountId"] for r in sf_sandbox.store.query("SELECT AccountId FROM AccountShare").records}
    deal = next(r for r in sf_sandbox.store.query(f"SELECT Id, AccountId FROM Opportunity WHERE OwnerId = '{ethan}' "
                                                  "ORDER BY Id").records
                if r["Id"] not in shared and r["AccountId"] not in shared_accounts)
    path = tmp_path / "contracts.sqlite"
    ContractStore.open(path).upsert(IndexedContract(doc="wf-apollo", text=TEXT, name="Apollo Endosurgery",
                                                    account_id=deal["AccountId"], opportunity_id=deal["Id"]))
    sf_sandbox.faults.clear()
    client = SalesforceClient.from_settings(settings_from(sf_sandbox.env()))
    return {"ethan": ethan, "amara": _user(sf_sandbox, "amara.haddad@contractloop.sandbox"), "deal": deal["Id"],
            "salesforce": client, "store": str(path)}


def _ask(graph: Any, context: Context, conversation: str, asker: str, question: str | None = None,
         escalate: bool = False) -> RunState:
    task = Task(kind="answer_question", event_id=uuid.uuid4().hex, question=question, asked_by=asker,
                conversation_id=conversation, escalate=escalate)
    thread = {"configurable": {"thread_id": f"{conversation}/{asker}"}}
    values = graph.invoke({"task": task, "status": "received", "error": None}, thread, context=context)
    return RunState.model_validate(values)


def test_a_conversation_is_a_thread_whose_follow_ups_read_the_same_contract(asking: dict[str, Any]) -> None:
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], offline=True)
    first = _ask(graph, context, "slack:T1:C1:1.0", asking["ethan"],
                 "Which law governs the Apollo Endosurgery agreement?")
    assert first.status == "completed" and first.qa is not None
    assert first.qa.answer.found and first.qa.answer.category == "Governing Law"
    assert any("State of Texas" in c.quote for c in first.qa.answer.citations)
    follow_up = _ask(graph, context, "slack:T1:C1:1.0", asking["ethan"], "And what insurance is required?")
    assert follow_up.qa is not None and follow_up.qa.answer.contract is not None
    assert follow_up.qa.answer.contract.doc == "wf-apollo" and follow_up.qa.answer.category == "Insurance"
    assert any("qa: answered from Apollo Endosurgery" in line for line in follow_up.log)
    # the same words from a peer who cannot read the deal, in the same Slack thread: a thread of their own
    peer = _ask(graph, context, "slack:T1:C1:1.0", asking["amara"], "And what insurance is required?")
    assert peer.qa is not None and peer.qa.answer.outcome == "no_contract_visible" and not peer.qa.answer.citations
    # hybrid retrieval (the default): the reranked passages' embeddings are kept on disk beside the store
    kept = DensePassages.open(passages_path(Path(asking["store"])), MiniLMInt8Embeddings())
    assert kept.count() > 0


def test_escalating_the_threads_question_writes_one_legal_task(asking: dict[str, Any],
                                                               sf_sandbox: SalesforceSandbox) -> None:
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], offline=True)
    nothing = _ask(graph, context, "rec-never", asking["ethan"], escalate=True)
    assert nothing.status == "failed" and "nothing was asked" in (nothing.error or "")
    question = "What happens to the contract with Apollo Endosurgery on a change of control?"
    asked = _ask(graph, context, "rec-1", asking["ethan"], question)
    assert asked.qa is not None and asked.qa.answer.outcome == "not_in_contract"
    first = _ask(graph, context, "rec-1", asking["ethan"], escalate=True)
    again = _ask(graph, context, "rec-1", asking["ethan"], escalate=True)  # a double click
    assert first.qa and again.qa and first.qa.answer.escalation_task_id == again.qa.answer.escalation_task_id
    tasks = sf_sandbox.store.query("SELECT Id, WhatId, Description FROM Task WHERE "
                                   f"Contractloop_Key__c = '{escalation_key('rec-1', question)}'").records
    assert len(tasks) == 1 and tasks[0]["WhatId"] == asking["deal"] and question in tasks[0]["Description"]


def _submit(addressed: bool, answer: str, quotes: list[str]) -> Any:
    return call("SubmitContractAnswer", {"addressed": addressed, "answer": answer, "quotes": quotes})


def test_a_model_answer_is_kept_only_with_quotes_that_support_it(asking: dict[str, Any]) -> None:
    graph = build_graph(checkpointer=InMemorySaver())
    question = "What insurance must the supplier carry under the Apollo Endosurgery contract?"
    supported = scripted(_submit(True, "Commercial General Liability Insurance, with limits of not less than "
                                       "$1,000,000 per occurrence.", [f"{INSURANCE}  with premises", LIMITS]))
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], model=supported)
    kept = _ask(graph, context, "m-1", asking["ethan"], question)
    assert kept.qa is not None and kept.qa.answer.engine == "model"
    assert kept.qa.answer.answer and kept.qa.answer.answer.startswith("Commercial General Liability")
    for citation in kept.qa.answer.citations:  # located (line breaks may differ), cited at the document's text
        assert TEXT[citation.start:citation.end] == citation.quote
    # an answer whose figure no quote has, twice (after the correction): refused, the extractive answer stands
    inflated = _submit(True, "Liability insurance with limits of $5,000,000.", [INSURANCE])
    refused_model = scripted(inflated, inflated)
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], model=refused_model)
    refused = _ask(graph, context, "m-2", asking["ethan"], question)
    assert refused.qa is not None and refused.qa.answer.engine == "offline" and refused.qa.answer.found
    assert "5,000,000" not in (refused.qa.answer.answer or "")
    assert any("numbers no quote has: 5,000,000" in n for n in refused.qa.model_notes), refused.qa.model_notes
    # a quote the contract does not have
    invented = _submit(True, "Insurance is required.", ["The Supplier shall insure the moon."])
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"],
                      model=scripted(invented, invented))
    made_up = _ask(graph, context, "m-3", asking["ethan"], question)
    assert made_up.qa is not None and made_up.qa.answer.engine == "offline"
    assert any("not in the contract" in n for n in made_up.qa.model_notes)


def test_a_model_never_sees_a_contract_the_asker_cannot(asking: dict[str, Any]) -> None:
    graph = build_graph(checkpointer=InMemorySaver())
    model = scripted()  # any call would raise: the script is empty
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], model=model)
    peer = _ask(graph, context, "m-4", asking["amara"], "Which law governs the Apollo Endosurgery agreement?")
    assert peer.qa is not None and peer.qa.answer.outcome == "no_contract_visible" and not peer.qa.model_notes


def test_the_real_chat_openai_wire_path_answers_with_checked_quotes(asking: dict[str, Any], openai_stub: Any,
                                                                    stub_chat_model: Any) -> None:
    from tests.support.openai_stub import tool_call

    openai_stub.script(tool_call("search_contract", {"query": "governing law"}),
                       tool_call("SubmitContractAnswer", {
                           "addressed": True, "answer": "Texas law governs it; disputes go to courts in Austin, Texas.",
                           "quotes": ["this Agreement shall be governed by and construed in accordance with the laws "
                                      "of the State of Texas", "court of competent jurisdiction in Austin, Texas"]}))
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(salesforce=asking["salesforce"], contract_store_path=asking["store"], model=stub_chat_model)
    state = _ask(graph, context, "m-5", asking["ethan"], "Which law governs the Apollo Endosurgery agreement?")
    assert state.qa is not None and state.qa.answer.engine == "model"
    assert [c.quote[:25] for c in state.qa.answer.citations] == ["this Agreement shall be g", "court of competent jurisd"]
    assert len(openai_stub.requests) == 2
    first_prompt = str(openai_stub.requests[0]["messages"])
    assert "Which law governs" in first_prompt and "State of Texas" in first_prompt  # the ranked passages
    assert {t["function"]["name"] for t in openai_stub.requests[0]["tools"]} >= {"search_contract",
                                                                                 "SubmitContractAnswer"}


@pytest.mark.parametrize(("answer", "quotes", "problem"), [
    ("Net 45 days.", ["payable net forty-five (45) days from invoice"], None),
    ("Net thirty days.", ["payable net forty-five (45) days from invoice"], "numbers"),
    ("The term ends in March.", ["The term ends on 31 May 2027."], "months"),
    ("There is no cap on liability.", ["Liability is capped at the fees paid."], "denies"),
    ("Customer may freely sublicense, resell and distribute worldwide.", ["Customer may use the Service."], "words"),
])
def test_support_catches_what_a_paraphrase_gets_wrong(answer: str, quotes: list[str], problem: str | None) -> None:
    problems = support_problems(answer, quotes, "What are the terms?")
    assert (problems == []) if problem is None else any(problem in p for p in problems), problems


NAMED = "Operational questions under this Agreement go to Marisol Quenby, who coordinates supply for ESTABLISHMENT."


def test_the_contracts_people_as_salesforce_holds_them_never_reach_the_model(
        asking: dict[str, Any], sf_sandbox: SalesforceSandbox, tmp_path: Path, openai_stub: Any,
        stub_chat_model: Any) -> None:
    """A name in plain prose (no cue the detector knows) is tokenised because it is a Contact of the contract's
    Account; the model quotes the token and the answer reads the real name."""
    from tests.support.openai_stub import tool_call

    account = sf_sandbox.store.query(f"SELECT AccountId FROM Opportunity WHERE Id = '{asking['deal']}'").records[0]
    asking["salesforce"].sf.Contact.create({"FirstName": "Marisol", "LastName": "Quenby",
                                            "Email": "m.quenby@apollo-endo.example",
                                            "AccountId": account["AccountId"]})
    path = tmp_path / "named.sqlite"
    ContractStore.open(path).upsert(IndexedContract(doc="wf-apollo", text=TEXT + "\n\n" + NAMED,
                                                    name="Apollo Endosurgery", account_id=account["AccountId"],
                                                    opportunity_id=asking["deal"]))

    def submit(body: dict[str, Any]) -> dict[str, Any]:
        token = re.search(r"⟦PERSON_\d+⟧", json.dumps(body["messages"], ensure_ascii=False))
        assert token, "the name reached the model untokenised or not at all"
        return tool_call("SubmitContractAnswer", {
            "addressed": True, "answer": f"They go to {token.group(0)}.",
            "quotes": [f"Operational questions under this Agreement go to {token.group(0)}"]})

    openai_stub.script(tool_call("search_contract", {"query": "operational questions coordinates supply"}), submit)
    graph = build_graph(checkpointer=InMemorySaver())
    context = Context(salesforce=asking["salesforce"], contract_store_path=str(path), model=stub_chat_model)
    state = _ask(graph, context, "m-pii", asking["ethan"],
                 "Who do operational questions go to under the Apollo Endosurgery agreement?")
    sent = json.dumps(openai_stub.requests, ensure_ascii=False)
    assert "Quenby" not in sent and "Marisol" not in sent
    assert state.qa is not None and state.qa.answer.engine == "model"
    assert state.qa.answer.answer == "They go to Marisol Quenby."
    assert "Marisol Quenby" in state.qa.answer.citations[0].quote
