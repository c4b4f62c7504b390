"""The typed Salesforce client against the sandbox org, over real HTTPS with an unmodified simple-salesforce."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import settings_from
from sandbox.salesforce.server import SalesforceSandbox
from tools.salesforce import SalesforceClient
from tools.salesforce.errors import (
    ApiLimitExceeded,
    InvalidRequest,
    RecordNotFound,
    WriteNotAllowed,
    WritePlanFailed,
)
from tools.write_plan import WriteOp, WritePlan


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(tmp_path_factory.mktemp("sf-client"), opportunities=60, seed=11) as sandbox:
        yield sandbox


def client_for(org: SalesforceSandbox, **overrides: object) -> SalesforceClient:
    settings = settings_from(org.env(), **overrides)
    client = SalesforceClient.from_settings(settings)
    client.backoff_base = 0.01  # keep retries quick in tests
    return client


@pytest.fixture
def sf(org: SalesforceSandbox) -> SalesforceClient:
    org.faults.clear()
    org.reset_usage()
    return client_for(org)


def contracting_id(sf: SalesforceClient) -> str:
    rows = sf.query("SELECT Id FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC LIMIT 1")
    assert rows, "the seed must put some opportunities in Contracting"
    return rows[0]["Id"]


def test_bundle_is_one_soql_call_and_fully_typed(org: SalesforceSandbox, sf: SalesforceClient) -> None:
    opp_id = contracting_id(sf)
    org.reset_usage()
    bundle = sf.read_opportunity_bundle(opp_id)
    assert org.api_calls == 1
    assert bundle.id == opp_id and bundle.stage == "Contracting"
    assert bundle.account.name and bundle.region in {"NA", "EMEA", "APAC", "LATAM"}
    assert bundle.contacts and sum(c.is_primary for c in bundle.contacts) == 1
    assert bundle.line_items and all(li.product_name for li in bundle.line_items)
    assert float(sum(li.total_price for li in bundle.line_items)) == pytest.approx(float(bundle.amount or 0))
    assert bundle.quote is not None and bundle.quote.lines
    assert sf.api_usage is not None and sf.api_usage.used >= 1


def test_unknown_opportunity_is_a_typed_not_found(sf: SalesforceClient) -> None:
    with pytest.raises(RecordNotFound):
        sf.read_opportunity_bundle("006000000000000AAA")


def test_malformed_query_is_a_clear_invalid_request(sf: SalesforceClient) -> None:
    with pytest.raises(InvalidRequest) as err:
        sf.query("SELECT Id FROM Opportunity WHERE")
    assert err.value.error_code == "MALFORMED_QUERY"


def _five_object_plan(sf: SalesforceClient, correlation: str, key: str) -> WritePlan:
    bundle = sf.read_opportunity_bundle(contracting_id(sf))
    return WritePlan(correlation_id=correlation, operations=[
        WriteOp(ref="opp", action="update", sobject="Opportunity", record_id=bundle.id,
                fields={"Ironclad_Status__c": "Review", "Contract_Risk_Score__c": 12}),
        WriteOp(ref="acct", action="update", sobject="Account", record_id=bundle.account.id,
                fields={"Auto_Renewal__c": True, "Renewal_Notice_Days__c": 60}),
        WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=f"{key}-insight",
                fields={"Opportunity__c": bundle.id, "Account__c": bundle.account.id, "Governing_Law__c": "Delaware",
                        "Payment_Terms_Days__c": 45}),
        WriteOp(ref="obligation", action="upsert", sobject="Contract_Obligation__c",
                external_id=f"{key}-obligation-1",
                fields={"Contract_Insight__c": "@{insight.id}", "Account__c": bundle.account.id,
                        "Description__c": "Quarterly business review", "Obligated_Party__c": "Provider"}),
        WriteOp(ref="task", action="upsert", sobject="Task", external_id=f"{key}-task-1",
                fields={"Subject": "Prepare quarterly business review", "WhatId": bundle.id,
                        "ActivityDate": "2027-03-31", "Status": "Not Started", "Priority": "Normal"}),
    ])


def test_five_object_plan_is_one_call_idempotent_and_traceable(org: SalesforceSandbox, sf: SalesforceClient) -> None:
    plan = _five_object_plan(sf, "cl-test-five-objects", "five")
    org.reset_usage()
    first = sf.apply(plan)
    assert org.api_calls == 1
    assert all(r.success for r in first)
    assert {r.ref: r.created for r in first if r.action == "upsert"} == {
        "insight": True, "obligation": True, "task": True}

    second = sf.apply(plan)
    assert [r.created for r in second if r.action == "upsert"] == [False, False, False]
    insights = sf.query("SELECT Id, Contractloop_Correlation_Id__c FROM Contract_Insight__c "
                        "WHERE External_Key__c = 'five-insight'")
    assert len(insights) == 1 and insights[0]["Contractloop_Correlation_Id__c"] == "cl-test-five-objects"
    obligations = sf.query("SELECT Contract_Insight__c FROM Contract_Obligation__c "
                           "WHERE External_Key__c = 'five-obligation-1'")
    assert len(obligations) == 1 and obligations[0]["Contract_Insight__c"] == insights[0]["Id"]
    opp = sf.get("Opportunity", plan.operations[0].record_id or "")
    assert opp["Ironclad_Status__c"] == "Review"
    assert opp["Contractloop_Correlation_Id__c"] == "cl-test-five-objects"


def test_failed_operation_rolls_back_the_whole_plan(sf: SalesforceClient) -> None:
    plan = _five_object_plan(sf, "cl-test-rollback", "rollback")
    bad_task = plan.operations[-1].model_copy(update={"fields": {"Subject": "x", "WhatId": "006000000000000AAA"}})
    plan = plan.model_copy(update={"operations": [*plan.operations[:-1], bad_task]})
    with pytest.raises(WritePlanFailed) as err:
        sf.apply(plan)
    assert "task" in str(err.value)
    assert sf.query("SELECT Id FROM Contract_Insight__c WHERE External_Key__c = 'rollback-insight'") == []


def test_plan_outside_the_allow_list_is_refused_before_any_call(org: SalesforceSandbox,
                                                               sf: SalesforceClient) -> None:
    org.reset_usage()
    contact_plan = WritePlan(correlation_id="cl-test-allow", operations=[
        WriteOp(ref="c", action="update", sobject="Contact", record_id="003000000000000AAA",
                fields={"Email": "x@example.com"})])
    with pytest.raises(WriteNotAllowed):
        sf.apply(contact_plan)
    amount_plan = WritePlan(correlation_id="cl-test-allow", operations=[
        WriteOp(ref="o", action="update", sobject="Opportunity", record_id="006000000000000AAA",
                fields={"Amount": 1})])
    with pytest.raises(WriteNotAllowed, match="Amount"):
        sf.apply(amount_plan)
    assert org.api_calls == 0


def test_row_lock_and_503_are_retried_until_success(org: SalesforceSandbox, sf: SalesforceClient) -> None:
    plan = _five_object_plan(sf, "cl-test-faults", "faults")
    org.inject("UNABLE_TO_LOCK_ROW", count=2, path="composite")
    org.reset_usage()
    results = sf.apply(plan)
    assert all(r.success for r in results)
    assert org.api_calls == 3
    org.inject("SERVER_UNAVAILABLE", count=2, path="query")
    assert sf.query("SELECT Id FROM Contract_Insight__c WHERE External_Key__c = 'faults-insight'")


def test_expired_session_logs_in_again_transparently(org: SalesforceSandbox) -> None:
    sf = client_for(org)
    sf.query("SELECT Id FROM Account LIMIT 1")
    org.inject("EXPIRE_SESSIONS")
    rows = sf.query("SELECT Id FROM Account LIMIT 2")
    assert len(rows) == 2


def test_expired_session_without_credentials_is_a_clear_auth_error(org: SalesforceSandbox) -> None:
    sf = client_for(org, sf_client_id=None, sf_username=None, sf_private_key_file=None, sf_client_secret=None)
    org.inject("EXPIRE_SESSIONS")
    with pytest.raises(Exception, match="no OAuth credentials"):
        sf.query("SELECT Id FROM Account LIMIT 1")


def test_client_credentials_login(org: SalesforceSandbox) -> None:
    sf = client_for(org, sf_access_token=None, sf_username=None, sf_private_key_file=None)
    assert sf.query("SELECT Id FROM Account LIMIT 1")


def test_api_limit_is_final_not_retried(org: SalesforceSandbox, sf: SalesforceClient) -> None:
    org.reset_usage(daily_limit=3)
    try:
        sf.query("SELECT Id FROM Account LIMIT 1")
        sf.query("SELECT Id FROM Account LIMIT 1")
        sf.query("SELECT Id FROM Account LIMIT 1")
        with pytest.raises(ApiLimitExceeded):
            sf.query("SELECT Id FROM Account LIMIT 1")
        assert sf.api_usage is not None and sf.api_usage.limit == 3
    finally:
        org.reset_usage(daily_limit=1_000_000)


def test_query_follows_next_records_url(org: SalesforceSandbox, sf: SalesforceClient) -> None:
    org.store.insert_many("Task", [{"Subject": f"bulk {i}", "Status": "Completed", "Priority": "Low"}
                                   for i in range(2100)])
    org.reset_usage()
    rows = sf.query("SELECT Id FROM Task WHERE Subject LIKE 'bulk %'")
    assert len(rows) == 2100 and len({r["Id"] for r in rows}) == 2100
    assert org.api_calls == 2
