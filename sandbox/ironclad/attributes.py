"""Validation of workflow attribute values against a template's schema, per Ironclad field type.

Errors name the attribute as Ironclad does (`param: "attributes.<id>"`) so a caller can fix exactly one field.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from playbook_store.templates import ContractTemplate, TemplateAttribute
from sandbox.ironclad.errors import ApiError, invalid, missing

MAX_STRING = 32_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DURATION_KEYS = {"years", "months", "weeks", "days"}
_ADDRESS_PARTS = ("locality", "region", "postcode", "country")
_US = {"US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"}


def parse_iso_datetime(value: str) -> datetime:
    """ISO 8601 date or datetime (with `Z` or an offset)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _type_error(param: str, spec: TemplateAttribute, value: Any) -> ApiError:
    return invalid(param, f"{param} ({spec.display_name}) must be {_EXPECTED[spec.type]}; got {value!r}")


_EXPECTED = {
    "string": "a string",
    "number": "a number",
    "monetaryAmount": "a monetary amount {\"currency\": \"USD\", \"amount\": 123.45}",
    "date": "an ISO 8601 date such as \"2027-01-31\" or \"2027-01-31T00:00:00Z\"",
    "duration": "a duration {\"years\", \"months\", \"weeks\", \"days\"} of non-negative integers",
    "email": "an email address",
    "boolean": "true or false",
    "select": "one of the options",
    "address": "an address {\"lines\": [...], \"locality\", \"region\", \"postcode\", \"country\"}",
}


def check_value(param: str, spec: TemplateAttribute, value: Any) -> None:
    """Raise INVALID_PARAM naming `param` when `value` does not fit the field type."""
    kind = spec.type
    if kind == "string":
        if not isinstance(value, str):
            raise _type_error(param, spec, value)
        if len(value) > MAX_STRING:
            raise invalid(param, f"{param} is longer than {MAX_STRING} characters")
    elif kind == "number":
        if not _is_number(value):
            raise _type_error(param, spec, value)
    elif kind == "monetaryAmount":
        if not (isinstance(value, dict) and set(value) == {"currency", "amount"}
                and isinstance(value["currency"], str) and _CURRENCY.match(value["currency"])
                and _is_number(value["amount"])):
            raise _type_error(param, spec, value)
    elif kind == "date":
        if not isinstance(value, str):
            raise _type_error(param, spec, value)
        try:
            parse_iso_datetime(value)
        except ValueError:
            raise _type_error(param, spec, value) from None
    elif kind == "duration":
        if not (isinstance(value, dict) and value and set(value) <= _DURATION_KEYS
                and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values())):
            raise _type_error(param, spec, value)
    elif kind == "email":
        if not (isinstance(value, str) and _EMAIL.match(value)):
            raise _type_error(param, spec, value)
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _type_error(param, spec, value)
    elif kind == "select":
        if value not in (spec.options or []):
            raise invalid(param, f"{param} ({spec.display_name}) must be one of {spec.options}; got {value!r}")
    elif kind == "address":
        _check_address(param, spec, value)


def _check_address(param: str, spec: TemplateAttribute, value: Any) -> None:
    if not (isinstance(value, dict) and isinstance(value.get("lines"), list)
            and 1 <= len(value["lines"]) <= 4 and all(isinstance(line, str) for line in value["lines"])
            and isinstance(value.get("country"), str) and value["country"]):
        raise _type_error(param, spec, value)
    if str(value["country"]).upper() in _US:
        absent = [p for p in _ADDRESS_PARTS if not (isinstance(value.get(p), str) and value[p].strip())]
        if absent:
            raise invalid(param, f"{param} ({spec.display_name}): a US address needs {', '.join(absent)}")


def validate_launch_attributes(template: ContractTemplate, attributes: Any) -> dict[str, Any]:
    """The attributes to store. Unknown keys pass through (Ironclad allows extra keys); nulls mean 'not set'."""
    if not isinstance(attributes, dict):
        raise invalid("attributes", "attributes must be an object")
    cleaned = {k: v for k, v in attributes.items() if v is not None}
    for attr_id, spec in template.attributes.items():
        param = f"attributes.{attr_id}"
        if attr_id not in cleaned or cleaned[attr_id] == "":
            if spec.required == "always":
                raise missing(param, f"missing required attribute {param} ({spec.display_name})")
            cleaned.pop(attr_id, None)
            continue
        check_value(param, spec, cleaned[attr_id])
    return cleaned
