"""A value must be what its own quote says: false values "cited" by real but unrelated sentences go to review."""

from __future__ import annotations

from datetime import date

from langgraph.types import Command

from agents.extractor.model_engine import ModelExtractor
from core.contract_terms import Cited, ContractTerms, LiabilityCap, Party
from extraction.citations import cite
from extraction.quote_support import unsupported_values
from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tests.support.openai_stub import OpenAIStub, tool_call
from tools.documents import Document

TEXT = """MASTER SERVICES AGREEMENT

This Agreement is made and entered into this 10th day of January, 2018 by and between Alder Components, Inc.
("Supplier") and Birchwood Devices LLC ("Buyer"), effective as of the date first written above.

1. Term. The term of this Agreement is twelve (12) months from the date hereof, and will be automatically renewed
for one (1) additional twelve month period unless either party gives notice ninety (90) days prior to expiration.

2. Payment. Buyer shall pay each invoice within thirty (30) days of receipt.

3. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.

4. Liability. In no event shall either party's aggregate liability exceed $250,000.
"""
DOCUMENT = Document.from_text(TEXT)


def _cited(value: object, quote: str) -> Cited:
    start = TEXT.index(quote)
    return Cited(value=value, citation=cite(DOCUMENT, start, start + len(quote)))


TERM = "The term of this Agreement is twelve (12) months from the date hereof"
NOTICE = "unless either party gives notice ninety (90) days prior to expiration"
PAYMENT = "Buyer shall pay each invoice within thirty (30) days of receipt."
LAW = "This Agreement shall be governed by the laws of the State of Delaware."
PREAMBLE = "This Agreement is made and entered into this 10th day of January, 2018"


def _truthful() -> ContractTerms:
    liability = "In no event shall either party's aggregate liability exceed $250,000."
    start = TEXT.index(liability)
    return ContractTerms(
        parties=[Party(name="Alder Components, Inc.", role="Supplier",
                       citation=_cited(None, "Alder Components, Inc.\n(\"Supplier\")").citation)],
        agreement_date=_cited(date(2018, 1, 10), PREAMBLE),
        effective_date=_cited(date(2018, 1, 10), "effective as of the date first written above"),
        expiration_date=_cited(date(2019, 1, 10), TERM),   # a start date plus the quoted period
        initial_term=_cited("P12M", TERM), renewal_term=_cited("P1Y", "additional twelve month period"),
        auto_renewal=_cited(True, "will be automatically renewed"),
        notice_period_to_terminate_renewal=_cited("P90D", NOTICE), payment_terms_net_days=_cited(30, PAYMENT),
        governing_law=_cited("Delaware", LAW),
        liability_cap=LiabilityCap(kind="amount", amount={"amount": "250000", "currency": "USD",
                                                          "citation": cite(DOCUMENT, start, start + len(liability))},
                                   citation=cite(DOCUMENT, start, start + len(liability))))


def test_values_their_quotes_state_or_derive_pass() -> None:
    assert unsupported_values(_truthful()) == []


def test_false_values_cited_by_real_but_unrelated_sentences_are_each_named() -> None:
    hijacked = _truthful().model_copy(update={
        "expiration_date": _cited(date(2099, 12, 31), LAW),
        "payment_terms_net_days": _cited(999, PAYMENT),
        "notice_period_to_terminate_renewal": _cited("P1D", NOTICE),
        "governing_law": _cited("Cayman Islands", LAW),
        "agreement_date": _cited(date(2020, 1, 1), PREAMBLE),
        "parties": [Party(name="Ghost Holdings plc", citation=_cited(None, PREAMBLE).citation)],
    })
    reasons = unsupported_values(hijacked)
    for expected in ("expiration date 2099-12-31", "payment terms (days) 999", "to terminate renewal P1D",
                     "governing law Cayman Islands", "agreement date 2020-01-01", "party 'Ghost Holdings plc'"):
        assert any(expected in r for r in reasons), (expected, reasons)
    # The effective date "as of the date first written above" no longer matches a supported agreement date.
    assert any("effective date 2018-01-10" in r for r in reasons)
    assert len(reasons) == 7


def test_the_model_is_told_once_and_a_kept_unsupported_value_is_flagged(openai_stub: OpenAIStub,
                                                                        stub_chat_model) -> None:
    empty = {name: None for name in [
        "agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term", "automatic_renewal",
        "notice_period_to_terminate_renewal", "governing_law", "liability_cap", "termination_for_convenience",
        "payment_terms_net_days"]}
    answer = tool_call("ReportTerms", {"parties": [], **empty,
                                       "expiration_date": {"value": "2099-12-31", "quote": LAW},
                                       "governing_law": {"value": "Delaware", "quote": LAW}})
    openai_stub.script(answer, answer)

    terms = ModelExtractor(stub_chat_model).extract(DOCUMENT)

    feedback = openai_stub.requests[1]["messages"][-1]["content"]
    assert "expiration date 2099-12-31 is not what its quote says" in feedback and "governing law" not in feedback
    assert terms.expiration_date is not None and terms.expiration_date.value == date(2099, 12, 31)
    assert [r for r in unsupported_values(terms) if "2099-12-31" in r]


ORDER = DealSpec(account_name="Hijacked Reader Ltd", region="NA", deal_type="Expansion", term_months=12,
                 payment_terms_days=45, governing_law="State of New York",
                 lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def test_a_hijacked_model_s_false_terms_stop_for_review_and_nothing_is_written(loop: Loop, openai_stub: OpenAIStub,
                                                                               stub_chat_model) -> None:
    opp_id, workflow_id = loop.signed_workflow(ORDER)
    before = loop.salesforce.query(f"SELECT Id, CloseDate, Description FROM Opportunity WHERE Id = '{opp_id}'")
    empty = {name: None for name in [
        "agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term", "automatic_renewal",
        "notice_period_to_terminate_renewal", "governing_law", "liability_cap", "termination_for_convenience",
        "payment_terms_net_days"]}
    # Real quotes from the signed PDF, carrying values they do not state.
    answer = tool_call("ReportTerms", {"parties": [], **empty,
                                       "payment_terms_net_days": {"value": "999", "quote": "net 45 days"},
                                       "expiration_date": {"value": "2099-12-31", "quote": "The subscriptions in "
                                                           "this Order Form start on the Order Effective Date"}})
    openai_stub.script(answer, answer)
    graph, ctx = loop.graph(model=stub_chat_model)
    config = {"configurable": {"thread_id": f"hj-{workflow_id}"}}
    task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": "hj1"}}

    result = graph.invoke(task, config, context=ctx)

    assert "__interrupt__" in result, result.get("log")
    reasons = result["contract"].review_reasons
    assert any("payment terms (days) 999 is not what its quote says" in r for r in reasons), reasons
    assert any("expiration date 2099-12-31 is not what its quote says" in r for r in reasons), reasons
    assert loop.salesforce.query(f"SELECT Id FROM Contract_Insight__c WHERE Opportunity__c = '{opp_id}'") == []
    assert loop.salesforce.query(f"SELECT Id, CloseDate, Description FROM Opportunity WHERE Id = '{opp_id}'") == before
    # A reviewer who rejects the plan leaves Salesforce as it was.
    interrupt = result["__interrupt__"][0].value
    rejected = graph.invoke(Command(resume={"decisions": [{"type": "reject", "message": "false terms"}]}), config,
                            context=ctx)
    assert loop.salesforce.query(f"SELECT Id FROM Contract_Insight__c WHERE Opportunity__c = '{opp_id}'") == [], \
        (interrupt, rejected.get("log"))
