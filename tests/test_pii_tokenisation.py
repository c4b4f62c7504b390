"""Personal data never reaches a model: detected, sent as reversible tokens, restored in the answer.

Unit cases for the detector and the vault, then the real ChatOpenAI wire path against the local stub: the
drafter and the risk reviewer on a deal whose special terms and contacts carry a name, phone, email and address;
the extractor on a signed contract whose party and signatory are a person; embeddings requests. Each compares
what the stub received with the seeded values, and the result with the same run untokenised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from core.settings import get_settings
from runtime import context as services
from runtime.context import Context
from runtime.model_tags import TOKENISED_CALL_TAG
from sandbox.salesforce.deals import ContactSpec, DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tests.support.openai_stub import OpenAIStub, tool_call
from tools.pii.chat import TokenisingChatModel
from tools.pii.detector import KnownValue, detect
from tools.pii.known_values import known_values_of_workflow
from tools.pii.vault import TOKEN, Vault

NAME, PHONE, EMAIL = "Priya Raman", "+1 (415) 555-0132", "priya.raman@northwind.example"
ADDRESS = "1200 Harbor Boulevard, Suite 400, Oakland, CA 94607"
CONTACT = ContactSpec(first_name="Marta", last_name="Oliveira", title="General Counsel", role="Economic Buyer",
                      primary=True, email="marta.oliveira@northwind.example")
SPECIAL = (f"Customer requests a liability cap of 2x annual fees. Send notices to Attn: {NAME}, {EMAIL}, "
           f"{PHONE}, {ADDRESS}. Marta Oliveira signs for the customer.")
SEEDED = [NAME, "Raman", PHONE, "555-0132", EMAIL, "1200 Harbor Boulevard", "Marta Oliveira", "Oliveira",
          CONTACT.email]


def _kinds(text: str, **kwargs: Any) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in detect(text, **kwargs)]


# --- the detector -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Attn: Priya Raman, Head of Legal", [("person", "Priya Raman")]),
    ("By: /s/ Jonathan K. Ellis\nName: Jonathan K. Ellis\nTitle: CFO",
     [("person", "Jonathan K. Ellis"), ("person", "Jonathan K. Ellis")]),
    ("Dear Ms. Oliveira, thank you.", [("person", "Oliveira")]),
    ("Signed by Dr. Hans Müller today.", [("person", "Hans Müller")]),
    ("write to jane.doe@acme.example or Jane Doe herself",
     [("email", "jane.doe@acme.example"), ("person", "Jane Doe")]),
    ("Call +44 20 7946 0958 or (415) 555-0132 or 415.555.0199.",
     [("phone", "+44 20 7946 0958"), ("phone", "(415) 555-0132"), ("phone", "415.555.0199")]),
    ("Deliver to 12 Baker Street, London NW1 6XE, UK.", [("address", "12 Baker Street, London NW1 6XE, UK")]),
    ("Notices: 1200 Harbor Boulevard, Suite 400, Oakland, CA 94607.", [("address", ADDRESS)]),
])
def test_detector_finds_each_kind(text: str, expected: list[tuple[str, str]]) -> None:
    assert _kinds(text) == expected


def test_dates_sections_amounts_and_parties_are_not_personal_data() -> None:
    text = ("This Master Services Agreement is effective 2024-01-15 between Acme Widgets, Inc. and the Customer. "
            "Section 12.3.4 caps liability at $1,250,000.00 for 30 days; see Exhibit B. The Effective Date is "
            "June 1, 2020. Governed by the laws of the State of New York.")
    assert _kinds(text) == []
    assert _kinds(text, amounts=True) == [("amount", "$1,250,000.00")]


def test_registry_patent_and_account_numbers_are_not_phones_but_written_or_named_phones_are() -> None:
    """CUAD's schedules are full of digit runs a phone matcher accepts (386 on 60 contracts before this rule)."""
    not_phones = ("AU Granted 2014274549 10-Apr-13; EP 12751639.1 26-Jul-12; PCT/US2014/012153; US 15776637 "
                  "16-May-18; the Collection Account with account number 272062000; routing number 052001633.")
    assert [k for k in _kinds(not_phones) if k[0] == "phone"] == []
    phones = ("Telephone: 908-559-5870. Tel. No.: (816) 994-3200. Facsimile: +86 10 8260 7166. Call Dana on "
              "2125550123. Tel: 02-26582502.")
    assert [v for k, v in _kinds(phones) if k == "phone"] == [
        "908-559-5870", "(816) 994-3200", "+86 10 8260 7166", "2125550123", "02-26582502"]


