"""Repository records: the executed contract's metadata, built from a completed workflow or posted by a client.

Record properties are `{type, value}` with Ironclad's snake_case types, unlike workflow attributes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date
from typing import Any

from dateutil.relativedelta import relativedelta

from playbook_store.templates import ContractTemplate
from sandbox.ironclad.attributes import parse_iso_datetime
from sandbox.ironclad.errors import invalid
from sandbox.ironclad.formatting import iso_duration
from sandbox.ironclad.webhooks import now_iso

PROPERTY_TYPES = frozenset({"string", "number", "boolean", "date", "duration", "email", "monetary_amount",
                            "address", "array", "reference", "clause", "playbookClause"})
_ATTRIBUTE_TO_PROPERTY = {"string": "string", "select": "string", "number": "number", "boolean": "boolean",
                          "date": "date", "duration": "duration", "email": "email",
                          "monetaryAmount": "monetary_amount", "address": "address"}
STANDARD_PROPERTIES: dict[str, tuple[str, str]] = {
    "agreementDate": ("Agreement Date", "date"),
    "counterpartyName": ("Counterparty Name", "string"),
    "contractValue": ("Contract Value", "monetary_amount"),
    "effectiveDate": ("Effective Date", "date"),
    "expirationDate": ("Expiration Date", "date"),
    "counterpartySigner": ("Counterparty Signer", "string"),
}


def record_type_for(template: ContractTemplate) -> str:
    head, *rest = template.key.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _property_value(kind: str, value: Any) -> Any:
    if kind == "duration":
        return iso_duration(value)
    if kind == "date":
        parsed = parse_iso_datetime(value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
    return value


def _pick(template: ContractTemplate, attributes: dict[str, Any], kind: str, hints: tuple[str, ...]) -> str | None:
    """The attribute of `kind` whose id best matches `hints` (first hint wins), else the first of that kind."""
    candidates = [a for a, spec in template.attributes.items() if spec.type == kind and a in attributes]
    for hint in hints:
        for attr_id in candidates:
            if hint in attr_id.lower():
                return attr_id
    return candidates[0] if candidates else None


def build_record_from_workflow(template: ContractTemplate, workflow: dict[str, Any], signers: list[dict[str, Any]],
                               executed_at: str) -> dict[str, Any]:
    attributes = workflow["attributes"]
    properties: dict[str, dict[str, Any]] = {}
    for attr_id, spec in template.attributes.items():
        if attr_id in attributes:
            kind = _ATTRIBUTE_TO_PROPERTY[spec.type]
            properties[attr_id] = {"type": kind, "value": _property_value(spec.type, attributes[attr_id])}
    properties["agreementDate"] = {"type": "date", "value": executed_at}
    value_attr = _pick(template, attributes, "monetaryAmount", ("total", "contractvalue", "value", "fee"))
    if value_attr:
        properties["contractValue"] = {"type": "monetary_amount", "value": attributes[value_attr]}
    start_attr = _pick(template, attributes, "date", ("effective", "start"))
    term_attr = _pick(template, attributes, "duration", ("term",))
    if start_attr and term_attr:
        properties["effectiveDate"] = {"type": "date", "value": _property_value("date", attributes[start_attr])}
        term = attributes[term_attr]
        start = parse_iso_datetime(attributes[start_attr])
        end = start + relativedelta(years=term.get("years", 0), months=term.get("months", 0),
                                    weeks=term.get("weeks", 0), days=term.get("days", 0))
        properties["expirationDate"] = {"type": "date", "value": _property_value("date", end.isoformat())}
    counterparty_signer = next((s for s in signers if s["roleName"] == "Counterparty Signer"), None)
    if counterparty_signer:
        properties["counterpartySigner"] = {"type": "string", "value": counterparty_signer["name"]}

    record_id = str(uuid.uuid4())
    expiration = properties.get("expirationDate", {}).get("value")
    active = expiration is None or parse_iso_datetime(expiration).date() >= date.today()
    return {
        "id": record_id, "ironcladId": workflow["ironcladId"], "type": record_type_for(template),
        "name": workflow["title"], "lastUpdated": now_iso(), "properties": properties,
        "attachments": {"signedCopy": {"filename": f"{workflow['title']}.pdf", "contentType": "application/pdf",
                                       "href": f"/public/api/v1/records/{record_id}/attachments/signedCopy"}},
        "links": [], "childIds": [],
        "contractStatus": {"status": "active" if active else "inactive", "enhancedStatus": "executed"},
        "source": {"type": "workflow", "workflowId": f"workflow:{workflow['id']}"},
    }


def check_properties(properties: Any, param: str = "properties") -> dict[str, dict[str, Any]]:
    if not isinstance(properties, dict):
        raise invalid(param, f"{param} must be an object of {{type, value}} entries")
    for key, prop in properties.items():
        where = f"{param}.{key}"
        if not (isinstance(prop, dict) and "type" in prop and "value" in prop):
            raise invalid(where, f"{where} must be {{\"type\": ..., \"value\": ...}}")
        if prop["type"] not in PROPERTY_TYPES:
            raise invalid(f"{where}.type", f"{where}.type must be one of {sorted(PROPERTY_TYPES)}")
        if prop["type"] == "date":
            try:
                parse_iso_datetime(str(prop["value"]))
            except ValueError:
                raise invalid(f"{where}.value", f"{where}.value must be an ISO 8601 date") from None
        if prop["type"] == "monetary_amount" and not (
                isinstance(prop["value"], dict) and {"currency", "amount"} <= set(prop["value"])):
            raise invalid(f"{where}.value", f"{where}.value must be {{currency, amount}}")
    return properties


def records_metadata(templates: list[ContractTemplate]) -> dict[str, Any]:
    properties = {k: {"displayName": name, "type": kind, "visible": True}
                  for k, (name, kind) in STANDARD_PROPERTIES.items()}
    for template in templates:
        for attr_id, spec in template.attributes.items():
            properties.setdefault(attr_id, {"displayName": spec.display_name,
                                            "type": _ATTRIBUTE_TO_PROPERTY[spec.type], "visible": True})
    record_types = {"contract": {"displayName": "Contract"}}
    record_types.update({record_type_for(t): {"displayName": t.name} for t in templates})
    return {"recordTypes": record_types, "properties": properties,
            "attachments": {"signedCopy": {"displayName": "Signed PDF"}},
            "links": {}}
