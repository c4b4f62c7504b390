"""Ironclad sandbox + client figures: launch latency (sync and async), webhook delivery latency, and write
throughput under the per-company rate limit with the client's 429 handling.

    .venv/bin/python -m benchmarks.ironclad_bench [--n 50] [--window 6] [--windows 3] [--real-time]

Throughput runs on a scaled clock by default (the 40-writes bucket refills every `--window` seconds instead
of 60) so it finishes quickly; `--real-time` uses Ironclad's true 60-second window.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter
from functools import partial
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from playbook_store.templates import ContractTemplate, TemplateAttribute, load_templates
from sandbox.http import BackgroundServer
from sandbox.ironclad import IroncladSandbox, RateLimits, SandboxConfig
from tools.ironclad import IroncladClient, WebhookVerifier

_SAMPLES: dict[str, Any] = {
    "string": "Benchmark Industries", "number": 10, "monetaryAmount": {"currency": "USD", "amount": 48000},
    "date": "2027-01-31", "duration": {"months": 12}, "email": "buyer@bench.example", "boolean": True,
    "address": {"lines": ["1 Main St"], "locality": "Springfield", "region": "IL", "postcode": "62701",
                "country": "US"},
}


def sample_attributes(template: ContractTemplate) -> dict[str, Any]:
    def value(spec: TemplateAttribute) -> Any:
        return (spec.options or [""])[0] if spec.type == "select" else _SAMPLES[spec.type]
    return {k: value(spec) for k, spec in template.attributes.items() if k != "contractloopKey"}


class CountingTransport(httpx.HTTPTransport):
    """Counts response statuses, to show how many 429s the client absorbed."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: Counter[int] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses[response.status_code] += 1
        return response


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def describe(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"  {label:<42} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms")


def client_for(sandbox: IroncladSandbox, **kwargs: Any) -> IroncladClient:
    return IroncladClient(sandbox.base_url, sandbox.client_id, sandbox.client_secret, sandbox.user_email, **kwargs)


def bench_latency(n: int, template: ContractTemplate) -> None:
    with IroncladSandbox(SandboxConfig(async_launch_delay_seconds=0.0)) as sandbox, client_for(sandbox) as client:
        attributes = sample_attributes(template)
        client.launch_workflow(template.id, attributes)  # warm-up: token, connection
        sync = []
        for _ in range(n):
            started = time.perf_counter()
            client.launch_workflow(template.id, attributes)
            sync.append(time.perf_counter() - started)
        describe("sync launch (POST /workflows)", sync)
        async_times = []
        for _ in range(n):
            started = time.perf_counter()
            job = client.launch_workflow_async(template.id, attributes)
            client.wait_for_async_launch(job.async_job_id, interval=0.01)
            async_times.append(time.perf_counter() - started)
        describe("async launch + poll to success", async_times)
        idem = []
        for i in range(n):
            started = time.perf_counter()
            client.launch_workflow_idempotent(template.id, attributes, f"bench-{i}")
            idem.append(time.perf_counter() - started)
        describe("idempotent launch (lookup+launch+check)", idem)
        completes = []
        for _ in range(min(n, 20)):
            workflow = client.launch_workflow(template.id, attributes)
            started = time.perf_counter()
            httpx.post(f"{sandbox.base_url}/_sandbox/workflows/{workflow.id}/complete").raise_for_status()
            completes.append(time.perf_counter() - started)
        describe("complete (approvals, sign, PDF, record)", completes)


def bench_webhooks(n: int, template: ContractTemplate) -> None:
    arrivals: dict[str, float] = {}
    arrived = threading.Condition()

    async def receive(request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        with arrived:
            arrivals[headers["x-ironclad-webhook-event-id"]] = time.perf_counter()
            received.append((headers, body))
            arrived.notify_all()
        return Response(status_code=200)

    received: list[tuple[dict[str, str], bytes]] = []
    receiver = BackgroundServer(Starlette(routes=[Route("/hook", receive, methods=["POST"])])).start()
    try:
        with IroncladSandbox() as sandbox, client_for(sandbox) as client:
            client.create_webhook(["workflow_launched"], f"{receiver.url}/hook")
            verifier = WebhookVerifier.from_client(client)
            attributes = sample_attributes(template)
            latencies = []
            for _ in range(n):
                count = len(received)
                started = time.perf_counter()
                client.launch_workflow(template.id, attributes)
                with arrived:
                    arrived.wait_for(partial(_more_than, received, count), timeout=10)
                latencies.append(max(arrivals.values()) - started)
            describe("launch -> webhook receipt", latencies)
            verify_times = []
            for headers, body in received:
                started = time.perf_counter()
                verifier.verify(headers, body)
                verify_times.append(time.perf_counter() - started)
            describe("signature verification", verify_times)
    finally:
        receiver.stop()


def bench_throughput(template: ContractTemplate, window: float, windows: int, limit: int = 40) -> None:
    transport = CountingTransport()
    config = SandboxConfig(rate_limits=RateLimits(workflows_write=limit, window_seconds=window))
    with IroncladSandbox(config) as sandbox, client_for(sandbox, transport=transport, max_retries=20) as client:
        attributes = sample_attributes(template)
        started, writes = time.perf_counter(), 0
        while time.perf_counter() - started < window * windows:
            client.launch_workflow(template.id, attributes)
            writes += 1
        elapsed = time.perf_counter() - started
    per_window = writes / (elapsed / window)
    scale = "" if window == 60 else f" (clock scaled: 1 min = {window:g}s)"
    print(f"  writes achieved: {writes} in {elapsed:.1f}s = {per_window:.1f} per window vs bucket {limit}/min{scale}")
    print(f"  utilisation {per_window / limit:.0%}; 429s absorbed by the client: {transport.statuses[429]}; "
          f"errors surfaced: 0")


def _more_than(items: list, count: int) -> bool:
    return len(items) > count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50, help="samples per latency figure")
    parser.add_argument("--window", type=float, default=6.0, help="rate-limit window in seconds (60 = real)")
    parser.add_argument("--windows", type=int, default=3, help="how many windows the throughput run lasts")
    parser.add_argument("--real-time", action="store_true", help="use Ironclad's real 60 s window")
    args = parser.parse_args()
    template = load_templates()["order_form"] if "order_form" in load_templates() else next(
        iter(load_templates().values()))
    print(f"Ironclad sandbox benchmark (template {template.name!r}, loopback HTTP)")
    print("Latency")
    bench_latency(args.n, template)
    print("Webhooks")
    bench_webhooks(min(args.n, 30), template)
    print("Throughput under the 40 writes/min bucket")
    bench_throughput(template, 60.0 if args.real_time else args.window, args.windows)


if __name__ == "__main__":
    main()