def test_known_values_are_found_as_written_and_single_words_only_capitalised() -> None:
    known = [KnownValue(kind="person", value="Will Grant"), KnownValue(kind="person", value="Grant")]
    text = "WILL GRANT approved; Grant will grant the licence."
    assert _kinds(text, known=known) == [("person", "WILL GRANT"), ("person", "Grant")]


# --- the vault --------------------------------------------------------------------------------------------------

def test_vault_round_trip_is_exact_and_tokens_are_stable() -> None:
    vault = Vault(known=[KnownValue(kind="person", value="Marta Oliveira")])
    text = SPECIAL + " Marta Oliveira again."
    tokenised = vault.tokenise(text)
    assert not any(value in tokenised for value in SEEDED)
    assert vault.restore(tokenised) == text
    assert tokenised.count("⟦PERSON_2⟧") == 2  # the same person, the same token
    assert vault.tokenise(f"{NAME} called") == "⟦PERSON_1⟧ called"  # and in the next message too
    assert vault.restore("⟦PERSON_9⟧ stays") == "⟦PERSON_9⟧ stays"  # never issued: left as written


def test_json_tool_results_are_walked_so_escapes_hide_nothing() -> None:
    vault = Vault(amounts=True)
    result = json.dumps({"special_terms": "Attn: José García, jose@example.org", "amount": "120000.00",
                         "unit_price": 99.5, "stage": "Contracting"})
    assert "Jos\\u00e9" in result  # json.dumps escapes it: a pattern would not see the name
    sent = json.loads(vault.tokenise_json_text(result))
    assert sent == {"special_terms": "Attn: ⟦PERSON_1⟧, ⟦EMAIL_1⟧", "amount": "⟦AMOUNT_1⟧",
                    "unit_price": "⟦AMOUNT_2⟧", "stage": "Contracting"}
    assert vault.restore(sent["special_terms"]) == "Attn: José García, jose@example.org"
    assert json.loads(Vault().tokenise_json_text(result))["amount"] == "120000.00"  # amounts off: kept


# --- the wrapper over the wire ----------------------------------------------------------------------------------

class Contact(BaseModel):
    """Who to write to."""

    name: str
    email: str


def _token(body: dict[str, Any], kind: str) -> str:
    found = re.search(rf"⟦{kind}_\d+⟧", json.dumps(body["messages"], ensure_ascii=False))
    assert found, body["messages"]
    return found.group(0)


def test_wrapper_tokenises_every_message_and_restores_tool_arguments(openai_stub: OpenAIStub,
                                                                    stub_chat_model) -> None:
    openai_stub.script(lambda body: tool_call("Contact", {"name": _token(body, "PERSON"),
                                                          "email": _token(body, "EMAIL")}))
    model = TokenisingChatModel(inner=stub_chat_model, vault=Vault(), call_tags=[TOKENISED_CALL_TAG])
    history = [
        SystemMessage("Answer with the contact."),
        HumanMessage(SPECIAL),
        AIMessage("", tool_calls=[{"name": "lookup", "args": {"q": NAME}, "id": "c1", "type": "tool_call"}]),
        ToolMessage(json.dumps({"phone": PHONE, "address": ADDRESS}), tool_call_id="c1"),
    ]
    answer = model.with_structured_output(Contact).invoke(history)
    assert answer == Contact(name=NAME, email=EMAIL)
    sent = json.dumps(openai_stub.requests, ensure_ascii=False)
    assert not [value for value in SEEDED[:6] if value in sent]


def test_inner_call_carries_the_tokenised_tag_and_the_wrapper_run_does_not(openai_stub: OpenAIStub,
                                                                          stub_chat_model) -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    class Seen(BaseCallbackHandler):
        def __init__(self) -> None:
            self.runs: list[tuple[list[str], str]] = []

        def on_chat_model_start(self, serialized: Any, messages: Any, *, tags: Any = None, **kw: Any) -> None:
            self.runs.append((list(tags or []), json.dumps([[m.content for m in ms] for ms in messages], ensure_ascii=False)))

    openai_stub.script({"content": "ok"})
    seen = Seen()
    model = TokenisingChatModel(inner=stub_chat_model, vault=Vault(), call_tags=[TOKENISED_CALL_TAG])
    model.invoke([HumanMessage(f"Phone {NAME} at {PHONE}")], config={"callbacks": [seen]})
    [tagged] = [text for tags, text in seen.runs if TOKENISED_CALL_TAG in tags]
    assert NAME not in tagged and "⟦PERSON_1⟧" in tagged
    assert len(seen.runs) == 2


