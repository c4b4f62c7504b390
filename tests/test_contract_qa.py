"""Contract Q&A (issue 13): the engine over real CUAD contracts, the store, permissions through the sandbox's
UserRecordAccess, escalation to Legal, and the eval's figures gated in CI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.qa.escalation import EscalationRefused, escalation_key
from agents.qa.service import ContractQuestionService, UnknownConversation
from core.settings import get_settings, settings_from
from evals.shared_data import require_shared
from qa import ContractQA, ContractStore, IndexedContract
from runtime.audit_log import AuditLog
from sandbox.salesforce.server import SalesforceSandbox
from tools.salesforce import SalesforceClient

ROOT = Path(__file__).resolve().parent.parent
CUAD = require_shared("data", "cuad")
DOCS = ["cuad439", "cuad341"]  # Apollo Endosurgery (manufacturing) and AURA SYSTEMS (the first two questioned)


def _text(doc: str) -> str:
    return (CUAD / "dev100" / "texts" / f"{doc}.txt").read_text(encoding="utf-8")


def _questions() -> list[dict]:
    lines = (CUAD / "qa" / "dev100-questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [q for q in map(json.loads, lines) if q["gold"]["doc"] in DOCS]


@pytest.fixture(scope="module")
def store() -> ContractStore:
    """The two questioned contracts among 20 others: word weights need a corpus, as in any deployment."""
    store = ContractStore.open(":memory:")
    others = sorted(p.stem for p in (CUAD / "dev100" / "texts").glob("*.txt"))[:20]
    for doc in dict.fromkeys([*DOCS, *others]):
        store.upsert(IndexedContract(doc=doc, text=_text(doc)))
    return store


@pytest.fixture(scope="module")
def engine(store: ContractStore) -> ContractQA:
    return ContractQA(store)


def test_a_contract_is_stored_once_and_restored_whole(tmp_path: Path) -> None:
    store = ContractStore.open(tmp_path / "contracts.sqlite")
    contract = IndexedContract(doc="wf-1", text=_text("cuad439"), name="Apollo Endosurgery", account_id="001x")
    assert store.upsert(contract) is True
    assert store.upsert(contract) is False  # a resync of the same text and records writes nothing
    assert store.upsert(contract.model_copy(update={"opportunity_id": "006y"})) is True
    assert store.count() == 1 and store.docs_for_record("006y") == ["wf-1"]
    assert store.get("wf-1").text == contract.text  # type: ignore[union-attr]
    assert store.remove("wf-1") and store.count() == 0 and store.idf(["apollo"])["apollo"] > 0


def test_a_counterparty_named_only_past_the_opening_is_found_in_the_whole_text() -> None:
    """The opening names a defined term; the company behind it appears only in the body and the signatures."""
    store = ContractStore.open(":memory:")
    for doc in sorted(p.stem for p in (CUAD / "dev100" / "texts").glob("*.txt"))[:20]:
        store.upsert(IndexedContract(doc=doc, text=_text(doc)))
    opening = "SUPPLY AGREEMENT between the Company and the party named on the signature page (the \"Supplier\"). "
    body = " ".join(["The Supplier shall deliver the Products on time."] * 300)
    signatures = " Signed for Quillfeather Bearings Ltd. by its director. Quillfeather Bearings Ltd. notices: Leeds."
    store.upsert(IndexedContract(doc="wf-quill", text=opening + body + signatures))
    assert "quillfeather" not in store.docs_with_keys(["quillfeather"]).get("wf-quill", set())  # past the opening
    answer = ContractQA(store).answer("When does our agreement with Quillfeather Bearings expire?")
    assert answer.contract is not None and answer.contract.doc == "wf-quill"


def test_the_full_text_index_follows_resyncs_and_removals_and_fills_an_older_store(tmp_path: Path) -> None:
    path = tmp_path / "contracts.sqlite"
    store = ContractStore.open(path)
    store.upsert(IndexedContract(doc="wf-1", text="Notices to Brightwater Mills Inc. at its registered office."))
    assert set(store.phrase_scores(["brightwater mills"])["brightwater mills"]) == {"wf-1"}
    store.upsert(IndexedContract(doc="wf-1", text="Notices to Ashgrove Textiles Inc. at its registered office."))
    assert store.phrase_scores(["brightwater mills"]) == {}
    assert set(store.phrase_scores(["ashgrove textiles"])["ashgrove textiles"]) == {"wf-1"}
    store.remove("wf-1")
    assert store.phrase_scores(["ashgrove textiles"]) == {}
    with pytest.raises(ValueError, match="not a phrase"):
        store.phrase_scores(['ashgrove" OR "x'])
    # a store file from before the index: opening it indexes what it holds
    store.upsert(IndexedContract(doc="wf-2", text="Payments to Corvane Holdings plc within thirty days."))
    store.close()
    import sqlite3
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE text_index")
    assert set(ContractStore.open(path).phrase_scores(["corvane holdings"])["corvane holdings"]) == {"wf-2"}


def test_a_term_the_extractor_did_not_find_is_not_in_the_contract_though_its_name_is_everywhere(
        store: ContractStore) -> None:
    from core.contract_terms import Citation, Cited, ContractTerms
    nda = ("MUTUAL NON-DISCLOSURE AGREEMENT between Provider and Tidewater Analytics LLC. Tidewater Analytics LLC "
           "shall keep the Confidential Information secret for three years. ") * 3
    store.upsert(IndexedContract(doc="wf-nda", text=nda, name="Tidewater Analytics LLC", terms=ContractTerms()))
    quote = "Invoices are payable within forty-five (45) days"
    order = f"ORDER FORM with Harrowgate Mills Ltd. {quote} of receipt. Harrowgate Mills Ltd. buys 10 seats."
    start = order.index(quote)
    payment = Cited[int](value=45, citation=Citation(page=1, start=start, end=start + len(quote), quote=quote))
    store.upsert(IndexedContract(doc="wf-order", text=order, name="Harrowgate Mills Ltd.",
                                 terms=ContractTerms(payment_terms_net_days=payment)))
    engine = ContractQA(store)
    silent = engine.answer("What payment terms did we agree with Tidewater Analytics?")
    assert silent.contract is not None and silent.contract.doc == "wf-nda"
    assert silent.outcome == "not_in_contract" and not silent.citations
    stated = engine.answer("What are the payment terms with Harrowgate Mills?")
    assert stated.found and stated.term is not None and stated.term.value == "net 45 days"
    assert stated.citations[0].quote == quote
    store.remove("wf-nda")
    store.remove("wf-order")


def test_answers_cite_the_gold_passage_verbatim(engine: ContractQA, store: ContractStore) -> None:
    answerable = [q for q in _questions() if q["gold"]["spans"]]
    assert len(answerable) >= 4
    hits = 0
    for q in answerable:
        answer = engine.answer(q["question"])
        assert answer.contract is not None and answer.contract.doc == q["gold"]["doc"]
        text = store.get(answer.contract.doc).text  # type: ignore[union-attr]
        for c in answer.citations:
            assert text[c.start:c.end] == c.quote and c.page == 1
        hits += answer.found and any(c.start < e and s < c.end for c in answer.citations[:3]
                                     for s, e in q["gold"]["spans"])
    assert hits >= len(answerable) - 1


def test_a_silent_contract_is_said_to_be_silent(engine: ContractQA) -> None:
    # CUAD gives Apollo's contract no change-of-control clause
    answer = engine.answer("What happens to the contract with Apollo Endosurgery on a change of control?")
    assert answer.outcome == "not_in_contract" and not answer.found and not answer.citations
    assert "does not appear to address change of control" in (answer.answer or "")


def test_an_invisible_or_unknown_contract_gives_no_text(engine: ContractQA) -> None:
    hidden = engine.answer("When does the agreement with AURA SYSTEMS INC. expire?", visible={"cuad439"})
    unknown = engine.answer("When does the agreement with Zyxwv Quantum Widgets expire?")
    for answer in (hidden, unknown):
        assert answer.outcome == "no_contract_visible" and answer.contract is None and not answer.citations
        assert "AURA" not in (answer.answer or "")


def test_a_question_asked_from_a_record_reads_that_records_contract(engine: ContractQA) -> None:
    answer = engine.answer("Which law governs this one?", record_docs=["cuad341"])
    assert answer.contract is not None and answer.contract.doc == "cuad341" and answer.category == "Governing Law"


# ----- permissions and escalation through the sandbox --------------------------------------------------------------
def _user(sf_sandbox: SalesforceSandbox, email: str) -> str:
    return sf_sandbox.store.query(f"SELECT Id FROM User WHERE Email = '{email}'").records[0]["Id"]


@pytest.fixture
def service(sf_sandbox: SalesforceSandbox, tmp_path: Path) -> tuple[ContractQuestionService, str]:
    """Apollo's contract indexed on an Opportunity Ethan owns (no share touches it)."""
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    rows = sf_sandbox.store.query(f"SELECT Id, AccountId FROM Opportunity WHERE OwnerId = '{ethan}' "
                                  "ORDER BY Id").records
    shared = {r["OpportunityId"] for r in sf_sandbox.store.query("SELECT OpportunityId FROM OpportunityShare").records}
    shared_accounts = {r["AccountId"] for r in sf_sandbox.store.query("SELECT AccountId FROM AccountShare").records}
    deal = next(r for r in rows if r["Id"] not in shared and r["AccountId"] not in shared_accounts)
    store = ContractStore.open(tmp_path / "contracts.sqlite")
    store.upsert(IndexedContract(doc="wf-apollo", text=_text("cuad439"), name="Apollo Endosurgery",
                                 account_id=deal["AccountId"], opportunity_id=deal["Id"]))
    sf_sandbox.faults.clear()
    client = SalesforceClient.from_settings(settings_from(sf_sandbox.env()))
    return ContractQuestionService(store, client), deal["Id"]


