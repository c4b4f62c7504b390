"""The top-level graph: intake -> supervisor -> specialist subgraphs -> supervisor ... -> END.

Exported in langgraph.json as `contractloop`. The supervisor's routing is deterministic (a run's path
must be auditable); the judgement lives inside the specialists, which use a model when one is configured.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import START, StateGraph
from langgraph.types import Command

from graphs.registry import Route, check_registry, specialists
from runtime.audit_callback import AUDIT_CALLBACK
from runtime.context import Context
from runtime.correlation import correlation_id_for
from runtime.state import RunState
from runtime.transient_retry import TRANSIENT_RETRY

_FINAL = {"launched", "rejected", "completed", "failed", "not_launched"}


def intake(state: RunState) -> dict[str, Any]:
    """The task arrives validated (RunState is pydantic); stamp the correlation id once."""
    if state.task.kind == "draft_contract" and not state.task.opportunity_id:
        return {"status": "failed", "error": "draft_contract needs an opportunity_id",
                "correlation_id": correlation_id_for(state)}
    if state.task.kind == "extract_executed_contract" and not state.task.workflow_id:
        return {"status": "failed", "error": "extract_executed_contract needs a workflow_id",
                "correlation_id": correlation_id_for(state)}
    task = state.task
    if task.kind == "answer_question":
        subject = f"{'escalation' if task.escalate else 'a question'} of {task.asked_by} in {task.conversation_id}"
    else:
        subject = task.opportunity_id or task.workflow_id or \
            f"as of {task.as_of or 'today'}, {task.horizon_days}-day horizon"
    return {"correlation_id": state.correlation_id or correlation_id_for(state),
            "log": [f"intake: {state.task.kind} for {subject}"]}


def build_graph(checkpointer: Any = None, name: str = "contractloop") -> Any:
    team = specialists()
    check_registry(team)

    def supervisor(state: RunState) -> Command[Route]:
        """Route to the first specialist with work due for this task; finish when none is."""
        final = state.status in _FINAL
        for spec in team:
            # a finished run only goes on to a row that follows a finish (renewal planning after a sync)
            if (not final or spec.after_finish) and state.task.kind in spec.handles and spec.is_due(state):
                return Command(goto=spec.name)
        return Command(goto="__end__")  # langgraph.graph.END, spelt as the Route literal

    builder = StateGraph(RunState, context_schema=Context)
    builder.add_node("intake", intake)
    builder.add_node("supervisor", supervisor)  # destinations come from the return type
    for spec in team:
        # a row lock or an outage outlasting the clients' retries runs the specialist again (all are idempotent)
        builder.add_node(spec.name, spec.build(), retry_policy=TRANSIENT_RETRY)
        builder.add_edge(spec.name, "supervisor")  # every specialist reports back to the supervisor
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "supervisor")
    # Every run inherits the audit callback: model calls and tool calls go on the trail (runtime/audit_callback.py)
    return builder.compile(checkpointer=checkpointer, name=name).with_config(callbacks=[AUDIT_CALLBACK])


def graph_for_server() -> Any:
    """`langgraph dev` injects its own persistence, so the exported graph has no checkpointer."""
    return build_graph()
