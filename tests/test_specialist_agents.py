"""The specialists as tool-calling agents (LangChain `create_agent`): read-only tools over the real clients and
the sandboxes, a structured answer that is checked, one correction after a failed check, then the
deterministic result. Scripted models in-process, and `ChatOpenAI` over HTTP to the local stub."""

from __future__ import annotations

import json
from typing import Any

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tests.support.openai_stub import OpenAIStub, tool_call
from tests.support.scripted_model import call, scripted

SPECIAL = "Customer requests a liability cap of 2x annual fees."
GROUNDED = {"clause_id": "LOL-FB1", "request": "liability cap of 2x annual fees",
            "text": "Each party's aggregate liability shall not exceed two (2) times the fees paid in the prior "
                    "twelve months."}


def _deal(name: str, special_terms: str | None = SPECIAL) -> DealSpec:
    return DealSpec(account_name=name, region="NA", deal_type="New Logo", special_terms=special_terms,
                    lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def _tool_results(messages: list[Any], name: str) -> list[str]:
    return [m.content for m in messages if getattr(m, "type", "") == "tool" and m.name == name]


def test_the_drafters_read_tools_read_the_deal_over_http_and_leave_personal_data_and_records_alone(
        loop: Loop) -> None:
    from agents.agent_tools.tool_context import ToolContext
    from agents.checked_agent import run_checked
    from agents.drafter.model_clauses import SubmitClauses, clause_drafter

    opp_id = loop.deal(_deal("Tool Reader Co"))
    before = loop.salesforce.get("Opportunity", opp_id)
    model = scripted(call("read_opportunity", {}), call("describe_fields", {"sobject": "Opportunity"}),
                     call("describe_fields", {"sobject": "User"}), call("SubmitClauses", {"clauses": [GROUNDED]}))

    checked = run_checked(clause_drafter(model), "draft", ToolContext(salesforce=loop.salesforce,
                                                                        opportunity_id=opp_id),
                          lambda answer, messages: [])

    assert isinstance(checked.answer, SubmitClauses)
    deal = json.loads(_tool_results(checked.messages, "read_opportunity")[0])
    assert deal["id"] == opp_id and deal["account"]["name"] == "Tool Reader Co" and deal["special_terms"] == SPECIAL
    assert deal["line_items"][0]["product_code"] == "PLT-STD"
    assert deal["contact_roles"] == [{"role": "Economic Buyer", "title": "Chief Financial Officer",
                                      "is_primary": True}]
    text = json.dumps(deal)
    assert "Dana" not in text and "Reyes" not in text and "@" not in text and "1 Market Street" not in text
    described, refused = _tool_results(checked.messages, "describe_fields")
    names = {f["name"] for f in json.loads(described)["fields"]}
    assert {"StageName", "Amount", "Ironclad_Workflow_Id__c"} <= names
    assert "not describable" in json.loads(refused)["error"]
    assert loop.salesforce.get("Opportunity", opp_id) == before  # the tools read; nothing was written


def test_a_drafter_answer_that_fails_its_check_is_sent_back_once_and_the_correction_is_used(loop: Loop) -> None:
    opp_id = loop.deal(_deal("Corrected Drafter Co"))
    model = scripted(
        call("SubmitClauses", {"clauses": [GROUNDED]}),  # a real clause id, but never retrieved: refused
        call("search_playbook", {"query": "liability cap two times annual fees"}),
        call("SubmitClauses", {"clauses": [GROUNDED]}),
        call("assess_deal_risk", {}),
        call("SubmitReview", {"note": "The 2x cap sits within fallback LOL-FB1."}),
    )
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"c-{opp_id}"}}, context=ctx)

    draft = result["draft"]
    assert draft.engine == "model" and [c.clause_id for c in draft.drafted_clauses] == ["LOL-FB1"]
    assert any("drafted by the model" in line and "accepted after one correction" in line for line in result["log"])
    assert result["review"].narrative == "The 2x cap sits within fallback LOL-FB1."


