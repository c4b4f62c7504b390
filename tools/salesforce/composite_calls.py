"""Raw Composite requests for bulk work (up to 25 subrequests, 5 of them queries, count as ONE API call).

The typed client's `apply` sends one write plan; the backfill packs many contracts' reads or writes into a
single call through the client's `composite` (same retries, re-login and call counting).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tools.salesforce import SalesforceClient
from tools.salesforce.errors import error_from_body

MAX_SUBREQUESTS = 25
MAX_QUERY_SUBREQUESTS = 5


def post_composite(client: SalesforceClient, subrequests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One `/composite` call, not all-or-none, run in order (`collateSubrequests: false`), so a later
    subrequest may rely on an earlier one's records (e.g. by external id). Returns the subresponses."""
    if not 0 < len(subrequests) <= MAX_SUBREQUESTS:
        raise ValueError(f"a Composite call takes 1 to {MAX_SUBREQUESTS} subrequests, not {len(subrequests)}")
    body = {"allOrNone": False, "collateSubrequests": False, "compositeRequest": subrequests}
    results = list(client.composite(body).get("compositeResponse", []))
    if len(results) != len(subrequests):
        raise RuntimeError(f"Composite answered {len(results)} subresponses for {len(subrequests)} subrequests")
    return results


def query_subrequest(client: SalesforceClient, reference_id: str, soql: str) -> dict[str, Any]:
    return {"method": "GET", "referenceId": reference_id,
            "url": f"/services/data/v{client.api_version}/query?q={quote(soql, safe='')}"}


def query_page(result: dict[str, Any]) -> dict[str, Any]:
    """A query subresponse's body, or the typed error it carries."""
    status, body = int(result.get("httpStatusCode", 0)), result.get("body")
    if not 200 <= status < 300 or not isinstance(body, dict):
        raise error_from_body(status, body)
    return body


def query_more(client: SalesforceClient, next_records_url: str) -> dict[str, Any]:
    return client.query_more(next_records_url)