def test_only_people_who_can_read_the_deal_get_its_contract(service: tuple[ContractQuestionService, str],
                                                            sf_sandbox: SalesforceSandbox) -> None:
    qa, _ = service
    question = "What insurance does the contract with Apollo Endosurgery require?"
    owner = qa.answer_now(question, _user(sf_sandbox, "ethan.dubois@contractloop.sandbox"), "c1")
    manager = qa.answer_now(question, _user(sf_sandbox, "rosa.castillo@contractloop.sandbox"), "c2")
    peer = qa.answer_now(question, _user(sf_sandbox, "amara.haddad@contractloop.sandbox"), "c3")
    assert owner.found and manager.found and "Insurance" in (owner.answer or "")
    assert peer.outcome == "no_contract_visible" and not peer.citations and peer.contract is None
    assert "insuran" not in (peer.answer or "").lower()


def test_a_follow_up_without_a_name_stays_on_the_contract(service: tuple[ContractQuestionService, str],
                                                          sf_sandbox: SalesforceSandbox) -> None:
    qa, _ = service
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    qa.answer_now("Who owns the IP under the Apollo Endosurgery agreement?", ethan, "thread-9")
    follow_up = qa.answer_now("And what insurance is required?", ethan, "thread-9")
    assert follow_up.contract is not None and follow_up.contract.doc == "wf-apollo"
    stranger = qa.answer_now("And what insurance is required?", _user(sf_sandbox,
                             "rosa.castillo@contractloop.sandbox"), "thread-9")
    assert stranger.outcome == "no_contract_visible"  # another asker in the thread starts afresh


