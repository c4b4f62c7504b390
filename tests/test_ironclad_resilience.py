"""The client under pressure, over real HTTP: rate limits, injected 5xx, expired tokens, and launches that are
retried, fail ambiguously or race, which must still leave exactly one workflow per key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from typing import Any

import httpx
import pytest

from sandbox.ironclad import IroncladSandbox, RateLimits
from tests.fixtures.ironclad import ORDER_FORM_TEMPLATE_ID, client_for, order_form_attributes
from tools.ironclad import IroncladClient, IroncladRateLimitedError, IroncladServerError


def _faults(sandbox: IroncladSandbox, **plan: Any) -> None:
    httpx.post(f"{sandbox.base_url}/_sandbox/faults", json=plan).raise_for_status()


def _workflows_with_key(client: IroncladClient, key: str) -> list[Any]:
    return list(client.iter_workflows(status="active,paused,completed,cancelled",
                                      filter=f"Equals([contractloopKey], '{key}')"))


def test_rate_limited_writes_wait_and_succeed(make_ironclad_sandbox: Any) -> None:
    sandbox = make_ironclad_sandbox(rate_limits=RateLimits(workflows_write=3, window_seconds=1.0))
    with httpx.Client(base_url=sandbox.base_url) as raw, client_for(sandbox) as client:
        started = time.monotonic()
        launched = [client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes()) for _ in range(7)]
        elapsed = time.monotonic() - started
        assert len({w.id for w in launched}) == 7
        assert elapsed >= 1.0  # 7 writes through a 3-per-second bucket cannot finish in under two windows

        token = client._access_token()
        headers = {"Authorization": f"Bearer {token}", "x-as-user-email": sandbox.user_email}
        body = {"template": ORDER_FORM_TEMPLATE_ID, "attributes": order_form_attributes()}
        answers = [raw.post("/public/api/v1/workflows", json=body, headers=headers) for _ in range(4)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited and limited[0].json()["code"] == "TOO_MANY_REQUESTS"
        assert float(limited[0].headers["Retry-After"]) > 0

    with client_for(sandbox, max_retries=0) as impatient:
        with pytest.raises(IroncladRateLimitedError) as err:
            for _ in range(5):
                impatient.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        assert err.value.retry_after is not None and err.value.status == 429


def test_server_errors_are_retried_then_surface(ironclad_sandbox: IroncladSandbox) -> None:
    with client_for(ironclad_sandbox) as client:
        workflow = client.launch_workflow(ORDER_FORM_TEMPLATE_ID, order_form_attributes())
        _faults(ironclad_sandbox, status=503, count=2, method="GET")
        assert client.get_workflow(workflow.id).id == workflow.id
    with client_for(ironclad_sandbox, max_retries=1) as client:
        _faults(ironclad_sandbox, status=500, count=3, method="GET")
        with pytest.raises(IroncladServerError) as err:
            client.get_workflow(workflow.id)
        assert err.value.status == 500
    _faults(ironclad_sandbox, count=0)


def test_expired_token_is_refreshed(ironclad_sandbox: IroncladSandbox) -> None:
    with client_for(ironclad_sandbox) as client:
        first = client._access_token()
        assert client.list_schemas()
        httpx.post(f"{ironclad_sandbox.base_url}/_sandbox/tokens/expire").raise_for_status()
        assert client.list_schemas()
        assert client._access_token() != first


def test_same_launch_retried_three_times_makes_one_workflow(ironclad_client: IroncladClient) -> None:
    key = f"opp-{uuid.uuid4().hex[:10]}"
    results = [ironclad_client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), key)
               for _ in range(3)]
    assert [r.created for r in results] == [True, False, False]
    assert len({r.workflow.id for r in results}) == 1
    assert len(_workflows_with_key(ironclad_client, key)) == 1


def test_idempotent_launch_refuses_a_template_without_the_key_attribute(make_ironclad_sandbox: Any,
                                                                         tmp_path: Any) -> None:
    from tests.fixtures.ironclad import IRONCLAD_TEST_TEMPLATES

    text = (IRONCLAD_TEST_TEMPLATES / "order_form.yaml").read_text()
    without_key = text.replace("  contractloopKey:\n    type: string\n    displayName: Contractloop Key\n", "")
    assert without_key != text
    (tmp_path / "order_form.yaml").write_text(without_key)
    sandbox = make_ironclad_sandbox(templates_dir=tmp_path)
    with client_for(sandbox) as client, pytest.raises(ValueError, match="contractloopKey"):
        client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), "opp-nokey")
    with client_for(sandbox) as client:
        assert client.list_workflows(status="active,paused,completed,cancelled").count == 0


def test_launch_that_failed_after_the_write_is_not_duplicated(ironclad_sandbox: IroncladSandbox,
                                                             ironclad_client: IroncladClient) -> None:
    key = f"opp-{uuid.uuid4().hex[:10]}"
    _faults(ironclad_sandbox, status=502, count=1, method="POST", path_prefix="/public/api/v1/workflows",
            after_processing=True)
    result = ironclad_client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), key,
                                                        settle_timeout=1.0)
    assert result.created is True
    assert [w.id for w in _workflows_with_key(ironclad_client, key)] == [result.workflow.id]


def test_launch_that_timed_out_client_side_is_not_duplicated(ironclad_sandbox: IroncladSandbox) -> None:
    key = f"opp-{uuid.uuid4().hex[:10]}"
    _faults(ironclad_sandbox, latency_ms=1500, count=1, method="POST", path_prefix="/public/api/v1/workflows",
            after_processing=True)
    with client_for(ironclad_sandbox, timeout=0.5) as client:
        result = client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), key,
                                                   settle_timeout=2.0)
        again = client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), key)
        assert again.created is False and again.workflow.id == result.workflow.id
        assert len(_workflows_with_key(client, key)) == 1


_RACER = textwrap.dedent("""
    import json, os, time
    from tools.ironclad import IroncladClient
    from tests.fixtures.ironclad import ORDER_FORM_TEMPLATE_ID, order_form_attributes
    client = IroncladClient(os.environ["IC_URL"], os.environ["IC_ID"], os.environ["IC_SECRET"], os.environ["IC_USER"])
    time.sleep(max(0.0, float(os.environ["GO_AT"]) - time.time()))
    result = client.launch_workflow_idempotent(ORDER_FORM_TEMPLATE_ID, order_form_attributes(), os.environ["KEY"])
    print(json.dumps({"id": result.workflow.id, "created": result.created}))
