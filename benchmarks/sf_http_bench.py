"""Salesforce sandbox over HTTPS with an unmodified simple-salesforce: latency and throughput per API shape.

    .venv/bin/python -m benchmarks.sf_http_bench [--opportunities 200] [--repeat 50] [--bulk-rows 5000]

Prints one line per figure: the acceptance query, single-record create, a 25-subrequest composite,
a Bulk 2.0 insert, and a paginated query_all.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable

from sandbox.salesforce.server import SalesforceSandbox

ACCEPTANCE_QUERY = (
    "SELECT Id, Name, Account.Name, (SELECT Quantity, UnitPrice, Product2.Name FROM OpportunityLineItems) "
    "FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC LIMIT 5"
)


def timed(label: str, repeat: int, call: Callable[[int], object]) -> None:
    samples = []
    for n in range(repeat):
        started = time.perf_counter()
        call(n)
        samples.append(time.perf_counter() - started)
    median = statistics.median(samples) * 1000
    p95 = sorted(samples)[max(int(len(samples) * 0.95) - 1, 0)] * 1000
    print(f"{label:<44} median {median:7.2f} ms  p95 {p95:7.2f} ms  ({repeat / sum(samples):7.1f} calls/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opportunities", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--bulk-rows", type=int, default=5000)
    args = parser.parse_args()

    started = time.perf_counter()
    with SalesforceSandbox(opportunities=args.opportunities) as org:
        print(f"{'start seeded sandbox':<44} {time.perf_counter() - started:8.2f} s "
              f"({args.opportunities} opportunities)")
        sf = org.client()
        tag = uuid.uuid4().hex[:8]

        timed("acceptance query (parent + child subquery)", args.repeat, lambda n: sf.query(ACCEPTANCE_QUERY))
        timed("create Account", args.repeat, lambda n: sf.Account.create({"Name": f"Bench {tag} {n}"}))
        timed("upsert Task by external id", args.repeat,
              lambda n: sf.Task.upsert(f"Contractloop_Key__c/{tag}-{n % 10}", {"Subject": f"Bench {n}"}))

        def composite(n: int) -> object:
            subrequests = [{"method": "POST", "url": "/services/data/v59.0/sobjects/Account",
                            "referenceId": f"a{i}", "body": {"Name": f"Composite {tag} {n}-{i}"}} for i in range(25)]
            return sf.restful("composite", method="POST", json={"allOrNone": True, "compositeRequest": subrequests})

        timed("composite, 25 creates, allOrNone", max(args.repeat // 5, 3), composite)

        rows = [{"Subject": f"Bulk {tag} {n}", "Status": "Completed"} for n in range(args.bulk_rows)]
        started = time.perf_counter()
        [result] = sf.bulk2.Task.insert(records=rows, wait=0)
        elapsed = time.perf_counter() - started
        print(f"{'Bulk 2.0 insert':<44} {elapsed:8.2f} s  ({result['numberRecordsProcessed'] / elapsed:7.0f} rows/s, "
              f"{result['numberRecordsFailed']} failed)")

        started = time.perf_counter()
        everything = sf.query_all(f"SELECT Id, Subject FROM Task WHERE Subject LIKE 'Bulk {tag} %'")
        elapsed = time.perf_counter() - started
        print(f"{'query_all with 2,000-row pages':<44} {elapsed:8.2f} s  ({everything['totalSize'] / elapsed:7.0f} rows/s)")
        print(f"{'API calls counted by the org':<44} {org.api_calls}")


if __name__ == "__main__":
    main()
