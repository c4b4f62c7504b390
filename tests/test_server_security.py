"""The server's front door, over real HTTP against `langgraph dev`: no route answers without the key
(whatever other headers say), no origin is allowed by CORS unless configured, and hostile bodies are
refused before they are read (size) or parsed (depth)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from langgraph_sdk import get_client
from starlette.testclient import TestClient

from tests.fixtures.server import FlowServer

pytestmark = pytest.mark.slow

STUDIO_HEADER = {"x-auth-scheme": "langsmith"}
PROTECTED = [
    ("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/info"), ("GET", "/metrics"), ("GET", "/"),
    ("POST", "/threads"), ("POST", "/threads/search"), ("POST", "/runs/wait"), ("POST", "/runs/stream"),
    ("POST", "/assistants/search"), ("GET", "/assistants/contractloop"), ("PUT", "/store/items"),
    ("POST", "/store/items/search"), ("POST", "/flow/opportunity-events"), ("POST", "/flow/approvals"),
    ("GET", "/flow/opportunities/006000000000001AAA"), ("GET", "/flow/threads/x"), ("GET", "/flow/openapi.json"),
    ("GET", "/ironclad/workflows/abc/sync"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_route_answers_without_the_key_whatever_the_headers_say(flow_server: FlowServer, method: str,
                                                                   path: str) -> None:
    with httpx.Client(base_url=flow_server.url, timeout=10) as anonymous:
        for headers in ({}, STUDIO_HEADER, {**STUDIO_HEADER, "X-API-Key": "a-guess"},
                        {"Authorization": "Bearer lsv2_pt_fake"}):
            response = anonymous.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (headers, response.text)


def test_the_health_check_stays_open_and_the_key_opens_everything_else(flow_server: FlowServer) -> None:
    with httpx.Client(base_url=flow_server.url, timeout=10) as anonymous:
        assert anonymous.get("/ok").status_code == 200
    with flow_server.http() as http:
        assert http.get("/docs").status_code == 200
        assert http.get("/openapi.json").json()["paths"]
        assert http.get("/flow/openapi.json").json()["openapi"].startswith("3.0")
        assert http.post("/assistants/search", json={}).status_code == 200


def test_the_langgraph_sdk_with_the_studio_scheme_but_no_key_can_do_nothing(flow_server: FlowServer) -> None:
    async def attempts() -> list[int]:
        client = get_client(url=flow_server.url, api_key=None, headers=STUDIO_HEADER)
        codes = []
        for call in (lambda: client.threads.create(), lambda: client.assistants.search(),
                     lambda: client.runs.wait(None, "contractloop", input={}),
                     lambda: client.store.search_items(("x",))):
            try:
                await call()
                codes.append(200)
            except httpx.HTTPStatusError as exc:
                codes.append(exc.response.status_code)
        keyed = get_client(url=flow_server.url, api_key=flow_server.api_key)
        await keyed.assistants.search()  # the same SDK with the key works
        return codes

    assert asyncio.run(attempts()) == [401, 401, 401, 401]


def test_cors_allows_no_origin_by_default(flow_server: FlowServer) -> None:
    origin = {"Origin": "https://evil.example"}
    with flow_server.http() as http:
        preflight = http.options("/threads", headers={**origin, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "x-api-key"})
        simple = http.post("/assistants/search", json={}, headers=origin)
    assert preflight.status_code == 403
    assert not any(k.lower().startswith("access-control-") for k in preflight.headers)
    assert simple.status_code == 200
    assert not any(k.lower().startswith("access-control-") for k in simple.headers)


@pytest.fixture
def studio_origin_app(tmp_path: Path, flow_api_key: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from api.app import build_app
    from core.settings import get_settings

    monkeypatch.setenv("CONTRACTLOOP_CORS_ORIGINS", "https://smith.langchain.com, https://studio.example")
    get_settings.cache_clear()
    with TestClient(build_app(tmp_path / "ledger.sqlite")) as client:
        yield client


def test_a_configured_origin_is_allowed_and_still_needs_the_key(studio_origin_app: TestClient,
                                                                flow_api_key: str) -> None:
    origin = {"Origin": "https://smith.langchain.com"}
    preflight = studio_origin_app.options("/flow/opportunities/006000000000001AAA", headers={
        **origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-api-key"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://smith.langchain.com"
    assert "x-api-key" in preflight.headers["access-control-allow-headers"]
    keyless = studio_origin_app.get("/flow/opportunities/006000000000001AAA", headers=origin)
    keyed = studio_origin_app.get("/flow/opportunities/006000000000001AAA", headers={**origin,
                                                                                     "X-API-Key": flow_api_key})
    assert (keyless.status_code, keyed.status_code) == (401, 404)
    assert keyed.headers["access-control-allow-origin"] == "https://smith.langchain.com"


# --- bounded input -----------------------------------------------------------------------------------

def _raw_exchange(url: str, head: bytes, body: bytes = b"") -> tuple[int, float]:
    """Send a request head (and some body) on a plain socket; the status line and how long it took."""
    parts = urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = sock.recv(4096)
    return int(answer.split(b" ", 2)[1]), time.monotonic() - started


def test_a_huge_declared_body_is_refused_before_it_is_read(flow_server: FlowServer) -> None:
    for path in ("/ironclad/webhooks", "/flow/opportunity-events", "/threads"):
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"X-API-Key: {flow_server.api_key}\r\nContent-Length: {200 * 1024 * 1024}\r\n\r\n").encode()
        status, took = _raw_exchange(flow_server.url, head, b"{")  # the 200 MB never follow
        assert status == 413, path
        assert took < 5


def test_a_streamed_body_is_cut_off_at_the_cap(flow_server: FlowServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"opportunity_id": "'
        for _ in range(64):  # 4 MiB, four times the Flow routes' cap, with no Content-Length
            yield b"x" * 65536

    with flow_server.http() as http:
        response = http.post("/flow/opportunity-events", content=chunks(),
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_absurdly_nested_json_is_a_client_error_not_a_crash(flow_server: FlowServer) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with flow_server.http() as http:
        flow = http.post("/flow/opportunity-events", content=deep, headers={"Content-Type": "application/json"})
        approval = http.post("/flow/approvals", content=b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                             headers={"Content-Type": "application/json"})
        webhook = http.post("/ironclad/webhooks", content=deep, headers={
            "Content-Type": "application/json", "X-Ironclad-Webhook-Event-Id": "evt-deep",
            "X-Ironclad-Webhook-Verification": '{"nonce":"n","signAlgorithm":"RSA-SHA256","signature":"AAAA"}'})
    assert (flow.status_code, approval.status_code, webhook.status_code) == (422, 422, 400)
    assert "nested" in flow.json()["detail"] and "nested" in webhook.json()["detail"]


def test_studio_reaches_the_keyed_server_through_the_loopback_proxy(flow_server: FlowServer) -> None:
    from contractloop.studio_proxy import STUDIO_ORIGIN, build_proxy
    from sandbox.http import BackgroundServer

    with BackgroundServer(build_proxy(flow_server.url, flow_server.api_key)) as proxy, \
            httpx.Client(base_url=proxy.url, timeout=30) as studio:
        studio_origin = {"Origin": STUDIO_ORIGIN, **STUDIO_HEADER}  # what the Studio page sends, without a key
        preflight = studio.options("/assistants/search", headers={
            **studio_origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
        assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == STUDIO_ORIGIN
        assistants = studio.post("/assistants/search", json={}, headers=studio_origin)
        assert assistants.status_code == 200 and assistants.headers["access-control-allow-origin"] == STUDIO_ORIGIN
        assert any(a["graph_id"] == "contractloop" for a in assistants.json())
        graph = studio.get(f"/assistants/{assistants.json()[0]['assistant_id']}/graph", headers=studio_origin)
        assert graph.status_code == 200 and "supervisor" in graph.text
        assert studio.post("/assistants/search", json={},
                           headers={"Origin": "https://evil.example"}).status_code == 403
