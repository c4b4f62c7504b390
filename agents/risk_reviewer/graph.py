"""The risk reviewer specialist as a subgraph (one node today; room for more checks)."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agents.risk_reviewer.nodes import review
from runtime.context import Context
from runtime.state import RunState


def build_risk_reviewer() -> Any:
    builder = StateGraph(RunState, context_schema=Context)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile(name="risk_reviewer")
