"""Executed contract -> Salesforce on the webhook path, in-process (offline engine, sandbox backends).

Launches and signs N contracts in the Ironclad sandbox, then syncs each one as the webhook path does: fetch the
signed PDF, extract cited terms, one read of what Salesforce holds, one Composite write. Prints latency per
contract, Salesforce API calls per contract (target: 1 read + 1 write), and the same on a replay (target: the read
only).

Run: .venv/bin/python -m benchmarks.contract_sync_bench [--contracts 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from langgraph.types import Command

from core.settings import settings_from
from graphs.checkpointer import sqlite_checkpointer
from graphs.supervisor import build_graph
from runtime.context import Context
from sandbox.stack import SandboxStack
from tools.ironclad import IroncladClient
from tools.salesforce import SalesforceClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contracts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SandboxStack(Path(tmp) / "sb", opportunities=args.contracts * 12,
                                                             sf_port=None, ironclad_port=None, fresh=True) as stack:
        settings = settings_from(stack.env())
        sf = SalesforceClient.from_settings(settings)
        ctx = Context(salesforce=sf, ironclad=IroncladClient.from_settings(settings), offline=True)
        graph = build_graph(checkpointer=sqlite_checkpointer(Path(tmp) / "cp.sqlite"))
        ids = [r["Id"] for r in sf.query("SELECT Id FROM Opportunity WHERE StageName = 'Contracting' "
                                         f"LIMIT {args.contracts}")]
        workflows = []
        for opp_id in ids:  # setup: draft, approve, launch, sign
            config = {"configurable": {"thread_id": f"d-{opp_id}"}}
            task = {"task": {"kind": "draft_contract", "opportunity_id": opp_id, "event_id": "e"}}
            result = graph.invoke(task, config, context=ctx)
            if "__interrupt__" in result:
                result = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "b"}), config,
                                      context=ctx)
            httpx.post(f"{stack.ironclad.base_url}/_sandbox/workflows/{result['launch'].workflow_id}/complete",
                       timeout=60).raise_for_status()
            workflows.append(result["launch"].workflow_id)

        def sync(workflow_id: str, thread: str) -> tuple[float, int, str, int]:
            stack.salesforce.reset_usage()
            config = {"configurable": {"thread_id": thread}}
            task = {"task": {"kind": "extract_executed_contract", "workflow_id": workflow_id, "event_id": thread}}
            started = time.perf_counter()
            result = graph.invoke(task, config, context=ctx)
            if "__interrupt__" in result:  # a review: approved at once, so only our own time is measured
                result = graph.invoke(Command(resume={"decisions": [{"type": "approve"}], "reviewer": "b"}), config,
                                      context=ctx)
            return (time.perf_counter() - started, stack.salesforce.api_calls, result["status"],
                    result["contract"].pages)

        first = [sync(w, f"s1-{w}") for w in workflows]
        replay = [sync(w, f"s2-{w}") for w in workflows]

    seconds = [f[0] for f in first]
    pages = sum(f[3] for f in first)
    print(f"contract sync (webhook path, in-process, offline engine): {len(first)} executed contracts, "
          f"{pages} pages; statuses {sorted({f[2] for f in first})}")
    print(f"  per contract   median {statistics.median(seconds) * 1000:7.1f} ms   max {max(seconds) * 1000:7.1f} ms   "
          f"({pages / sum(seconds):.1f} pages/s end to end, incl. PDF download and Salesforce)")
    print(f"  Salesforce API calls per contract: first sync mean {statistics.mean(f[1] for f in first):.2f} "
          f"(1 read + 1 write), replay mean {statistics.mean(r[1] for r in replay):.2f} (read only, nothing written)")


if __name__ == "__main__":
    main()