# --- the drafter and risk reviewer through the graph ------------------------------------------------------------

@pytest.fixture
def untokenised(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONTRACTLOOP_TOKENISE_PERSONAL_DATA", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _submit_first_retrieved(body: dict[str, Any]) -> dict[str, Any]:
    hits = json.loads(next(m["content"] for m in reversed(body["messages"]) if m["role"] == "tool"))
    return tool_call("SubmitClauses", {"clauses": [{
        "clause_id": hits[0]["clause_id"], "request": "liability cap of 2x annual fees",
        "text": "Each party's aggregate liability shall not exceed two times the annual fees."}]})


def _note_naming_the_addressee(body: dict[str, Any]) -> dict[str, Any]:
    """A model that refers to the person notices go to, as it saw them (a token, or the name untokenised)."""
    prompt = json.dumps(body["messages"], ensure_ascii=False)
    found = re.search(r"Attn: (⟦PERSON_\d+⟧|[A-Z][a-z]+ [A-Z][a-z]+)", prompt)
    assert found, prompt[:2000]
    return tool_call("SubmitReview", {"note": f"Cap raised to 2x; notices go to {found.group(1)}."})


def _draft_through_the_stub(loop: Loop, stub: OpenAIStub, model: Any, account: str) -> dict[str, Any]:
    opp_id = loop.deal(DealSpec(account_name=account, region="NA", special_terms=SPECIAL, contacts=[CONTACT],
                                lines=[LineSpec(product_code="PLT-STD", quantity=20)]))
    stub.requests.clear()
    stub.script(tool_call("search_playbook", {"query": "liability cap of two times annual fees"}),
                _submit_first_retrieved, tool_call("assess_deal_risk", {}), _note_naming_the_addressee)
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"pii-{opp_id}"}}, context=ctx)
    return {"result": result, "requests": json.dumps(stub.requests, ensure_ascii=False)}


def _outcome(result: dict[str, Any]) -> dict[str, Any]:
    draft, review = result["draft"], result["review"]
    return {"engine": draft.engine,
            "clauses": [(c.clause_id, c.text, c.request) for c in draft.drafted_clauses],
            "negotiated": draft.primary.launch_attributes()["negotiatedClauses"],
            "route": review.approval.route, "findings": sorted(f.rule_id for f in review.assessment.findings),
            "narrative": review.narrative}


