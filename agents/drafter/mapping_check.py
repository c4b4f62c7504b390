"""Start-up validation of the attribute mapping against the live Ironclad schemas and Salesforce describe."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from agents.drafter.mapping import LAUNCH_TIME_ATTRIBUTES, SOURCES, MappingError
from playbook_store.templates import ContractTemplate, load_templates

# Salesforce field types a source may read for each Ironclad attribute type it produces.
_COMPATIBLE_SF_TYPES = {
    # Strings are composed ("Platform × 20"), so any Salesforce type can feed one.
    "string": {"string", "textarea", "picklist", "id", "reference", "url", "phone", "email", "double", "int",
               "currency", "percent", "boolean", "date", "datetime", "combobox", "multipicklist"},
    "email": {"email", "string"},
    "date": {"date", "datetime"},
    "number": {"double", "int", "currency", "percent", "boolean", "picklist", "string"},
    "monetaryAmount": {"currency", "double"},
    "duration": {"double", "int"},
    "select": {"picklist", "string", "textarea"},
    "boolean": {"boolean"},
    "address": {"string", "textarea", "picklist"},
}


def check_mapping(
    templates: Iterable[ContractTemplate],
    ironclad_schema: Callable[[str], dict[str, dict[str, Any]]],
    describe: Callable[[str], dict[str, Any]],
) -> None:
    """Raise MappingError listing every problem, or return quietly.

    `ironclad_schema(template_id)` returns {attributeId: {"type", "options"?...}} as the workflow-schemas
    endpoint serves it; `describe(sobject)` returns Salesforce's describe JSON.
    """
    problems: list[str] = []
    sf_fields: dict[str, dict[str, str]] = {}

    def sf_type(sobject: str, name: str) -> str | None:
        if sobject not in sf_fields:
            try:
                sf_fields[sobject] = {f["name"]: f["type"] for f in describe(sobject).get("fields", [])}
            except Exception as exc:  # an object missing from the org is a mapping problem, not a crash
                problems.append(f"Salesforce object {sobject} cannot be described: {exc}")
                sf_fields[sobject] = {}
        return sf_fields[sobject].get(name)

    for template in templates:
        live = ironclad_schema(template.id)
        for attr_id, field in live.items():
            if attr_id in template.phrases or attr_id in LAUNCH_TIME_ATTRIBUTES:
                continue
            source = SOURCES.get(attr_id)
            where = f"{template.key}.{attr_id}"
            if source is None:
                if field.get("required") == "always" or attr_id in template.attributes:
                    problems.append(f"{where}: Ironclad attribute has no mapping")
                continue
            if source.type != field.get("type"):
                problems.append(f"{where}: mapping produces {source.type} but Ironclad expects {field.get('type')}")
            options = field.get("options") or []
            if isinstance(options, dict):
                options = options.get("values", [])
            if source.options and options and not set(source.options) <= set(options):
                extra = sorted(set(source.options) - set(options))
                problems.append(f"{where}: mapping can produce {extra}, not among Ironclad's options")
        for attr_id in template.attributes:
            if attr_id not in live:
                problems.append(f"{template.key}.{attr_id}: in our playbook but not in Ironclad's workflow schema")

    for attr_id, source in SOURCES.items():
        for ref in (*source.reads, *source.uses):
            if ref.startswith("playbook:"):
                continue
            sobject, _, name = ref.partition(".")
            found = sf_type(sobject, name)
            if found is None:
                problems.append(f"mapping {attr_id} reads {ref}, which Salesforce describe does not know")
            elif ref in source.reads and found not in _COMPATIBLE_SF_TYPES.get(source.type, set()) and name != "Id":
                problems.append(f"mapping {attr_id} reads {ref} of type {found}, unusable for {source.type}")
    if problems:
        raise MappingError("attribute mapping is invalid:\n  - " + "\n  - ".join(sorted(set(problems))))


def check_live_mapping(salesforce: Any, ironclad: Any) -> None:
    """`check_mapping` against the connected org and tenant: the Ironclad schema of every playbook template and
    Salesforce describe of every object the mapping reads (a handful of calls, once at start-up)."""

    def schema(template_id: str) -> dict[str, dict[str, Any]]:
        fields = ironclad.get_schema(template_id).fields
        return {name: {"type": f.type, "required": f.required,
                       "options": (f.options.values if f.options else None)} for name, f in fields.items()}

    check_mapping(load_templates().values(), schema, salesforce.describe)
