"""The playbook's verdict on the draft, for a model that explains it: the rules decide, the tool reports."""

from __future__ import annotations

import json

from langchain.tools import ToolRuntime, tool

from agents.agent_tools.tool_context import ToolContext, ToolUnavailable


@tool
def assess_deal_risk(runtime: ToolRuntime[ToolContext]) -> str:
    """The playbook's risk rules and approval policy applied to this draft: findings (rule id, severity,
    message, evidence), the score, and the approval route. Takes no arguments."""
    context = runtime.context
    if context is None or context.assessment is None or context.approval is None:
        raise ToolUnavailable("this run has no risk assessment")
    return json.dumps({"assessment": context.assessment.model_dump(mode="json"),
                       "approval": context.approval.model_dump(mode="json")})
