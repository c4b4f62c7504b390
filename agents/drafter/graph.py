"""The drafter specialist as a subgraph: read_bundle -> plan_terms -> draft_clauses -> map_to_templates."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.drafter.nodes import draft_clauses, map_to_templates, plan_terms, read_bundle
from agents.drafter.state import DrafterState
from runtime.context import Context
from runtime.state import RunState


def _continue_or_stop(next_node: str):
    def route(state: DrafterState) -> str:
        return END if state.status in ("failed", "completed", "launched") else next_node
    return route


def build_drafter() -> Any:
    builder = StateGraph(DrafterState, context_schema=Context, input_schema=RunState, output_schema=RunState)
    builder.add_node("read_bundle", read_bundle)
    builder.add_node("plan_terms", plan_terms)
    builder.add_node("draft_clauses", draft_clauses)
    builder.add_node("map_to_templates", map_to_templates)
    builder.add_edge(START, "read_bundle")
    builder.add_conditional_edges("read_bundle", _continue_or_stop("plan_terms"), ["plan_terms", END])
    builder.add_conditional_edges("plan_terms", _continue_or_stop("draft_clauses"), ["draft_clauses", END])
    builder.add_edge("draft_clauses", "map_to_templates")
    builder.add_edge("map_to_templates", END)
    return builder.compile(name="drafter")
