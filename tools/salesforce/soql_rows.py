"""Small helpers for SOQL text and the rows a query returns: literals quoted as SOQL wants them, child
subquery records, and a row's own fields without Salesforce's `attributes` or nested relationships."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def soql_string(value: str) -> str:
    """`value` for inside a SOQL string literal (backslash and quote escaped)."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def soql_in(values: Iterable[str]) -> str:
    """The inside of an `IN (...)` list of string literals."""
    return ", ".join(f"'{soql_string(v)}'" for v in values)


def child_records(record: dict[str, Any] | None, relationship: str) -> list[dict[str, Any]]:
    """The records of a child subquery (`(SELECT ... FROM Tasks)` -> record["Tasks"]["records"]); none if empty."""
    value = (record or {}).get(relationship)
    return list(value.get("records", [])) if isinstance(value, dict) else []


def own_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The row's own fields: without `attributes` and without parent or child relationships."""
    return {k: v for k, v in record.items() if k != "attributes" and not isinstance(v, dict)}
