"""What Salesforce already knows to be personal data about a deal: its contacts, its owner, its address."""

from __future__ import annotations

from typing import Any

from tools.pii.detector import KnownValue
from tools.salesforce.models import OpportunityBundle


def known_values_of(bundle: OpportunityBundle | None) -> list[KnownValue]:
    """Contact and owner names (whole, and each part of three letters or more, so "Ms. Whitfield" or a bare
    "Dana" in the special terms is caught), their emails, and the account's street address."""
    if bundle is None:
        return []
    known = known_values_of_people([(c.name, c.email) for c in bundle.contacts]
                                   + [(bundle.owner_name, bundle.owner_email)])
    if bundle.account.billing_street:
        known.append(KnownValue(kind="address", value=bundle.account.billing_street.strip()))
    return known


def known_values_of_people(people: list[tuple[str | None, str | None]]) -> list[KnownValue]:
    """(name, email) pairs as known values: each name whole and its capitalised parts of three letters or more."""
    known: list[KnownValue] = []
    for name, email in people:
        if name and name.strip():
            known.append(KnownValue(kind="person", value=name.strip()))
            parts = name.split()
            if len(parts) > 1:
                known += [KnownValue(kind="person", value=p) for p in parts if len(p) >= 3 and p[0].isupper()]
        if email and email.strip():
            known.append(KnownValue(kind="email", value=email.strip()))
    return known


# The Ironclad attributes the drafter filled from Salesforce with personal data (agents/drafter/mapping.py).
PERSONAL_ATTRIBUTES = {"counterpartySignerName": "person", "counterpartySignerEmail": "email",
                       "billingContactEmail": "email", "ownerName": "person", "ownerEmail": "email"}


def known_values_of_workflow(attributes: dict[str, Any]) -> list[KnownValue]:
    """The signer's name and email, and the billing contact's, as the launched workflow carries them."""
    known: list[KnownValue] = []
    for name, kind in PERSONAL_ATTRIBUTES.items():
        value = attributes.get(name)
        if isinstance(value, str) and value.strip():
            known.append(KnownValue(kind=kind, value=value.strip()))  # type: ignore[arg-type]
            if kind == "person":
                known += [KnownValue(kind="person", value=p) for p in value.split() if len(p) >= 3 and p[0].isupper()]
    return known
