"""The specialists with a model: scripted chat models in-process, and the real ChatOpenAI over HTTP to a local
OpenAI-compatible stub. Models may word clauses and explain risk; they never decide the route."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.types import Command

from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tests.support.openai_stub import OpenAIStub, tool_call
from tests.support.scripted_model import call, scripted

SPECIAL = "Customer requests a liability cap of 2x annual fees."


def _deal(name: str) -> DealSpec:
    return DealSpec(account_name=name, region="NA", deal_type="New Logo", special_terms=SPECIAL,
                    lines=[LineSpec(product_code="PLT-STD", quantity=20)])


def test_model_drafts_a_grounded_clause(loop: Loop) -> None:
    opp_id = loop.deal(_deal("Scripted Grounding Co"))
    model = scripted(
        call("search_playbook", {"query": "liability cap two times annual fees"}),
        call("SubmitClauses", {"clauses": [{"clause_id": "LOL-FB1", "request": "liability cap of 2x annual fees",
                                            "text": "Each party's aggregate liability shall not exceed two (2) "
                                                    "times the fees paid in the prior twelve months."}]}),
        call("assess_deal_risk", {}),
        call("SubmitReview", {"note": "The 2x cap sits within fallback LOL-FB1; deal desk should confirm."}),
    )
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"m-{opp_id}"}}, context=ctx)
    draft = result["draft"]
    assert draft.engine == "model"
    assert [(c.clause_id, c.engine) for c in draft.drafted_clauses] == [("LOL-FB1", "model")]
    assert "two (2) times" in draft.primary.launch_attributes()["negotiatedClauses"]
    assert result["review"].narrative.startswith("The 2x cap")
    # The rules decide, not the model: its wording drops the approved clause's exclusions, so Legal reads it.
    assert result["review"].approval.route == "legal"
    [unapproved] = [f for f in result["review"].assessment.findings if f.rule_id == "MODEL-CLAUSE-UNAPPROVED"]
    assert "LOL-FB1" in unapproved.message and "under 0.9" in unapproved.message


def test_a_model_clause_in_the_approved_words_is_routed_by_policy_alone(loop: Loop) -> None:
    from playbook_store.loader import load_clause_library

    approved = load_clause_library().position("LOL-FB1").render({"cap_multiple": 2}).replace("shall", "will")
    opp_id = loop.deal(_deal("Scripted Faithful Co"))
    model = scripted(
        call("search_playbook", {"query": "liability cap two times annual fees"}),
        call("SubmitClauses", {"clauses": [{"clause_id": "LOL-FB1", "request": "liability cap of 2x annual fees",
                                            "text": approved}]}),
        call("assess_deal_risk", {}),
        call("SubmitReview", {"note": "The 2x cap sits within fallback LOL-FB1; deal desk should confirm."}),
    )
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"f-{opp_id}"}}, context=ctx)
    assert result["draft"].engine == "model"
    assert result["review"].approval.route == "deal_desk"  # the fallback's own approval level
    assert not [f for f in result["review"].assessment.findings if f.rule_id == "MODEL-CLAUSE-UNAPPROVED"]


def test_ungrounded_model_clause_is_refused_for_the_approved_text(loop: Loop) -> None:
    opp_id = loop.deal(_deal("Scripted Refusal Co"))
    model = scripted(
        # Never searched, and the clause id does not exist: nothing the model wrote may reach the contract.
        call("SubmitClauses", {"clauses": [{"clause_id": "LOL-MADE-UP", "request": "liability cap of 2x annual fees",
                                            "text": "Liability is unlimited."}]}),
        AIMessage(content="no tools this time"),
    )
    graph, ctx = loop.graph(model=model)
    result = graph.invoke(loop.draft_task(opp_id), {"configurable": {"thread_id": f"r-{opp_id}"}}, context=ctx)
    draft = result["draft"]
    assert draft.engine == "offline"
    assert "unlimited" not in draft.primary.launch_attributes()["negotiatedClauses"].lower()
    assert any("model draft refused" in line for line in result["log"])
    assert result["review"].narrative is None


def _submit_first_retrieved(body: dict[str, Any]) -> dict[str, Any]:
    """Answer like a model would: use the first clause the search returned."""
    hits = json.loads(next(m["content"] for m in reversed(body["messages"]) if m["role"] == "tool"))
    return tool_call("SubmitClauses", {"clauses": [{
        "clause_id": hits[0]["clause_id"], "request": "liability cap of 2x annual fees",
        "text": "Each party's aggregate liability shall not exceed two times the annual fees."}]})


def test_chatopenai_over_http_through_the_whole_loop(loop: Loop, openai_stub: OpenAIStub, stub_chat_model) -> None:
    opp_id = loop.deal(_deal("Stubbed Wire Co"))
    openai_stub.script(
        tool_call("search_playbook", {"query": "liability cap of two times annual fees"}),
        _submit_first_retrieved,
        tool_call("assess_deal_risk", {}),
        tool_call("SubmitReview", {"note": "Cap raised to 2x within the approved fallback."}),
    )
    graph, ctx = loop.graph(model=stub_chat_model)
    config = {"configurable": {"thread_id": f"w-{opp_id}"}}
    result = graph.invoke(loop.draft_task(opp_id), config, context=ctx)
    if "__interrupt__" in result:
        result = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "dd@desk"}), config,
                              context=ctx)
    assert result["status"] == "launched"
    assert len(openai_stub.requests) == 4
    first = openai_stub.requests[0]
    assert {t["function"]["name"] for t in first["tools"]} == {"read_opportunity", "search_playbook",
                                                               "describe_fields", "SubmitClauses"}
    assert any(m["role"] == "tool" for m in openai_stub.requests[1]["messages"])
    opp = loop.salesforce.get("Opportunity", opp_id)
    assert "Reviewer note: Cap raised to 2x" in opp["Contract_Risk_Summary__c"]
    workflow = loop.ironclad.get_workflow(result["launch"].workflow_id)
    assert "two times the annual fees" in workflow.attributes["negotiatedClauses"]


def test_every_prompt_names_its_tools_as_they_are_bound() -> None:
    """A model sees the bound names only; a prompt that names a tool under another name sends a real model
    calling a tool that does not exist. Backticked words that are no tool must be fields of the answer."""
    import re

    from agents.drafter.model_clauses import clause_drafter
    from agents.extractor.model_engine import contract_reader
    from agents.risk_reviewer.narrative import risk_narrator

    model = scripted()
    for specialist in (clause_drafter(model), risk_narrator(model), contract_reader(model)):
        named = set(re.findall(r"`([A-Za-z_]+)`", specialist.system_prompt))
        fields = set(re.findall(r'"([a-z_]+)"', json.dumps(specialist.answer_schema.model_json_schema())))
        assert specialist.bound_tool_names <= named, (specialist.name, specialist.bound_tool_names - named)
        assert named - specialist.bound_tool_names <= fields, (specialist.name, named - specialist.bound_tool_names)