def test_escalation_makes_one_legal_task(service: tuple[ContractQuestionService, str],
                                         sf_sandbox: SalesforceSandbox) -> None:
    qa, deal = service
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    with pytest.raises(UnknownConversation):
        qa.escalate_now("never-asked", ethan)
    question = "What happens to the contract with Apollo Endosurgery on a change of control?"
    assert qa.answer_now(question, ethan, "esc-1").outcome == "not_in_contract"
    first, again = qa.escalate_now("esc-1", ethan), qa.escalate_now("esc-1", ethan)
    assert first == again
    tasks = sf_sandbox.store.query("SELECT Id, Subject, WhatId, Description FROM Task WHERE "
                                   f"Contractloop_Key__c = '{escalation_key('esc-1', question)}'").records
    assert len(tasks) == 1 and tasks[0]["WhatId"] == deal and question in tasks[0]["Description"]


@pytest.fixture
def audit_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "audit.sqlite"
    monkeypatch.setenv("CONTRACTLOOP_AUDIT_PATH", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_an_escalation_is_on_the_audit_trail(service: tuple[ContractQuestionService, str],
                                             sf_sandbox: SalesforceSandbox, audit_path: Path) -> None:
    qa, deal = service
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    qa.answer_now("Does the Apollo Endosurgery agreement allow assignment?", ethan, "esc-trail")
    task_id = qa.escalate_now("esc-trail", ethan)
    [entry] = [e for e in AuditLog(audit_path).entries() if e.kind == "write_applied"]
    assert entry.actor == "qa_escalation" and deal in entry.refs
    assert entry.payload["results"][0]["id"] == task_id and entry.payload["operations"][0]["sobject"] == "Task"


def test_read_only_refuses_an_escalation_clearly_and_records_why(service: tuple[ContractQuestionService, str],
                                                                 sf_sandbox: SalesforceSandbox,
                                                                 audit_path: Path) -> None:
    bidirectional, _ = service
    read_only = SalesforceClient.from_settings(settings_from({**sf_sandbox.env(), "CONTRACTLOOP_MODE": "read_only"}))
    qa = ContractQuestionService(bidirectional.store, read_only)
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    question = "What law governs the Apollo Endosurgery agreement and who are its parties?"
    qa.answer_now(question, ethan, "esc-read-only")
    tasks_before = sf_sandbox.store.query("SELECT Id FROM Task").records
    with pytest.raises(EscalationRefused, match="read_only"):
        qa.escalate_now("esc-read-only", ethan)
    assert len(sf_sandbox.store.query("SELECT Id FROM Task").records) == len(tasks_before)
    [decision] = [e for e in AuditLog(audit_path).entries() if e.kind == "decision"]
    assert decision.actor == "qa_escalation" and decision.payload["decision"] == "refused"
    assert "Task" in decision.payload["refusals"][0]
    assert not [e for e in AuditLog(audit_path).entries() if e.kind == "write_applied"]


def test_the_record_route_answers_for_the_asker_and_refuses_without_the_key(
        service: tuple[ContractQuestionService, str], sf_sandbox: SalesforceSandbox, flow_api_key: str,
        tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from api.app import build_app

    qa, deal = service
    ethan = _user(sf_sandbox, "ethan.dubois@contractloop.sandbox")
    amara = _user(sf_sandbox, "amara.haddad@contractloop.sandbox")
    body = {"question": "Which law governs this contract?", "asked_by": ethan, "record_id": deal}
    with TestClient(build_app(tmp_path / "ledger.sqlite", contract_questions=qa)) as client:
        refused = client.post("/flow/contract-questions", json=body)
        malformed = client.post("/flow/contract-questions", headers={"X-API-Key": flow_api_key},
                                json={**body, "asked_by": "not-a-user"})
        owner = client.post("/flow/contract-questions", headers={"X-API-Key": flow_api_key}, json=body)
        peer = client.post("/flow/contract-questions", headers={"X-API-Key": flow_api_key},
                           json={**body, "asked_by": amara})
    assert refused.status_code == 401 and malformed.status_code == 422
    assert {f["field"] for f in malformed.json()["fields"]} == {"asked_by"}
    answer = owner.json()
    assert owner.status_code == 200 and answer["contract_key"] == "wf-apollo"
    assert answer["category"] == "Governing Law" and answer["quotes"] and answer["citations"][0].startswith("p.")
    assert isinstance(answer["confidence_percent"], int)
    assert peer.json()["outcome"] == "no_contract_visible" and not peer.json()["quotes"]


# ----- the eval -----------------------------------------------------------------------------------------------------
def _eval(tmp_path: Path, *args: str) -> dict:
    report = tmp_path / "report"
    done = subprocess.run([sys.executable, "-c", "import sys; from contractloop.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "eval", "qa", *args, "--predictions",
                           str(tmp_path / "p.jsonl"), "--report", str(report), "--retrieval", "lexical"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert "right contract first" in done.stdout
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))


def test_eval_qa_on_dev100_meets_its_targets(tmp_path: Path) -> None:
    figures = _eval(tmp_path, "--dataset", str(CUAD / "dev100"), "--questions",
                    str(CUAD / "qa" / "dev100-questions.jsonl"))
    # the packaged finder was trained on these contracts: the cross-validated gate below is the honest one
    assert figures["contract"] >= 0.97 and figures["evidence_at_3"] >= 0.95 and figures["abstention"] >= 0.88
    assert figures["quotes_verified"] == 1.0
    lines = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == figures["questions"] and all(set(line) >= {"qid", "answer", "found", "citations"}
                                                      for line in lines)


@pytest.mark.slow
@pytest.mark.timeout(1500)  # about 2 minutes on 2 idle cores (5 finders trained)
def test_eval_qa_cross_validated_holds(tmp_path: Path) -> None:
    figures = _eval(tmp_path, "--dataset", str(CUAD / "dev100"), "--dataset", str(CUAD / "train150"),
                    "--questions", str(CUAD / "qa" / "dev100-questions.jsonl"),
                    "--questions", str(CUAD / "qa" / "train150-questions.jsonl"), "--cv", "5")
    # measured: contract 0.922, evidence@3 0.796, abstention 0.818 (one 250-contract corpus, 863 questions)
    assert figures["contract"] >= 0.91 and figures["evidence_at_3"] >= 0.78 and figures["abstention"] >= 0.80
    assert figures["quotes_verified"] == 1.0
