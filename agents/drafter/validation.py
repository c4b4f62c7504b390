"""Client-side check of attribute values against a template, before anything reaches Ironclad.

Used on the drafter's output and on a reviewer's edits, so a bad value is reported by name instead of
launching and failing (or worse, launching with a wrong value).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from playbook_store.templates import ContractTemplate, TemplateAttribute

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _problem(spec: TemplateAttribute, value: Any) -> str | None:
    kind = spec.type
    ok = {
        "string": lambda v: isinstance(v, str),
        "number": _number,
        "boolean": lambda v: isinstance(v, bool),
        "email": lambda v: isinstance(v, str) and bool(_EMAIL.match(v)),
        "select": lambda v: v in (spec.options or []),
        "monetaryAmount": lambda v: isinstance(v, dict) and _number(v.get("amount"))
        and isinstance(v.get("currency"), str) and len(v["currency"]) == 3,
        "duration": lambda v: isinstance(v, dict) and bool(v) and all(
            isinstance(x, int) and x >= 0 for x in v.values()),
        "address": lambda v: isinstance(v, dict) and isinstance(v.get("lines"), list) and bool(v.get("country")),
        "date": _is_date,
    }[kind](value)
    if ok:
        return None
    expected = f"one of {spec.options}" if kind == "select" else f"a valid {kind}"
    return f"must be {expected}; got {value!r}"


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value)[:10])
        return isinstance(value, str)
    except ValueError:
        return False


def validate_attributes(template: ContractTemplate, values: dict[str, Any]) -> list[str]:
    """Every problem with `values` for `template`, each naming the attribute; empty when valid."""
    problems = []
    for name in sorted(set(values) - set(template.attributes)):
        problems.append(f"{name}: not an attribute of the {template.key} template")
    for attr_id, spec in template.attributes.items():
        value = values.get(attr_id)
        if value is None or value == "":
            if spec.required == "always":
                problems.append(f"{attr_id} ({spec.display_name}) is required")
            continue
        issue = _problem(spec, value)
        if issue:
            problems.append(f"{attr_id} ({spec.display_name}) {issue}")
    if values.get("autoRenewal") is True:
        for attr_id in ("renewalTermMonths", "renewalNoticeDays"):
            if attr_id in template.attributes and values.get(attr_id) is None:
                problems.append(f"{attr_id} is required when autoRenewal is true")
    return problems
