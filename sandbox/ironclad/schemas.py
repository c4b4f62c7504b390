"""Workflow schemas (launch forms) served from the playbook's template files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playbook_store.templates import ContractTemplate, TemplateAttribute, load_templates
from sandbox.ironclad.errors import not_found


def field_json(attr_id: str, spec: TemplateAttribute) -> dict[str, Any]:
    field: dict[str, Any] = {"type": spec.type, "displayName": spec.display_name, "required": spec.required,
                             "propertyKey": attr_id}
    if spec.type == "select":
        field["options"] = {"values": list(spec.options or []), "freeTextAllowed": False}
    if spec.description:
        field["description"] = spec.description
    return field


def schema_json(template: ContractTemplate) -> dict[str, Any]:
    return {"id": template.id, "name": template.name,
            "schema": {attr_id: field_json(attr_id, spec) for attr_id, spec in template.attributes.items()}}


class TemplateCatalog:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def all(self) -> list[ContractTemplate]:
        return list(load_templates(self.directory).values())

    def get(self, template_id: str) -> ContractTemplate:
        template = next((t for t in self.all() if t.id == template_id), None)
        if template is None:
            raise not_found("template", "templateId")
        return template
