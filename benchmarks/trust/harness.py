"""What the trust scenarios run against: the sandboxes and the Flow server, wired as `contractloop serve` runs them.

`FlowServer.start()` seeds a Salesforce org and an Ironclad tenant (`sandbox/stack.py`) on free loopback ports and
starts `langgraph dev` serving the graph and the Flow routes (`LangGraphServer`) pointed at them; the offline
engine drafts (no model endpoint is configured). tests/fixtures/server.py builds its `flow_server` fixture on it.
Everything a scenario measures is read back over HTTP or from the sandboxes' own stores afterwards.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from contractloop.commands.serve import LangGraphServer
from sandbox.stack import SandboxStack
from tools.ironclad import IroncladClient

FLOW_SERVER_OPPORTUNITIES = 60
SETTLED = frozenset({"awaiting_approval", "launched", "rejected", "failed"})
FINAL = SETTLED - {"awaiting_approval"}


@dataclass
class FlowServer:
    """The sandboxes and the LangGraph server wired together."""

    stack: SandboxStack
    server: LangGraphServer
    api_key: str
    data_dir: Path  # the server's CONTRACTLOOP_DATA_DIR (its ledgers, the Q&A contract store)

    @classmethod
    @contextmanager
    def running(cls, root: Path, *, opportunities: int = FLOW_SERVER_OPPORTUNITIES, seed: int = 7, jobs: int = 4,
                env: Mapping[str, str] | None = None) -> Iterator[FlowServer]:
        """Both sandboxes (fresh, in `root/sandbox`) and `langgraph dev` (in `root/langgraph`), all on free ports."""
        api_key = secrets.token_urlsafe(16)
        with SandboxStack(root / "sandbox", opportunities=opportunities, seed=seed, sf_port=None,
                          ironclad_port=None, fresh=True) as stack:
            server_env = {**stack.env(), "CONTRACTLOOP_API_KEY": api_key,
                          "CONTRACTLOOP_DATA_DIR": str(root / "data"), **(env or {})}
            (root / "langgraph").mkdir(parents=True, exist_ok=True)
            with LangGraphServer(root / "langgraph", server_env, jobs=jobs) as server:
                yield cls(stack, server, api_key, root / "data")

    @property
    def url(self) -> str:
        return self.server.url

    def http(self, timeout: float = 30) -> httpx.Client:
        """A client for the Flow routes, carrying the API key as a Flow's Named Credential would."""
        return httpx.Client(base_url=self.url, headers={"X-API-Key": self.api_key}, timeout=timeout)

    def raw(self, timeout: float = 30) -> httpx.Client:
        """A client with no key (Ironclad's webhook deliveries carry a signature instead)."""
        return httpx.Client(base_url=self.url, timeout=timeout)

    def ironclad_client(self) -> IroncladClient:
        ic = self.stack.ironclad
        return IroncladClient(ic.base_url, ic.client_id, ic.client_secret, ic.user_email)


@dataclass
class Harness:
    """A running `FlowServer` in a temporary directory, shared by the scenarios of one suite run."""

    flow: FlowServer
    root: Path

    @classmethod
    @contextmanager
    def start(cls, *, opportunities: int = FLOW_SERVER_OPPORTUNITIES, jobs: int = 4) -> Iterator[Harness]:
        root = Path(tempfile.mkdtemp(prefix="trust-suite-"))
        try:
            with FlowServer.running(root, opportunities=opportunities, jobs=jobs) as flow:
                yield cls(flow, root)
        finally:
            shutil.rmtree(root, ignore_errors=True)


# --- what scenarios share ---------------------------------------------------------------------------------------

def event(opportunity_id: str, event_id: str | None = None) -> dict[str, str]:
    return {"opportunity_id": opportunity_id, "stage": "Contracting", "event_id": event_id or uuid.uuid4().hex}


