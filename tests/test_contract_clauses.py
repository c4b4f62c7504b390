"""Clause findings reach the contract insight in the sandbox org over HTTP: which CUAD clauses the contract
states, with score and quote; a rerun changes nothing; an absent clause is never written as present."""

from __future__ import annotations

import json
import uuid

from agents.extractor.context import ContractContext, parse_snapshot, snapshot_query
from agents.extractor.plan import build_plan
from core.contract_terms import Citation, ClauseFinding, ContractTerms
from sandbox.salesforce.deals import DealSpec, LineSpec
from tests.fixtures.loop import Loop
from tools.write_plan import diff

TEXT = ("1. Assignment. Neither party may assign this Agreement without the prior written consent of the other "
        "party. 2. Governing Law. This Agreement is governed by the laws of the State of New York. "
        "3. Audit. Customer may audit Provider's records once per year on thirty days' notice.")
DEAL = DealSpec(account_name="Clause Works Ltd", region="NA", deal_type="Expansion", term_months=12,
                payment_terms_days=30, governing_law="State of New York",
                lines=[LineSpec(product_code="PLT-STD", quantity=5)])


def _cite(sentence: str) -> Citation:
    start = TEXT.index(sentence)
    return Citation(page=2, start=start, end=start + len(sentence), quote=sentence)


def _findings(*, audit_present: bool = True, none_present: bool = False) -> list[ClauseFinding]:
    assign = _cite("Neither party may assign this Agreement without the prior written consent of the other party.")
    law = _cite("This Agreement is governed by the laws of the State of New York.")
    audit = _cite("Customer may audit Provider's records once per year on thirty days' notice.")
    return [
        ClauseFinding(category="Governing Law", present=not none_present, score=0.991, citations=[law]),
        ClauseFinding(category="Anti-Assignment", present=not none_present, score=0.934, citations=[assign]),
        # scored, with its best passage, but below the finder's threshold: absent
        ClauseFinding(category="Change Of Control", present=False, score=0.21, citations=[assign]),
        ClauseFinding(category="Audit Rights", present=audit_present and not none_present, score=0.88,
                      citations=[audit]),
        ClauseFinding(category="Insurance", present=False, score=0.02),
    ]


def _context(loop: Loop, opp_id: str, record_id: str) -> ContractContext:
    ctx = ContractContext(ironclad_record_id=record_id, opportunity_id=opp_id)
    [row] = loop.salesforce.query(snapshot_query(opp_id, ctx.key))
    snapshot = parse_snapshot(row)
    return ctx.model_copy(update={"snapshot": snapshot, "account_id": snapshot.opportunity.get("AccountId"),
                                  "owner_id": snapshot.opportunity.get("OwnerId")})


def _sync(loop: Loop, opp_id: str, record_id: str, terms: ContractTerms) -> list:
    """Read what the org holds, plan, write the plan when it changes something; returns the diff."""
    plan, current = build_plan(terms, _context(loop, opp_id, record_id), f"clauses-{uuid.uuid4().hex[:8]}")
    changes = diff(plan, current)
    if changes:
        loop.salesforce.apply(plan)
    return changes


def _insight(loop: Loop, record_id: str) -> dict:
    [row] = loop.salesforce.query("SELECT Id, Clauses_Present__c, Clauses__c, Citations__c FROM Contract_Insight__c "
                                  f"WHERE External_Key__c = 'ironclad-{record_id}'")
    return row


