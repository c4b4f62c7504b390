"""The batch writer against the sandbox org over HTTPS: many contracts' plans in one Composite call of sObject
Collections, obligations linked to their insight by external id, and one bad record failing only its contract."""

from __future__ import annotations

import uuid

import pytest

from sandbox.salesforce.server import SalesforceSandbox
from tools.salesforce import SalesforceClient
from tools.salesforce.batch_writer import PlannedWrite, write_batch
from tools.write_plan import WriteOp, WritePlan

CORRELATION = "backfill-test-writer"


@pytest.fixture
def client(sf_sandbox: SalesforceSandbox) -> SalesforceClient:
    from core.settings import Settings

    settings = Settings(_env_file=None, **{k.lower(): v for k, v in sf_sandbox.env().items()})  # type: ignore[call-arg]
    sf_sandbox.faults.clear()
    return SalesforceClient.from_settings(settings)


def _plan(key: str, opportunity_id: str, obligations: int = 2) -> PlannedWrite:
    ops = [WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=key,
                   fields={"Opportunity__c": opportunity_id, "Governing_Law__c": "Delaware", "Needs_Review__c": False}),
           WriteOp(ref="opportunity", action="update", sobject="Opportunity", record_id=opportunity_id,
                   fields={"Ironclad_Status__c": "Executed"})]
    ops += [WriteOp(ref=f"obligation{n}", action="upsert", sobject="Contract_Obligation__c",
                    external_id=f"{key}-obl-{n}",
                    fields={"Contract_Insight__c": "@{insight.id}", "Description__c": f"Deliver report {n}"})
            for n in range(obligations)]
    plan = WritePlan(correlation_id=CORRELATION, operations=ops)
    return PlannedWrite(contract=key, plan=plan, refs=[op.ref for op in ops])


def _opportunities(client: SalesforceClient, count: int) -> list[str]:
    return [r["Id"] for r in client.query(f"SELECT Id FROM Opportunity ORDER BY Id LIMIT {count}")]


def test_forty_contracts_in_one_call_with_obligations_linked_by_external_key(client: SalesforceClient) -> None:
    run = uuid.uuid4().hex[:8]
    opportunities = _opportunities(client, 20)
    # two contracts per Opportunity: its update is sent once, and both contracts get its result
    writes = [_plan(f"ironclad-w{run}-{n}", opportunities[n % 20]) for n in range(40)]
    report = write_batch(client, writes)
    assert report.api_calls == 1
    assert report.records_sent == 40 + 20 + 80
    assert all(r.success for r in report.results) and len(report.results) == 40 * 4
    assert {r.created for r in report.results if r.sobject == "Contract_Insight__c"} == {True}

    rows = client.query("SELECT Id, External_Key__c, Contractloop_Correlation_Id__c, "
                        "(SELECT Contract_Insight__c, Contractloop_Correlation_Id__c FROM Contract_Obligations__r) "
                        f"FROM Contract_Insight__c WHERE External_Key__c LIKE 'ironclad-w{run}-%'")
    assert len(rows) == 40
    for row in rows:
        children = row["Contract_Obligations__r"]["records"]
        assert len(children) == 2 and {c["Contract_Insight__c"] for c in children} == {row["Id"]}
        assert row["Contractloop_Correlation_Id__c"] == CORRELATION
    again = write_batch(client, writes)  # upserts by external id: re-sending creates nothing new
    assert {r.created for r in again.results if r.created is not None} == {False}
    assert len(client.query(f"SELECT Id FROM Contract_Insight__c WHERE External_Key__c LIKE 'ironclad-w{run}-%'")) == 40


def test_a_record_salesforce_refuses_fails_only_its_contract(client: SalesforceClient,
                                                             sf_sandbox: SalesforceSandbox) -> None:
    run = uuid.uuid4().hex[:8]
    kept = _opportunities(client, 1)[0]
    # an Opportunity of this test's own (the shared org's seeded ones carry shares other tests read)
    doomed = sf_sandbox.client().Opportunity.create({"Name": f"Doomed {run}", "StageName": "Prospecting",
                                                     "CloseDate": "2027-01-31"})["id"]
    sf_sandbox.store.delete("Opportunity", doomed)  # deleted between the bulk read and the write
    report = write_batch(client, [_plan(f"ironclad-ok{run}", kept, 1), _plan(f"ironclad-bad{run}", doomed, 1)])
    by_contract = {(r.contract, r.ref): r for r in report.results}
    assert all(r.success for (contract, _), r in by_contract.items() if contract == f"ironclad-ok{run}")
    refused = [r for r in report.results if not r.success]
    assert {(r.contract, r.sobject) for r in refused} == {(f"ironclad-bad{run}", "Contract_Insight__c"),
                                                          (f"ironclad-bad{run}", "Opportunity"),
                                                          (f"ironclad-bad{run}", "Contract_Obligation__c")}
    # the obligation of the refused insight names the missing parent, as Salesforce does
    [orphan] = [r for r in refused if r.sobject == "Contract_Obligation__c"]
    assert "Foreign key external ID" in orphan.errors[0]["message"]


def test_small_collections_spill_into_a_second_composite_call(client: SalesforceClient) -> None:
    run = uuid.uuid4().hex[:8]
    [opportunity] = _opportunities(client, 1)
    writes = [_plan(f"ironclad-s{run}-{n}", opportunity, 0) for n in range(30)]
    report = write_batch(client, writes, collection_size=2)  # 15 insight collections + 1 opportunity = 16
    assert report.api_calls == 1
    report = write_batch(client, [_plan(f"ironclad-t{run}-{n}", opportunity, 0) for n in range(60)],
                         collection_size=2)  # 30 + 1 collections: more than 25 subrequests
    assert report.api_calls == 2 and all(r.success for r in report.results)


def test_a_plan_outside_the_allow_list_stops_the_batch_before_any_call(client: SalesforceClient) -> None:
    from tools.write_plan import WriteNotAllowed

    run = uuid.uuid4().hex[:8]
    opportunity = _opportunities(client, 1)[0]
    good = _plan(f"ironclad-w{run}-good", opportunity)
    bad_ops = [WriteOp(ref="opportunity", action="update", sobject="Opportunity", record_id=opportunity,
                       fields={"Amount": 1})]  # Amount is not ours to write
    bad = PlannedWrite(contract="bad", plan=WritePlan(correlation_id=CORRELATION, operations=bad_ops),
                       refs=["opportunity"])
    calls = client.calls
    with pytest.raises(WriteNotAllowed, match="Amount"):
        write_batch(client, [good, bad])
    assert client.calls == calls
    assert client.query(f"SELECT Id FROM Contract_Insight__c WHERE External_Key__c = 'ironclad-w{run}-good'") == []
