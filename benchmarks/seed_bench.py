"""Seeding speed of the Salesforce sandbox: 10,000 opportunities with all related records, then query timings.

Run: .venv/bin/python -m benchmarks.seed_bench [opportunities]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import seed_org
from sandbox.salesforce.store import OrgStore

QUERIES = {
    "acceptance (top 5 Contracting + line items)": (
        "SELECT Id, Name, Account.Name, (SELECT Quantity, UnitPrice, Product2.Name FROM OpportunityLineItems) "
        "FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC LIMIT 5"),
    "all opportunities with account + 2 child subqueries": (
        "SELECT Id, Name, Amount, Account.Name, Owner.Email, (SELECT Role, Contact.Email FROM "
        "OpportunityContactRoles), (SELECT Quantity, TotalPrice, Product2.Family FROM OpportunityLineItems) "
        "FROM Opportunity"),
    "COUNT() with semi-join": (
        "SELECT COUNT() FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole "
        "WHERE Role = 'Legal')"),
    "GROUP BY stage": "SELECT StageName, COUNT(Id), SUM(Amount) FROM Opportunity GROUP BY StageName",
}


def main() -> None:
    opportunities = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as directory:
        store = OrgStore(Path(directory) / "bench.db", load_schema())
        summary = seed_org(store, opportunities=opportunities, seed=7)
        print(f"seeded {opportunities:,} opportunities: {summary.total_records:,} records in "
              f"{summary.seconds:.2f} s = {summary.total_records / summary.seconds:,.0f} records/s")
        for obj, count in summary.counts.items():
            print(f"  {obj:<24} {count:>8,}")
        for label, soql in QUERIES.items():
            started = time.perf_counter()
            result = store.query(soql)
            print(f"query {label}: {result.total_size:,} rows in {(time.perf_counter() - started) * 1000:,.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