def test_present_clauses_are_written_with_score_and_quote_and_a_rerun_changes_nothing(loop: Loop) -> None:
    opp_id, record_id = loop.deal(DEAL), f"clauses-{uuid.uuid4().hex[:8]}"
    terms = ContractTerms(clauses=_findings())
    assert _sync(loop, opp_id, record_id, terms)

    insight = _insight(loop, record_id)
    assert insight["Clauses_Present__c"] == "Governing Law;Anti-Assignment;Audit Rights"
    lines = insight["Clauses__c"].splitlines()
    assert lines[0] == "3 of 5 CUAD clause categories found:"
    assert lines[2] == ('Anti-Assignment — score 0.93 — p.2 [15:108] "Neither party may assign this Agreement '
                        'without the prior written consent of the other party."')
    assert not any("Change Of Control" in line or "Insurance" in line for line in lines)  # absent: not listed
    citations = json.loads(insight["Citations__c"])
    for category in ("Governing Law", "Anti-Assignment", "Audit Rights"):
        cite = citations[f"Clauses__c:{category}"]
        assert TEXT[cite["start"]:cite["end"]] == cite["quote"]
    assert "Clauses__c:Change Of Control" not in citations
    # Legal Ops filters on the picklist: contracts that restrict assignment, and none with a change-of-control clause
    found = loop.salesforce.query("SELECT Id FROM Contract_Insight__c WHERE Clauses_Present__c INCLUDES "
                                  f"('Anti-Assignment') AND External_Key__c = 'ironclad-{record_id}'")
    assert [r["Id"] for r in found] == [insight["Id"]]
    assert loop.salesforce.query("SELECT Id FROM Contract_Insight__c WHERE Clauses_Present__c INCLUDES "
                                 f"('Change Of Control') AND External_Key__c = 'ironclad-{record_id}'") == []

    count = loop.stack.salesforce.store.count("Contract_Insight__c")
    assert _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings())) == []  # rerun: nothing to write
    assert loop.stack.salesforce.store.count("Contract_Insight__c") == count


def test_a_clause_no_longer_found_leaves_the_insight(loop: Loop) -> None:
    opp_id, record_id = loop.deal(DEAL.model_copy(update={"account_name": "Clause Retrain Inc"})), \
        f"clauses-{uuid.uuid4().hex[:8]}"
    _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings()))
    changes = _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings(audit_present=False)))
    assert {c.field for c in changes} == {"Clauses_Present__c", "Clauses__c", "Citations__c"}
    insight = _insight(loop, record_id)
    assert insight["Clauses_Present__c"] == "Governing Law;Anti-Assignment"
    assert "Audit Rights" not in insight["Clauses__c"]

    _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings(none_present=True)))
    insight = _insight(loop, record_id)
    assert insight["Clauses_Present__c"] is None
    assert insight["Clauses__c"] == "0 of 5 CUAD clause categories found."
    assert _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings(none_present=True))) == []

    # a reading without clause findings (no finder ran) leaves what the insight holds
    _sync(loop, opp_id, record_id, ContractTerms(clauses=_findings()))
    assert _sync(loop, opp_id, record_id, ContractTerms()) == []
    assert _insight(loop, record_id)["Clauses_Present__c"] == "Governing Law;Anti-Assignment;Audit Rights"


def test_a_signed_contract_synced_by_the_graph_carries_the_clause_finder_findings(loop: Loop) -> None:
    from tools.documents import parse_document

    opp_id, workflow_id = loop.signed_workflow(DEAL.model_copy(update={"account_name": "Clause Graph GmbH"}))
    graph, ctx = loop.graph()
    task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": "evt-clauses"}}
    result = graph.invoke(task, {"configurable": {"thread_id": f"clauses-{workflow_id}"}}, context=ctx)
    assert result["status"] == "completed", result.get("error")
    record_id = result["contract"].record_id
    insight = _insight(loop, record_id)
    present = insight["Clauses_Present__c"].split(";")
    assert present and present[:2] == ["Document Name", "Parties"]  # in categories.json order
    assert insight["Clauses__c"].splitlines()[0] == f"{len(present)} of 41 CUAD clause categories found:"
    text = parse_document(loop.ironclad.download_signed_copy(record_id)).text
    citations = json.loads(insight["Citations__c"])
    assert {k.removeprefix("Clauses__c:") for k in citations if k.startswith("Clauses__c:")} == set(present)
    for category in present:  # each present clause is cited verbatim in the signed copy
        cite = citations[f"Clauses__c:{category}"]
        assert text[cite["start"]:cite["end"]] == cite["quote"]