def test_a_drafter_that_fails_twice_leaves_the_approved_text_and_says_why(loop: Loop) -> None:
    opp_id = loop.deal(_deal("Twice Refused Co"))
    invented = {**GROUNDED, "clause_id": "LOL-MADE-UP", "text": "Liability is unlimited."}
    model = scripted(call("SubmitClauses", {"clauses": [invented]}), call("SubmitClauses", {"clauses": [invented]}),
                     call("assess_deal_risk", {}), call("SubmitReview", {"note": "Standard cap."}))
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"t-{opp_id}"}}, context=ctx)

    draft = result["draft"]
    assert draft.engine == "offline"
    assert "unlimited" not in draft.primary.launch_attributes()["negotiatedClauses"].lower()
    assert any("model draft refused" in line and "LOL-MADE-UP is not a playbook clause" in line
               for line in result["log"])


def test_a_reviewer_note_naming_a_rule_the_rules_did_not_raise_is_corrected_or_dropped(
        loop: Loop, openai_stub: OpenAIStub, stub_chat_model) -> None:
    from langgraph.types import Command

    # No special terms: the drafter has nothing for a model, so every request here is the reviewer's.
    opp_id = loop.deal(_deal("Invented Rule Co", special_terms=None))
    openai_stub.script(
        tool_call("assess_deal_risk", {}),
        tool_call("SubmitReview", {"note": "RISK-TFC-REQUESTED: the customer may terminate for convenience."}),
        tool_call("SubmitReview", {"note": "RISK-TFC-REQUESTED again."}),
    )
    graph, ctx = loop.graph(model=stub_chat_model)
    config = {"configurable": {"thread_id": f"i-{opp_id}"}}
    result = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    if "__interrupt__" in result:
        result = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "dd@desk"}), config,
                              context=ctx)

    assert "RISK-TFC-REQUESTED" not in {f.rule_id for f in result["review"].assessment.findings}
    assert result["review"].narrative is None
    assert len(openai_stub.requests) == 3
    first, _, last = openai_stub.requests
    assert {t["function"]["name"] for t in first["tools"]} == {"assess_deal_risk", "search_playbook", "SubmitReview"}
    assert "RISK-TFC-REQUESTED" in last["messages"][-1]["content"] and last["messages"][-1]["role"] == "user"
    assert any("model note refused" in line for line in result["log"])
    opp = loop.salesforce.get("Opportunity", opp_id)
    assert "Reviewer note" not in (opp["Contract_Risk_Summary__c"] or "")


def test_a_model_that_errors_costs_nothing_but_its_note(loop: Loop, openai_stub: OpenAIStub,
                                                        stub_chat_model) -> None:
    opp_id = loop.deal(_deal("Silent Model Co"))
    # Nothing scripted: every model call is an HTTP 500 from the stub.
    graph, ctx = loop.graph(model=stub_chat_model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"e-{opp_id}"}}, context=ctx)

    assert result["draft"].engine == "offline" and result["review"].narrative is None
    assert any("model draft refused" in line and "500" in line for line in result["log"])


def test_the_contract_reader_reads_on_from_an_offset_and_its_quotes_are_checked() -> None:
    from agents.extractor.model_engine import ModelExtractor
    from tools.documents import Document

    filler = "\n\n".join(f"{n}. Notices. Notice {n} goes by courier." for n in range(2, 400))
    text = ("MASTER SERVICES AGREEMENT\n\nThis Agreement is made between Quill Analytics Ltd (\"Provider\") and "
            f"Harbor Freight Lines plc (\"Customer\").\n\n{filler}\n\n400. Payment. Customer shall pay each invoice "
            "within forty-five (45) days of receipt.\n")
    offset = text.index("400. Payment")
    empty = dict.fromkeys(["agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term",
                           "automatic_renewal", "notice_period_to_terminate_renewal", "governing_law",
                           "liability_cap", "termination_for_convenience", "payment_terms_net_days"])
    model = scripted(
        call("read_contract", {"offset": offset, "length": 200}),
        call("ReportTerms", {"parties": [], **empty, "payment_terms_net_days": {
            "value": "45", "quote": "shall pay each invoice within forty-five (45) days of receipt"}}),
    )

    terms = ModelExtractor(model, budget_chars=1600).extract(Document.from_text(text))

    assert terms.payment_terms_net_days is not None and terms.payment_terms_net_days.value == 45
    citation = terms.payment_terms_net_days.citation
    assert citation.start > offset and text[citation.start:citation.end] == citation.quote
