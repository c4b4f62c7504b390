"""The typed Salesforce client against the sandbox org (issue 2's figures).

Prints: seeding speed for an org of N opportunities, then - through the typed client over HTTPS - the
Opportunity bundle read and a 5-object write plan (median and p95 of repeated runs), and the API calls each
costs as counted by the sandbox.

Run: .venv/bin/python -m benchmarks.salesforce_bench [--opportunities 10000] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from core.settings import settings_from
from sandbox.salesforce.server import SalesforceSandbox
from tools.salesforce import SalesforceClient
from tools.write_plan import WriteOp, WritePlan


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opportunities", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        org = SalesforceSandbox(Path(tmp), opportunities=args.opportunities)
        seeded = time.perf_counter() - started
        records = sum(org.store.count(o) for o in ("Account", "Contact", "Opportunity", "OpportunityContactRole",
                                                  "OpportunityLineItem", "SBQQ__Quote__c", "SBQQ__QuoteLine__c"))
        print(f"seed: {args.opportunities:,} opportunities, {records:,} records in {seeded:.2f} s "
              f"= {records / seeded:,.0f} records/s (incl. schema and store setup)")
        with org:
            settings = settings_from(org.env())
            sf = SalesforceClient.from_settings(settings)
            ids = [r["Id"] for r in sf.query(
                f"SELECT Id FROM Opportunity WHERE StageName = 'Contracting' LIMIT {args.runs}")]
            sf.read_opportunity_bundle(ids[0])  # warm the connection and the parser
            reads: list[float] = []
            org.reset_usage()
            for opp_id in ids:
                t = time.perf_counter()
                bundle = sf.read_opportunity_bundle(opp_id)
                reads.append(time.perf_counter() - t)
            read_calls = org.api_calls / len(ids)
            print(f"bundle read ({len(ids)} opportunities, 5 objects + 2 nested levels): {_ms(reads)}   "
                  f"API calls per read: {read_calls:.2f}")

            writes: list[float] = []
            org.reset_usage()
            for i, opp_id in enumerate(ids):
                bundle = sf.read_opportunity_bundle(opp_id)
                plan = WritePlan(correlation_id=f"cl-bench-{i:06d}", operations=[
                    WriteOp(ref="opp", action="update", sobject="Opportunity", record_id=bundle.id,
                            fields={"Ironclad_Status__c": "Review"}),
                    WriteOp(ref="acct", action="update", sobject="Account", record_id=bundle.account.id,
                            fields={"Auto_Renewal__c": True}),
                    WriteOp(ref="ins", action="upsert", sobject="Contract_Insight__c", external_id=f"bench-{i}",
                            fields={"Opportunity__c": bundle.id, "Governing_Law__c": "Delaware"}),
                    WriteOp(ref="obl", action="upsert", sobject="Contract_Obligation__c", external_id=f"bench-{i}-1",
                            fields={"Contract_Insight__c": "@{ins.id}", "Description__c": "QBR"}),
                    WriteOp(ref="task", action="upsert", sobject="Task", external_id=f"bench-{i}-task",
                            fields={"Subject": "QBR", "WhatId": bundle.id, "Status": "Not Started"}),
                ])
                before = org.api_calls
                t = time.perf_counter()
                sf.apply(plan)
                writes.append(time.perf_counter() - t)
                assert org.api_calls - before == 1
            print(f"write plan (5 objects: 2 updates + 3 upserts, one Composite call): {_ms(writes)}   "
                  f"API calls per plan: 1.00")


if __name__ == "__main__":
    main()
