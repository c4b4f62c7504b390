"""API accounting (`Sforce-Limit-Info`, REQUEST_LIMIT_EXCEEDED) and fault injection, seen at the HTTP level."""

from __future__ import annotations

import time

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from sandbox.salesforce.server import SalesforceSandbox


def _control(sandbox: SalesforceSandbox, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{sandbox.instance_url}{path}", verify=str(sandbox.ca_pem), timeout=30, **kwargs)


def test_every_call_is_counted_and_reported(fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    sandbox.reset_usage()
    sf = sandbox.client()
    sf.query("SELECT Id FROM Account LIMIT 1")
    sf.Account.describe()
    sf.restful("composite", method="POST", json={"compositeRequest": [
        {"method": "GET", "url": "/services/data/v59.0/sobjects/Account/describe", "referenceId": "a"},
        {"method": "GET", "url": "/services/data/v59.0/sobjects/Contact/describe", "referenceId": "b"}]})
    assert sandbox.api_calls == 3  # a composite request is one API call
    usage = sf.api_usage["api-usage"]
    assert (usage.used, usage.total) == (3, sandbox.api.usage.daily_limit)
    assert _control(sandbox, "GET", "/_sandbox/usage").json() == {
        "api_calls": 3, "daily_limit": sandbox.api.usage.daily_limit}
    assert sf.limits()["DailyApiRequests"]["Remaining"] == sandbox.api.usage.daily_limit - 4
    assert sandbox.api_calls == 4

    _control(sandbox, "DELETE", "/_sandbox/usage")
    assert sandbox.api_calls == 0


def test_request_limit_exceeded_past_the_daily_allocation(fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    sandbox.reset_usage(daily_limit=3)
    sf = sandbox.client()
    for _ in range(3):
        sf.query("SELECT Id FROM Account LIMIT 1")
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.query("SELECT Id FROM Account LIMIT 1")
    assert refused.value.status == 403
    assert refused.value.content == [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]
    assert sandbox.api_calls == 3
    sandbox.reset_usage(daily_limit=100)
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1


def test_row_lock_faults_hit_only_matching_requests(fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    sf = sandbox.client()
    account_id = sf.Account.create({"Name": "Locked Co"})["id"]
    added = _control(sandbox, "POST", "/_sandbox/faults",
                     json={"kind": "UNABLE_TO_LOCK_ROW", "count": 2, "path": "/sobjects/Account/", "method": "PATCH"})
    assert added.status_code == 201 and added.json()[0]["count"] == 2

    assert sf.Account.get(account_id)["Name"] == "Locked Co"  # GET does not match the rule
    for _ in range(2):
        with pytest.raises(SalesforceMalformedRequest) as locked:
            sf.Account.update(account_id, {"Name": "Renamed Co"})
        assert locked.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
        assert sf.Account.get(account_id)["Name"] == "Locked Co"
    assert sf.Account.update(account_id, {"Name": "Renamed Co"}) == 204
    assert _control(sandbox, "GET", "/_sandbox/faults").json() == []


def test_unavailable_latency_and_clearing(fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    sf = sandbox.client()
    sandbox.inject("SERVER_UNAVAILABLE", count=1, path="/query")
    with pytest.raises(SalesforceGeneralError) as unavailable:
        sf.query("SELECT Id FROM Account LIMIT 1")
    assert unavailable.value.status == 503
    assert unavailable.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"

    _control(sandbox, "POST", "/_sandbox/faults", json={"kind": "LATENCY", "latency_ms": 300, "count": 1})
    started = time.monotonic()
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1
    assert time.monotonic() - started >= 0.3

    sandbox.inject("SERVER_UNAVAILABLE", count=5)
    assert _control(sandbox, "DELETE", "/_sandbox/faults").status_code == 204
    assert sf.query("SELECT Id FROM Account LIMIT 1")["totalSize"] == 1

    bad_rule = _control(sandbox, "POST", "/_sandbox/faults", json={"kind": "EXPLODE"})
    assert bad_rule.status_code == 400
    bad_regex = _control(sandbox, "POST", "/_sandbox/faults", json={"kind": "LATENCY", "path": "("})
    assert bad_regex.status_code == 400


def _locked_pattern(sandbox: SalesforceSandbox, account_id: str, seed: int) -> list[bool]:
    sf = sandbox.client()
    _control(sandbox, "DELETE", "/_sandbox/faults/injected")
    _control(sandbox, "POST", "/_sandbox/faults", json={"kind": "UNABLE_TO_LOCK_ROW", "count": 1000, "rate": 0.25,
                                                        "seed": seed, "path": "/sobjects/Account/", "method": "GET"})
    pattern = []
    for _ in range(80):
        try:
            sf.Account.get(account_id)
            pattern.append(False)
        except SalesforceMalformedRequest:
            pattern.append(True)
    _control(sandbox, "DELETE", "/_sandbox/faults")
    return pattern


def test_a_seeded_fault_rate_hits_that_share_of_requests_and_the_same_ones_again(
        fresh_sf_sandbox: SalesforceSandbox) -> None:
    sandbox = fresh_sf_sandbox
    account_id = sandbox.client().Account.create({"Name": "Sometimes Locked Co"})["id"]
    first = _locked_pattern(sandbox, account_id, seed=3)
    assert _control(sandbox, "GET", "/_sandbox/faults/injected").json() == {"UNABLE_TO_LOCK_ROW": sum(first)}
    assert 8 <= sum(first) <= 32  # about a quarter of 80
    assert _locked_pattern(sandbox, account_id, seed=3) == first
    assert _locked_pattern(sandbox, account_id, seed=4) != first
