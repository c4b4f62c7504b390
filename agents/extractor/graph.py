"""The extractor specialist as a subgraph: fetch_contract -> extract_terms -> plan_writes."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.extractor.nodes import extract_terms, fetch_contract, plan_writes
from agents.extractor.state import ExtractorState
from runtime.context import Context
from runtime.state import RunState


def _after_fetch(state: ExtractorState) -> str:
    return END if state.status == "failed" else "extract_terms"


def build_extractor() -> Any:
    builder = StateGraph(ExtractorState, context_schema=Context, input_schema=RunState, output_schema=RunState)
    builder.add_node("fetch_contract", fetch_contract)
    builder.add_node("extract_terms", extract_terms)
    builder.add_node("plan_writes", plan_writes)
    builder.add_edge(START, "fetch_contract")
    builder.add_conditional_edges("fetch_contract", _after_fetch, ["extract_terms", END])
    builder.add_edge("extract_terms", "plan_writes")
    builder.add_edge("plan_writes", END)
    return builder.compile(name="extractor")