""")


def test_racing_processes_converge_on_one_live_workflow(ironclad_sandbox: IroncladSandbox,
                                                        ironclad_client: IroncladClient) -> None:
    key = f"opp-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "IC_URL": ironclad_sandbox.base_url, "IC_ID": ironclad_sandbox.client_id,
           "IC_SECRET": ironclad_sandbox.client_secret, "IC_USER": ironclad_sandbox.user_email, "KEY": key,
           "GO_AT": str(time.time() + 2.5)}
    racers = [subprocess.Popen([sys.executable, "-c", _RACER], env=env, stdout=subprocess.PIPE, text=True)
              for _ in range(3)]
    outcomes = [json.loads(p.communicate(timeout=60)[0]) for p in racers]
    assert len({o["id"] for o in outcomes}) == 1
    assert sum(o["created"] for o in outcomes) == 1
    every = _workflows_with_key(ironclad_client, key)
    live = [w for w in every if w.status != "cancelled"]
    assert [w.id for w in live] == [outcomes[0]["id"]]


def test_a_seeded_fault_rate_answers_429_and_5xx_to_that_share_of_requests(ironclad_sandbox: IroncladSandbox) -> None:
    with client_for(ironclad_sandbox) as client:
        token = client._access_token()
    headers = {"Authorization": f"Bearer {token}", "x-as-user-email": ironclad_sandbox.user_email}
    patterns = []
    with httpx.Client(base_url=ironclad_sandbox.base_url, headers=headers) as raw:
        for seed in (11, 11, 12):
            _faults(ironclad_sandbox, count=1000, rate=0.3, seed=seed, statuses=[429, 500, 503], retry_after=0.1,
                    method="GET")
            answers = [raw.get("/public/api/v1/workflow-schemas") for _ in range(100)]
            patterns.append([a.status_code for a in answers])
            stats = raw.get("/_sandbox/faults").json()
            assert stats["matched"] == 100 and stats["faulted"] == sum(a.status_code != 200 for a in answers)
        limited = next(a for a in answers if a.status_code == 429)
        assert limited.json()["code"] == "TOO_MANY_REQUESTS" and limited.headers["Retry-After"] == "0.1"
    _faults(ironclad_sandbox, count=0)
    assert patterns[0] == patterns[1] != patterns[2]
    assert set(patterns[0]) == {200, 429, 500, 503}
    assert 15 <= sum(code != 200 for code in patterns[0]) <= 45
