"""The playbook's positions on inbound paper with the engine's finding on each, for the reviewer's model."""

from __future__ import annotations

import json

from langchain.tools import ToolRuntime, tool

from agents.agent_tools.tool_context import ToolContext, ToolUnavailable


@tool
def list_positions(runtime: ToolRuntime[ToolContext]) -> str:
    """Every position the review checks: id, title, stance, our standard, and the engine's finding and quote."""
    if runtime.context is None or runtime.context.paper_positions is None:
        raise ToolUnavailable("this run has no paper review")
    return json.dumps(runtime.context.paper_positions)
