"""Fuzz: requests generated from the Flow API's own OpenAPI document get no 5xx from the running server.

The document is the one an admin downloads to register the External Service (`GET /flow/openapi.json`, with
the key). schemathesis turns each operation into a hypothesis strategy: valid requests (positive) and requests
that break the schema (negative: wrong types, missing fields, bad patterns), sent with the key over HTTP to
`langgraph dev`. Bounded and reproducible: a fixed number of examples per operation and mode, drawn
derandomised, no example database. Besides the 5xx count, each answer is checked against the document
(status documented, body of its schema), each negative request must be refused (4xx), every method a path does
not document must answer 405 naming the allowed ones, and every operation refuses a caller without the key.
Positive events may start runs for Opportunities that do not exist; those runs fail on their own, as they should.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisWarning, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi import checks

from benchmarks.trust.harness import Harness
from benchmarks.trust.registry import Figure, Scenario, equal, info

EXAMPLES, QUICK_EXAMPLES = 60, 15  # per operation and generation mode
OTHER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
REQUEST_TIMEOUT_SECONDS = 60.0


@dataclass
class FuzzTally:
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)  # "METHOD path -> status: body"
    transport_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)  # answered outside the document
    negative_accepted: list[str] = field(default_factory=list)  # a request breaking the schema got a 2xx
    nothing_to_break: list[str] = field(default_factory=list)  # an operation whose negative mode has no case


def _label(case: Any) -> str:
    return f"{case.method.upper()} {case.formatted_path}"


# schemathesis's own checks of each answer against the document; a server error is counted apart from them
CHECKS = (checks.status_code_conformance, checks.content_type_conformance, checks.response_schema_conformance,
          checks.negative_data_rejection)
SENT_KEYS = ("headers", "params", "json", "data")


def fuzz_operation(flow_url: str, api_key: str, operation: Any, mode: GenerationMode, examples: int,
                   tally: FuzzTally) -> None:
    """Send `examples` generated requests for one operation in one mode, tallying what came back."""
    client = httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS)

    @settings(max_examples=examples, database=None, derandomize=True, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url=flow_url, headers={"X-API-Key": api_key})
        tally.requests += 1
        try:
            response = client.request(kwargs["method"], kwargs["url"],
                                      **{k: kwargs[k] for k in SENT_KEYS if k in kwargs})
        except httpx.HTTPError as exc:
            tally.transport_errors.append(f"{_label(case)}: {type(exc).__name__}")
            return
        tally.by_status[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors.append(f"{_label(case)} -> {response.status_code}: {response.text[:200]}")
        try:
            case.validate_response(response, checks=list(CHECKS))
        except (Failure, FailureGroup) as exc:
            found = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
            for failure in found:
                bucket = tally.negative_accepted if "negative" in type(failure).__name__.lower() or \
                    "accepted" in str(getattr(failure, "title", "")).lower() else tally.nonconforming
                bucket.append(f"{_label(case)} -> {response.status_code}: {getattr(failure, 'title', failure)}")

    try:
        with warnings.catch_warnings():  # hypothesis-jsonschema re-registers the email formats on every schema
            warnings.simplefilter("ignore", HypothesisWarning)
            send()
    except Unsatisfiable:  # e.g. a path parameter any string satisfies: no request breaks the schema
        tally.nothing_to_break.append(f"{operation.method.upper()} {operation.path} ({mode.value})")
    finally:
        client.close()


def _undocumented_methods(http: httpx.Client, document: dict[str, Any]) -> tuple[int, list[str]]:
    """Every method a path does not document: (how many were sent, those not answered 405 with Allow)."""
    sent, wrong = 0, []
    for path, item in document["paths"].items():
        allowed = {m.upper() for m in item}
        concrete = path.replace("{opportunity_id}", "006000000000001AAA").replace("{thread_id}", "no-such-thread")
        for method in OTHER_METHODS:
            if method in allowed:
                continue
            sent += 1
            answer = http.request(method, concrete, json={})
            allow = {m.strip() for m in answer.headers.get("allow", "").split(",") if m.strip()}
            if answer.status_code != 405 or not allowed <= allow:
                wrong.append(f"{method} {path} -> {answer.status_code} (Allow: {answer.headers.get('allow')})")
    return sent, wrong


def _without_key(raw: httpx.Client, document: dict[str, Any]) -> list[str]:
    """Operations a caller without the key is not refused by (401)."""
    wrong = []
    for path, item in document["paths"].items():
        concrete = path.replace("{opportunity_id}", "006000000000001AAA").replace("{thread_id}", "no-such-thread")
        for method in item:
            answer = raw.request(method.upper(), concrete, json={})
            if answer.status_code != 401:
                wrong.append(f"{method.upper()} {path} -> {answer.status_code}")
    return wrong


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    assert harness is not None
    flow = harness.flow
    started = time.monotonic()
    examples = QUICK_EXAMPLES if quick else EXAMPLES
    with flow.http() as http, flow.raw() as raw:
        fetched = http.get("/flow/openapi.json")
        fetched.raise_for_status()
        document = fetched.json()
        schema = schemathesis.openapi.from_dict(document)
        tally = FuzzTally()
        operations = []
        for result in schema.get_all_operations():
            if isinstance(result, Err):  # the served document itself is broken: that is the finding
                raise result.err()
            operations.append(result.ok())
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                fuzz_operation(flow.url, flow.api_key, operation, mode, examples, tally)
        methods_sent, methods_wrong = _undocumented_methods(http, document)
        keyless_wrong = _without_key(raw, document)
        still_answering = http.get("/flow/openapi.json").status_code == 200
    figures = [
        equal("5xx answers", len(tally.server_errors), 0),
        equal("transport errors", len(tally.transport_errors), 0),
        equal("answers outside the document", len(tally.nonconforming), 0),
        equal("schema-breaking requests accepted", len(tally.negative_accepted), 0),
        equal("undocumented methods not answered 405", len(methods_wrong), 0),
        equal("operations open without the key", len(keyless_wrong), 0),
        equal("server answering afterwards", still_answering, True),
        info("operations fuzzed", len(operations)),
        info("requests sent", tally.requests),
        info("answers by status", dict(sorted(tally.by_status.items()))),
        info("undocumented methods sent", methods_sent),
        info("modes with no case to generate", ", ".join(tally.nothing_to_break) or "none"),
        info("seconds", round(time.monotonic() - started, 1)),
    ]
    examples_of = tally.server_errors + tally.transport_errors + tally.nonconforming + tally.negative_accepted \
        + methods_wrong + keyless_wrong
    if examples_of:
        figures.append(info("first findings", " | ".join(examples_of[:4])))
    return figures


SCENARIO = Scenario(
    name="fuzz",
    proves=f"requests generated from the Flow OpenAPI document ({EXAMPLES} valid and {EXAMPLES} schema-breaking "
           "per operation) get no 5xx, are answered as documented, and wrong methods get 405",
    runner=run, needs_server=True)
