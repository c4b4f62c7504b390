"""What hostile requests cost the server: time to refusal, status, and the server's peak memory.

Starts the sandboxes and `langgraph dev` like `contractloop serve`, then sends, without a key where the
route is open to anyone (the Ironclad webhook):
- four 200 MB bodies at once, declared by Content-Length (refused before reading);
- four 200 MB bodies at once, streamed without Content-Length (cut off at the cap);
- JSON nested 100,000 deep to a Flow route and to the webhook;
- a validly signed webhook dated 2019;
and prints each case's answer, its latency and the server process's peak RSS (VmHWM) before and after.

Run: .venv/bin/python -m benchmarks.hostile_input_bench [--megabytes 200] [--concurrent 4]
"""

from __future__ import annotations

import argparse
import secrets
import socket
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from contractloop.commands.serve import LangGraphServer
from sandbox.ironclad.webhooks import compact_json
from sandbox.stack import SandboxStack

CHUNK = 1 << 20


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def current_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def send_big(url: str, path: str, megabytes: int, declared: bool) -> tuple[int, float, int]:
    """Push up to `megabytes` at the server on a raw socket; (status, seconds to the answer, MiB sent)."""
    parts = urlsplit(url)
    started = time.monotonic()
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        framing = f"Content-Length: {megabytes * CHUNK}" if declared else "Transfer-Encoding: chunked"
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
                     .encode())
        sock.setblocking(False)
        block = b"x" * CHUNK
        answer = b""
        while sent < megabytes and not answer:
            try:
                answer = sock.recv(4096)
                break
            except BlockingIOError:
                pass
            try:
                payload = block if declared else f"{CHUNK:x}\r\n".encode() + block + b"\r\n"
                sock.sendall(payload)
                sent += 1
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(30)
        if not answer:
            answer = sock.recv(4096)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, time.monotonic() - started, sent


def concurrently(n: int, fn: Callable[[], tuple[int, float, int]]) -> list[tuple[int, float, int]]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fn(), range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=4)
    args = parser.parse_args()
    key = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        root = Path(tmp)
        with SandboxStack(root / "sandbox", opportunities=100, sf_port=None, ironclad_port=None, fresh=True) as stack:
            env = {**stack.env(), "CONTRACTLOOP_API_KEY": key, "CONTRACTLOOP_DATA_DIR": str(root / "data")}
            with LangGraphServer(root / "langgraph", env, jobs=2) as server:
                assert server._process is not None
                pid = server._process.pid
                httpx.get(f"{server.url}/ok")
                print(f"server pid {pid}: RSS {current_rss_mib(pid):.0f} MiB, peak {peak_rss_mib(pid):.0f} MiB "
                      "before the hostile requests")
                for declared in (True, False):
                    results = concurrently(args.concurrent, lambda d=declared: send_big(  # type: ignore[misc]
                        server.url, "/ironclad/webhooks", args.megabytes, d))
                    how = "Content-Length" if declared else "chunked, no length"
                    print(f"{args.concurrent} x {args.megabytes} MB to /ironclad/webhooks ({how}): statuses "
                          f"{sorted(r[0] for r in results)}, answered in max {max(r[1] for r in results):.3f} s "
                          f"after at most {max(r[2] for r in results)} MiB sent; server peak RSS now "
                          f"{peak_rss_mib(pid):.0f} MiB")
                deep = b"[" * 100_000 + b"]" * 100_000
                with httpx.Client(base_url=server.url, timeout=30) as http:
                    for path, headers in (
                            ("/flow/opportunity-events", {"X-API-Key": key}),
                            ("/ironclad/webhooks", {"X-Ironclad-Webhook-Event-Id": "e",
                                                    "X-Ironclad-Webhook-Verification":
                                                        '{"nonce":"n","signAlgorithm":"RSA-SHA256","signature":"AA=="}'})):
                        started = time.monotonic()
                        answer = http.post(path, content=deep, headers={"Content-Type": "application/json", **headers})
                        print(f"JSON nested 100,000 deep to {path}: HTTP {answer.status_code} in "
                              f"{(time.monotonic() - started) * 1000:.1f} ms")
                    body = compact_json({"companyID": stack.ironclad.company_id, "timestamp": "2019-04-07T21:36:52.776Z",
                                         "webhookID": "hook", "payload": {"event": "workflow_completed",
                                                                         "workflowID": "0" * 24}})
                    answer = http.post("/ironclad/webhooks", content=body,
                                       headers=stack.ironclad.services.signer.headers("evt-2019", body))
                    print(f"validly signed webhook dated 2019: HTTP {answer.status_code} "
                          f"({answer.json().get('detail', '')[:60]})")
                print(f"server peak RSS after everything: {peak_rss_mib(pid):.0f} MiB")


if __name__ == "__main__":
    main()