def poll(http: httpx.Client, path: str, done: Callable[[dict[str, Any]], bool], timeout: float = 120.0,
         interval: float = 0.3) -> dict[str, Any]:
    """GET `path` until `done(body)`; a non-200 answer counts as a status named after it. On timeout, the last
    body, with `"timed_out": True` (a scenario counts it as lost rather than crashing)."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while True:
        try:
            response = http.get(path)
            body = response.json() if response.status_code == 200 else {"status": f"http {response.status_code}"}
        except httpx.HTTPError as exc:
            body = {"status": f"transport error {type(exc).__name__}"}
        if done(body):
            return body
        if time.monotonic() > deadline:
            return {**body, "timed_out": True}
        time.sleep(interval)


def workflows_by_opportunity(flow: FlowServer) -> dict[str, list[dict[str, Any]]]:
    """Every Ironclad workflow the tenant holds, grouped by the Salesforce Opportunity its attributes name
    (read from the sandbox's own store, so an injected API fault cannot hide one)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for workflow in flow.stack.ironclad.services.store.all("workflow"):
        opportunity = (workflow.get("attributes") or {}).get("salesforceOpportunityId") or "?"
        found.setdefault(str(opportunity)[:15], []).append(workflow)
    return found


def duplicated_workflows(workflows: list[dict[str, Any]]) -> int:
    """Workflows beyond one per template (an Opportunity's agreement, its addendum) among `workflows`."""
    return len(workflows) - len({w["template"] for w in workflows})


def signed_delivery(flow: FlowServer, workflow_id: str, event_id: str, *, event_name: str = "workflow_completed",
                    signer: Any = None, timestamp: str | None = None) -> tuple[dict[str, str], str]:
    """A webhook delivery as the Ironclad tenant signs it: (headers, compact JSON body)."""
    ic = flow.stack.ironclad
    timestamp = timestamp or datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = json.dumps({"companyID": ic.company_id, "timestamp": timestamp, "webhookID": "hook-trust",
                       "payload": {"event": event_name, "workflowID": workflow_id}}, separators=(",", ":"))
    return (signer or ic.services.signer).headers(event_id, body), body


@contextmanager
def record_updates(flow: FlowServer) -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
    """Every update the Salesforce sandbox's store applies while inside, as (object, 15-character id, fields):
    what reached the org through REST, Composite or Bulk, whichever client sent it."""
    store = flow.stack.salesforce.store
    seen: list[tuple[str, str, dict[str, Any]]] = []
    original = store.update

    def update(obj: str, record_id: str, fields: dict) -> None:
        original(obj, record_id, fields)
        seen.append((obj, str(record_id)[:15], dict(fields)))

    store.update = update  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del store.update  # the instance attribute goes; the class's method is back


def write_backs(updates: list[tuple[str, str, dict[str, Any]]], opportunity_id: str) -> int:
    """Updates that wrote an Ironclad workflow id onto the Opportunity (the drafting run's write-back)."""
    return sum(1 for obj, record_id, fields in updates
               if obj == "Opportunity" and record_id == opportunity_id[:15] and fields.get("Ironclad_Workflow_Id__c"))


def settle(http: httpx.Client, opportunity_id: str, timeout: float = 120.0, reviewer: str = "trust suite") -> dict:
    """Wait for the Opportunity's run to end, approving it (as the deal desk would) if it waits for a person."""
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = poll(http, f"/flow/opportunities/{opportunity_id}", lambda s: s.get("status") in SETTLED,
                      timeout=max(1.0, deadline - time.monotonic()))
        if status.get("status") != "awaiting_approval":
            return status
        http.post("/flow/approvals", json={"opportunity_id": opportunity_id, "decision": "approve",
                                           "reviewer": reviewer})
        poll(http, f"/flow/opportunities/{opportunity_id}", lambda s: s.get("status") != "awaiting_approval",
             timeout=max(1.0, deadline - time.monotonic()))
    return {**status, "timed_out": True}


SYNC_FINAL = ("completed", "rejected", "failed")


def poll_until(http: httpx.Client, path: str, final: tuple[str, ...], deadline: float) -> dict[str, Any]:
    """GET `path` until its status is final or a person is asked (`awaiting_approval`), or `deadline` passes."""
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = http.get(path)
        body = response.json() if response.status_code == 200 else {"status": f"http {response.status_code}"}
        if body.get("status") in final or body.get("status") == "awaiting_approval":
            return body
        time.sleep(0.3)
    return {**body, "timed_out": True}


def sync_to_end(flow: FlowServer, raw: httpx.Client, http: httpx.Client, workflow_id: str, deadline: float,
                event_prefix: str = "evt-trust") -> dict[str, Any]:
    """The signed `workflow_completed` delivery, then the sync to its end; each decision it asks for (the write
    plan, then a renewal planned after it) is approved once, as the deal desk would. Its last status."""
    headers, body = signed_delivery(flow, workflow_id, f"{event_prefix}-{uuid.uuid4().hex}")
    answer = raw.post("/ironclad/webhooks", content=body, headers=headers)
    if answer.status_code != 202:
        return {"status": f"webhook http {answer.status_code}"}
    path = f"/ironclad/workflows/{workflow_id}/sync"
    status, approved = poll_until(http, path, SYNC_FINAL, deadline), set()
    while status.get("status") == "awaiting_approval" and time.monotonic() < deadline:
        asked = str(status.get("awaiting"))
        if asked not in approved:
            http.post("/flow/approvals", json={"thread_id": status["thread_id"], "decision": "approve",
                                               "reviewer": "trust suite"})
            approved.add(asked)
        time.sleep(0.3)
        status = poll_until(http, path, SYNC_FINAL, deadline)
    return status
