"""The graph the README draws is the graph that runs: the supervisor's typed routes give every edge."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from graphs.registry import Route, Specialist, SpecialistName, check_registry, specialists
from graphs.supervisor import build_graph

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_diagram_is_the_generated_one() -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the README holds one mermaid diagram of the graph"
    assert blocks[0].rstrip("\n") == build_graph().get_graph().draw_mermaid().rstrip("\n"), \
        "regenerate the README's diagram with build_graph().get_graph().draw_mermaid()"


def test_supervisor_routes_to_every_specialist_and_each_reports_back() -> None:
    edges = {(e.source, e.target) for e in build_graph().get_graph().edges}
    names = set(get_args(SpecialistName))
    assert {target for source, target in edges if source == "supervisor"} == names | {"__end__"}
    assert {source for source, target in edges if target == "supervisor"} == names | {"intake"}


def test_a_specialist_missing_from_the_route_type_is_refused() -> None:
    team = specialists()
    assert {s.name for s in team} == {r for r in get_args(Route) if r != "__end__"}
    stray = Specialist("qa_answerer", frozenset({"draft_contract"}), lambda s: False)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="qa_answerer"):
        check_registry([*team, stray])


def test_the_run_context_has_a_schema_for_studio_and_ignores_the_server_s_own_keys() -> None:
    from graphs.supervisor import build_graph
    from runtime.context import Context

    schema = build_graph().get_context_jsonschema()
    assert {"offline", "approvers", "auto_write_confidence"} <= set(schema["properties"])
    # the LangGraph server passes these into a cron run's context; an unknown key must not fail the run
    ctx = Context(cron_id="c-1", langgraph_auth_user=None, offline=True)  # type: ignore[call-arg]
    assert ctx.offline is True and not hasattr(ctx, "cron_id")
