"""Attribute values written the way a contract reads: "January 31, 2027", "USD 120,000.00", "12 months"."""

from __future__ import annotations

from typing import Any

from playbook_store.templates import TemplateAttribute
from sandbox.ironclad.attributes import parse_iso_datetime


def human_date(value: str) -> str:
    parsed = parse_iso_datetime(value)
    return f"{parsed:%B} {parsed.day}, {parsed.year}"


def human_money(value: dict[str, Any]) -> str:
    return f"{value['currency']} {float(value['amount']):,.2f}"


def human_duration(value: dict[str, int]) -> str:
    parts = [(value.get(unit, 0), unit) for unit in ("years", "months", "weeks", "days")]
    words = [f"{n} {unit if n != 1 else unit[:-1]}" for n, unit in parts if n]
    if not words:
        return "0 days"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def human_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def human_address(value: dict[str, Any]) -> str:
    parts = [*value.get("lines", []), value.get("locality", "")]
    region = " ".join(p for p in (value.get("region", ""), value.get("postcode", "")) if p)
    return ", ".join(p for p in [*parts, region, value.get("country", "")] if p)


def human_value(spec: TemplateAttribute | None, value: Any) -> str:
    """Format by the schema type; unknown attributes are shown as plain text."""
    if value is None:
        return ""
    kind = spec.type if spec else None
    if kind == "date":
        return human_date(value)
    if kind == "monetaryAmount":
        return human_money(value)
    if kind == "duration":
        return human_duration(value)
    if kind == "boolean":
        return "Yes" if value else "No"
    if kind == "number":
        return human_number(value)
    if kind == "address":
        return human_address(value)
    return str(value)


def iso_duration(value: dict[str, int]) -> str:
    """Records store durations as ISO 8601 (`P1Y6M`)."""
    text = "".join(f"{value[k]}{c}" for k, c in (("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D"))
                   if value.get(k))
    return f"P{text or '0D'}"
