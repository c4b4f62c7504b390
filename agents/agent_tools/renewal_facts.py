"""One renewal plan's facts, for a model that explains its likelihood: the rules decide, the tool reports."""

from __future__ import annotations

import json

from langchain.tools import ToolRuntime, tool

from agents.agent_tools.tool_context import ToolContext, ToolUnavailable


@tool
def read_renewal_facts(runtime: ToolRuntime[ToolContext]) -> str:
    """The renewal being planned: its schedule (term end, renewal date, notice deadline, how it renews), the
    renewal likelihood the playbook's weights give with each reason and weight, and the account signals it
    read (open support cases, usage trend, days payments are late). Takes no arguments."""
    context = runtime.context
    if context is None or context.renewal_facts is None:
        raise ToolUnavailable("this run has no renewal plan")
    return json.dumps(context.renewal_facts, default=str)