def test_drafter_and_reviewer_send_no_personal_value_and_decide_the_same(loop: Loop, openai_stub: OpenAIStub,
                                                                         stub_chat_model,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    tokenised = _draft_through_the_stub(loop, openai_stub, stub_chat_model, "Northwind Tokenised")
    assert len(openai_stub.requests) == 4
    reached = [value for value in SEEDED if value in tokenised["requests"]]
    assert reached == [], reached
    assert "⟦PERSON_" in tokenised["requests"] and "⟦PHONE_1⟧" in tokenised["requests"]

    monkeypatch.setenv("CONTRACTLOOP_TOKENISE_PERSONAL_DATA", "false")
    get_settings.cache_clear()
    try:
        plain = _draft_through_the_stub(loop, openai_stub, stub_chat_model, "Northwind Plain")
    finally:
        monkeypatch.delenv("CONTRACTLOOP_TOKENISE_PERSONAL_DATA")
        get_settings.cache_clear()
    assert NAME in plain["requests"] and PHONE in plain["requests"]  # the comparison run did send them

    expected = _outcome(plain["result"])
    assert _outcome(tokenised["result"]) == expected
    assert expected["engine"] == "model" and expected["narrative"].endswith(f"notices go to {NAME}.")


# --- the extractor ----------------------------------------------------------------------------------------------

SIGNED = f"""CONSULTING AGREEMENT

This Consulting Agreement (the "Agreement") is entered into as of March 3, 2021 by and between Harbor Analytics
Corp. ("Company") and {NAME}, an individual ("Consultant").

1. Term. This Agreement shall continue for a period of one (1) year.

2. Notices. Notices to Consultant go to {ADDRESS}, {EMAIL}, telephone {PHONE}.

3. Governing Law. This Agreement is governed by the laws of the State of California.

IN WITNESS WHEREOF the parties have signed this Agreement.

HARBOR ANALYTICS CORP.                         CONSULTANT
By: /s/ Marta Oliveira                         By: /s/ {NAME}
Name: Marta Oliveira                           Name: {NAME}
Title: General Counsel
Email: {CONTACT.email}
""" + "\n".join(f"{n}. Miscellaneous. Clause {n} of the boilerplate says nothing about the term." for n in range(4, 40))


def _report_parties(body: dict[str, Any]) -> dict[str, Any]:
    prompt = "\n".join(m["content"] or "" for m in body["messages"] if isinstance(m.get("content"), str))
    found = re.search(r"and (\S+ \S+|⟦PERSON_\d+⟧), an individual", prompt)
    assert found, prompt[:3000]
    consultant = found.group(1)
    empty = {name: None for name in [
        "agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term", "automatic_renewal",
        "notice_period_to_terminate_renewal", "liability_cap", "termination_for_convenience",
        "payment_terms_net_days"]}
    return tool_call("ReportTerms", {**empty, "parties": [
        {"name": "Harbor Analytics Corp.", "role": "Company",
         "quote": 'by and between Harbor Analytics\nCorp. ("Company")'},
        {"name": consultant, "role": "Consultant", "quote": f'and {consultant}, an individual ("Consultant")'}],
        "agreement_date": {"value": "2021-03-03", "quote": "is entered into as of March 3, 2021"},
        "governing_law": {"value": "California",
                          "quote": "This Agreement is governed by the laws of the State of California."}})


def _extract(stub: OpenAIStub, chat: Any) -> tuple[Any, str]:
    from agents.extractor.model_engine import ModelExtractor
    from tools.documents import Document

    stub.requests.clear()
    stub.script(_report_parties)
    known = known_values_of_workflow({"counterpartySignerName": "Marta Oliveira",
                                      "counterpartySignerEmail": CONTACT.email})
    model = services.model(Context(model=chat), known=known)
    terms = ModelExtractor(model).extract(Document.from_text(SIGNED))
    return terms, json.dumps(stub.requests, ensure_ascii=False)


def test_extractor_sends_no_signatory_value_and_reads_the_same_terms(openai_stub: OpenAIStub, stub_chat_model,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    terms, sent = _extract(openai_stub, stub_chat_model)
    assert [value for value in SEEDED if value in sent] == []
    assert [(p.name, p.role) for p in terms.parties] == [("Harbor Analytics Corp.", "Company"), (NAME, "Consultant")]
    for party in terms.parties:
        assert SIGNED[party.citation.start:party.citation.end] == party.citation.quote  # verbatim again
    assert terms.agreement_date.value == date(2021, 3, 3)

    monkeypatch.setenv("CONTRACTLOOP_TOKENISE_PERSONAL_DATA", "false")
    get_settings.cache_clear()
    try:
        plain, plain_sent = _extract(openai_stub, stub_chat_model)
    finally:
        monkeypatch.delenv("CONTRACTLOOP_TOKENISE_PERSONAL_DATA")
        get_settings.cache_clear()
    assert NAME in plain_sent
    assert plain.model_dump() == terms.model_dump()


# --- embeddings -------------------------------------------------------------------------------------------------

@pytest.fixture
def embeddings_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub(embeddings=True).start()
    yield stub
    stub.stop()


def test_embeddings_requests_are_tokenised_with_the_live_runs_known_values(embeddings_stub: OpenAIStub) -> None:
    from playbook_store.embeddings import ProviderEmbeddings

    embed = ProviderEmbeddings(base_url=embeddings_stub.base_url)
    run = Vault(known=[KnownValue(kind="person", value="Marta Oliveira")])  # a specialist run in progress
    vectors = embed([f"cap liability for {NAME} at {EMAIL}", "notices to Marta Oliveira"])
    assert len(vectors) == 2
    sent = json.dumps(embeddings_stub.embedding_requests, ensure_ascii=False)
    assert [value for value in (NAME, EMAIL, "Marta Oliveira") if value in sent] == []
    assert TOKEN.search(sent)
    del run


def test_model_is_wrapped_whatever_it_is_and_can_be_turned_off(stub_chat_model, untokenised) -> None:
    assert services.model(Context(model=stub_chat_model)) is stub_chat_model


def test_model_from_context_is_tokenising(stub_chat_model) -> None:
    wrapped = services.model(Context(model=stub_chat_model), known=[KnownValue(kind="person", value="Ann Lee")])
    assert isinstance(wrapped, TokenisingChatModel) and wrapped.inner is stub_chat_model
    assert services.model(Context(model=stub_chat_model, offline=True)) is None


def test_pii_bench_no_personal_value_reaches_the_model() -> None:
    from benchmarks.pii_bench import run

    result = run(seed=0, documents=60)
    assert result.values_reaching_model == 0, result.reached
    assert result.restored_exactly == result.documents and result.passed
    assert all(score.recall == 1.0 for score in result.detector.values())
