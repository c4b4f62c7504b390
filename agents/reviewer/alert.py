"""The chat alert for a review that passes the playbook's alert threshold: score, route, the worst deviations."""

from __future__ import annotations

from urllib.parse import urlsplit

from runtime.state import InboundPaper
from tools.chat import Deviation, DeviationAlert
from tools.salesforce import SalesforceClient

MAX_DEVIATIONS = 10


def _record_url(salesforce: SalesforceClient, record_id: str) -> str | None:
    parts = urlsplit(str(getattr(salesforce.sf, "base_url", "")))
    return f"{parts.scheme}://{parts.netloc}/{record_id}" if parts.scheme in ("http", "https") else None


def deviation_alert(salesforce: SalesforceClient, correlation_id: str, inbound: InboundPaper) -> DeviationAlert:
    """One read of the Opportunity's name and account (no contacts: nothing personal goes to chat)."""
    review = inbound.review
    rows = salesforce.query(f"SELECT Name, Account.Name FROM Opportunity WHERE Id = '{inbound.opportunity_id}'")
    name = str(rows[0].get("Name") or "") if rows else ""
    account = str(((rows[0].get("Account") or {}).get("Name")) or "") if rows else ""
    return DeviationAlert(
        correlation_id=correlation_id, opportunity_id=inbound.opportunity_id, opportunity_name=name or inbound.opportunity_id,
        account_name=account, risk_score=review.risk_score, route=review.route,
        headline=f"Inbound paper “{review.title}” departs from the playbook: "
                 f"{len(review.deviations)} deviation(s)",
        deviations=[Deviation(title=d.title, severity=d.severity,
                              quote=d.evidence[0].quote if d.evidence else "(the document is silent)",
                              negotiation_point=d.negotiation_point)
                    for d in review.deviations[:MAX_DEVIATIONS]],
        record_url=_record_url(salesforce, inbound.opportunity_id))
