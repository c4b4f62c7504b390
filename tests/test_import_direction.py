"""The house's shape: imports run one way, down the layers, and no module imports itself in a circle.

Each package has a layer; a module may import its own package and packages in lower layers only. Imports
inside functions count too (a deferred import is still a dependency), and only the CLI's commands may defer
first-party imports (so `contractloop --help` stays fast), never to dodge a cycle: cycles are checked over
every import, deferred or not.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. The README's architecture section shows the same table.
LAYERS: dict[str, int] = {
    "core": 0,            # settings, the state base, result types and schemas every layer shares
    "tools": 1,           # typed Salesforce, Ironclad and document clients; the write plan
    "playbook_store": 2,  # the approved playbook: templates, clauses, rules, retrieval
    "extraction": 2,      # reading a contract: patterns, normalisers, the learned clause finder, confidence
    "review": 3,
    "qa": 3,              # contract Q&A: the contract a question names, its answering passages, or an honest no          # reading counterparty paper against the playbook: the learned NDA reader
    "runtime": 3,         # a run's state and its runtime context (clients and model)
    "sandbox": 3,         # local emulators of Salesforce and Ironclad; production code never imports them
    "agents": 4,          # the specialists: drafter, risk reviewer, extractor
    "graphs": 5,          # the supervisor, approval interrupts, publishing and the CRM writer
    "api": 6,             # HTTP intake: Flow routes, webhooks, status, auth
    "backfill": 6,        # the batch job that syncs a portfolio of executed contracts
    "evals": 7,           # evaluation suites
    "contractloop": 8,    # the command line
}
DEFERRED_IMPORTS_ALLOWED = ("contractloop.commands.",)
# A deferral for cost, not for a cycle, named with its reason.
DEFERRED_FOR_COST = {
    ("agents.agent_tools.playbook_search", "playbook_store.index"): "loads chromadb (seconds), used on the model path only",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(first-party module, imported inside a function) for every import in the module."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, nested))
                # `from pkg import module` names a module as much as `import pkg.module` does
                found.extend((f"{child.module}.{alias.name}", nested) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return [(name, nested) for name, nested in found if name.split(".")[0] in LAYERS]


def _graph() -> tuple[dict[str, set[str]], list[str], set[str]]:
    modules: dict[str, Path] = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            modules[_module_name(path)] = path
    edges: dict[str, set[str]] = defaultdict(set)
    deferred: list[str] = []
    for name, path in modules.items():
        for target, nested in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if target not in modules:
                continue  # a name imported from a module, not a module
            if target != name and not name.startswith(target + "."):  # a package's own __init__ is no edge
                edges[name].add(target)
            if nested and not name.startswith(DEFERRED_IMPORTS_ALLOWED) and (name, target) not in DEFERRED_FOR_COST:
                deferred.append(f"{name} imports {target} inside a function")
    return edges, deferred, set(modules)


def test_every_package_has_a_layer() -> None:
    """Every package the wheel ships has a layer, and every layer is a package."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        shipped = set(tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert shipped == set(LAYERS)
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert on_disk <= shipped, f"ship these packages and give them a layer: {sorted(on_disk - shipped)}"


def test_no_package_imports_a_package_above_it() -> None:
    edges, _, _ = _graph()
    upward = sorted(f"{source} -> {target}" for source, targets in edges.items() for target in targets
                    if LAYERS[target.split(".")[0]] > LAYERS[source.split(".")[0]])
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_packages_of_one_layer_do_not_import_each_other() -> None:
    edges, _, _ = _graph()
    sideways = sorted(f"{source} -> {target}" for source, targets in edges.items() for target in targets
                      if source.split(".")[0] != target.split(".")[0]
                      and LAYERS[target.split(".")[0]] == LAYERS[source.split(".")[0]])
    assert not sideways, "imports within one layer:\n" + "\n".join(sideways)


def test_no_import_cycles_between_modules() -> None:
    edges, _, modules = _graph()
    cycles = _cycles(edges, modules)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_first_party_import_is_deferred() -> None:
    _, deferred, _ = _graph()
    assert not deferred, "\n".join(sorted(deferred))


def _cycles(edges: dict[str, set[str]], nodes: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each listed once."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def connect(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            connect(node)
    return found


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    """The checks above can fail: a planted upward import and a planted cycle are both reported."""
    tree = ast.parse("from graphs.supervisor import build_graph\n\ndef f():\n    from api import app\n")
    assert _imports(tree) == [("graphs.supervisor", False), ("graphs.supervisor.build_graph", False),
                              ("api", True), ("api.app", True)]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, {"a", "b", "c", "d"}) == [["a", "b", "c"]]


if __name__ == "__main__":  # pragma: no cover - a quick look while refactoring
    pytest.main([__file__, "-q"])
