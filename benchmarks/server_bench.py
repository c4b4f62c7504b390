"""Latency through the Flow API: event POST answer time, and event -> launched per opportunity.

Starts the sandboxes and `langgraph dev` like `contractloop serve`, posts one Contracting event per
opportunity (all at once, as a bulk stage change would), approves the ones that wait for a human, and
prints per-opportunity latency and the distribution.

Run: .venv/bin/python -m benchmarks.server_bench [--opportunities N] [--jobs J]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from contractloop.commands.serve import LangGraphServer
from sandbox.stack import SandboxStack

FINAL = {"launched", "rejected", "failed"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=10, help="Contracting opportunities to run")
    parser.add_argument("--jobs", type=int, default=8, help="runs the server executes at once")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="server-bench-") as tmp:
        root = Path(tmp)
        with SandboxStack(root / "sandbox", opportunities=max(200, args.opportunities * 8), sf_port=None,
                          ironclad_port=None, fresh=True) as stack:
            env = {**stack.env(), "CONTRACTLOOP_API_KEY": key, "CONTRACTLOOP_DATA_DIR": str(root / "data")}
            boot = time.monotonic()
            with LangGraphServer(root / "langgraph", env, jobs=args.jobs) as server:
                print(f"server ready in {time.monotonic() - boot:.1f} s at {server.url}")
                sf = stack.salesforce.client()
                ids = [r["Id"] for r in sf.query(
                    f"SELECT Id FROM Opportunity WHERE StageName = 'Contracting' LIMIT {args.opportunities}")[
                    "records"]]
                run(server.url, key, ids, args.timeout)


def run(url: str, key: str, ids: list[str], timeout: float) -> None:
    with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=30) as http:
        started: dict[str, float] = {}
        answer_ms: list[float] = []
        for opportunity_id in ids:
            t0 = time.monotonic()
            response = http.post("/flow/opportunity-events", json={
                "opportunity_id": opportunity_id, "stage": "Contracting", "event_id": uuid.uuid4().hex})
            answer_ms.append((time.monotonic() - t0) * 1000)
            response.raise_for_status()
            started[opportunity_id] = t0

        finished: dict[str, tuple[str, float]] = {}
        waited: set[str] = set()
        deadline = time.monotonic() + timeout
        while len(finished) < len(ids) and time.monotonic() < deadline:
            for opportunity_id in ids:
                if opportunity_id in finished:
                    continue
                status = http.get(f"/flow/opportunities/{opportunity_id}").json()
                if status["status"] == "awaiting_approval" and opportunity_id not in waited:
                    waited.add(opportunity_id)
                    http.post("/flow/approvals", json={"opportunity_id": opportunity_id, "decision": "approve",
                                                       "reviewer": "benchmark"}).raise_for_status()
                elif status["status"] in FINAL:
                    finished[opportunity_id] = (status["status"], time.monotonic() - started[opportunity_id])
            time.sleep(0.1)

    print(f"{'opportunity':<20} {'outcome':<10} {'approval':<9} seconds")
    for opportunity_id in ids:
        outcome, seconds = finished.get(opportunity_id, ("timeout", float("nan")))
        print(f"{opportunity_id:<20} {outcome:<10} {'human' if opportunity_id in waited else 'auto':<9} {seconds:.2f}")
    latencies = [s for _, s in finished.values()]
    print(f"event POST answer: median {statistics.median(answer_ms):.0f} ms, max {max(answer_ms):.0f} ms")
    if latencies:
        print(f"event -> final ({len(latencies)}/{len(ids)}): median {statistics.median(latencies):.2f} s, "
              f"p90 {percentile(latencies, 0.9):.2f} s, max {max(latencies):.2f} s "
              f"(includes the approval round-trip for {len(waited)} that waited for a human)")
    launched = sum(1 for outcome, _ in finished.values() if outcome == "launched")
    print(f"launched {launched}/{len(ids)}")


if __name__ == "__main__":
    main()
