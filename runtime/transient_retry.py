"""The retry a graph node gets when Salesforce or Ironclad fails it with an error that passes.

The clients already retry each call a few times (`tools/salesforce/client.py`, `tools/ironclad/client.py`); a row
lock or an outage that outlasts them would otherwise fail the whole run. Every specialist node is safe to run
again: reads are reads, and every write is keyed (Ironclad launches by the Opportunity's key, Salesforce writes by
external id or dedupe key), so a second attempt adopts what the first one did instead of doing it twice.
"""

from __future__ import annotations

from langgraph.types import RetryPolicy


def is_transient(exc: BaseException) -> bool:
    """A typed API error that says the same call may succeed a little later (row lock, 429, 5xx, outage)."""
    return bool(getattr(exc, "transient", False))


# Slower than the clients' own backoff: by the time a node fails, a call has already been tried several times.
TRANSIENT_RETRY = RetryPolicy(max_attempts=3, initial_interval=1.0, backoff_factor=2.0, max_interval=10.0,
                              retry_on=is_transient)
