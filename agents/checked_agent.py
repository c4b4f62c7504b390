"""A specialist's model turn: a LangChain `create_agent` run over read-only tools whose answer is checked.

The model may call the tools it is given, then submits its answer as structured output (`response_format`).
Model output is data to check: the caller's check (clause ids from retrieval, quotes verbatim, rule ids from
the assessment) decides. A failed check goes back to the model once with the problems; a second failure, a
model error or a run over its call budget returns no answer, and the caller keeps its deterministic result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from langchain.agents import create_agent
from langchain.agents.middleware import ModelCallLimitMiddleware
from langchain.agents.structured_output import ToolStrategy
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import BaseTool
from pydantic import BaseModel

from agents.agent_tools.tool_context import ToolContext
from agents.prompts.feedback import CHECK_FEEDBACK

Answer = TypeVar("Answer", bound=BaseModel)
Check = Callable[[Answer, Sequence[BaseMessage]], list[str]]

MODEL_CALLS_PER_ROUND = 6
ROUNDS = 2  # the answer, and one correction after feedback


@dataclass(frozen=True)
class Specialist(Generic[Answer]):
    """A model bound to read-only tools, answering in one structured schema (the tool it finishes with)."""

    name: str
    model: BaseChatModel
    tools: Sequence[BaseTool]
    answer_schema: type[Answer]
    system_prompt: str

    @property
    def answer_tool(self) -> str:
        """The name the model sees for the answer: `ToolStrategy` binds the schema under its class name."""
        return self.answer_schema.__name__

    @property
    def bound_tool_names(self) -> set[str]:
        return {t.name for t in self.tools} | {self.answer_tool}

    def build(self) -> Any:
        return create_agent(
            self.model, list(self.tools), system_prompt=self.system_prompt,
            response_format=ToolStrategy(self.answer_schema),
            middleware=[ModelCallLimitMiddleware(run_limit=MODEL_CALLS_PER_ROUND, exit_behavior="end")],
            context_schema=ToolContext, checkpointer=False, name=self.name)


@dataclass
class CheckedAnswer(Generic[Answer]):
    answer: Answer | None
    problems: list[str] = field(default_factory=list)  # why the last round's answer was refused, if it was
    rounds: int = 0
    messages: list[BaseMessage] = field(default_factory=list)
    refused: Answer | None = None  # the last answer that failed its check, for callers that keep what holds



def run_checked(specialist: Specialist[Answer], task: str, context: ToolContext,
                check: Check[Answer]) -> CheckedAnswer[Answer]:
    agent = specialist.build()
    messages: list[BaseMessage] = [HumanMessage(task)]
    problems: list[str] = []
    refused: Answer | None = None
    for round_number in range(1, ROUNDS + 1):
        try:
            result = agent.invoke({"messages": messages}, context=context)
        except Exception as exc:  # a model, wire or tool failure: the deterministic result stands
            return CheckedAnswer(None, [*problems, f"{type(exc).__name__}: {str(exc)[:300]}"], round_number,
                                 messages, refused)
        messages = list(result["messages"])
        answer = result.get("structured_response")
        problems = [f"the model finished without calling {specialist.answer_tool}"] if answer is None \
            else check(answer, messages)
        if not problems:
            return CheckedAnswer(answer, [], round_number, messages)
        refused = answer if answer is not None else refused
        messages.append(HumanMessage(CHECK_FEEDBACK.format(problems="\n".join(f"- {p}" for p in problems),
                                                           answer_tool=specialist.answer_tool)))
    return CheckedAnswer(None, problems, ROUNDS, messages[:-1], refused)
