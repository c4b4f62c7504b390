"""Opportunity -> approved Ironclad draft, in-process (offline engine, sandbox backends).

Prints per-opportunity latency of the whole draft path split into time inside backend calls (Salesforce and
Ironclad HTTP) and our own overhead, Salesforce API calls per opportunity (auto-approved and approval paths),
and peak memory. The same path through the LangGraph server is measured by benchmarks/server_bench.py.

Run: .venv/bin/python -m benchmarks.draft_bench [--opportunities 300]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from langgraph.types import Command

from core.settings import settings_from
from graphs.checkpointer import sqlite_checkpointer
from graphs.supervisor import build_graph
from runtime.context import Context
from sandbox.stack import SandboxStack
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient

backend_seconds = 0.0


def _timed(cls: type, name: str) -> None:
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        global backend_seconds
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            backend_seconds += time.perf_counter() - started

    setattr(cls, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=300)
    args = parser.parse_args()
    _timed(SalesforceClient, "_call")
    _timed(IroncladClient, "_send")
    with tempfile.TemporaryDirectory() as tmp, SandboxStack(Path(tmp) / "sb", opportunities=args.opportunities,
                                                             sf_port=None, ironclad_port=None, fresh=True) as stack:
        settings = settings_from(stack.env())
        sf = SalesforceClient.from_settings(settings)
        ctx = Context(salesforce=sf, ironclad=IroncladClient.from_settings(settings), offline=True)
        graph = build_graph(checkpointer=sqlite_checkpointer(Path(tmp) / "cp.sqlite"))
        ids = [r["Id"] for r in sf.query("SELECT Id FROM Opportunity WHERE StageName = 'Contracting'")]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        totals: list[float] = []
        backends: list[float] = []
        calls: dict[str, list[int]] = {"auto_approve": [], "approval": []}
        outcomes: Counter[str] = Counter()
        global backend_seconds
        for opp_id in ids:
            config = {"configurable": {"thread_id": opp_id}}
            task = {"task": {"kind": "draft_contract", "opportunity_id": opp_id, "event_id": "bench",
                             "stage": "Contracting"}}
            backend_seconds = 0.0
            stack.salesforce.reset_usage()
            started = time.perf_counter()
            result = graph.invoke(task, config, context=ctx)
            path = "auto_approve"
            if "__interrupt__" in result:
                path = "approval"
                result = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "bench"}),
                                      config, context=ctx)
            totals.append(time.perf_counter() - started)
            backends.append(backend_seconds)
            calls[path].append(stack.salesforce.api_calls)
            outcomes[result["status"]] += 1
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    n = len(totals)
    own = [t - b for t, b in zip(totals, backends, strict=True)]
    print(f"draft path, in-process, offline engine: {n} Contracting opportunities of a {args.opportunities}-"
          f"opportunity org; outcomes {dict(outcomes)}")
    print(f"  per opportunity   median {statistics.median(totals) * 1000:7.1f} ms   "
          f"p95 {sorted(totals)[int(n * 0.95) - 1] * 1000:7.1f} ms")
    print(f"    in backend calls (Salesforce + Ironclad HTTP)  median {statistics.median(backends) * 1000:7.1f} ms")
    print(f"    our own overhead (graph, rules, checkpoints)   median {statistics.median(own) * 1000:7.1f} ms")
    for path, counts in calls.items():
        if counts:
            print(f"  Salesforce API calls per opportunity, {path:<12} mean {statistics.mean(counts):.2f} "
                  f"(min {min(counts)}, max {max(counts)}) over {len(counts)} runs")
    print(f"  peak memory: process max RSS {rss_before / 1024:.0f} MiB before the runs -> {rss_after / 1024:.0f} MiB "
          "after (one process holding both sandboxes, the graph and the clients)")


if __name__ == "__main__":
    main()
