"""Contract templates of the approved playbook.

One YAML file per template under `playbook_store/templates/`. The same files are served by the Ironclad
sandbox as workflow schemas and read by the drafter for attribute mapping, so the two can never drift.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

TEMPLATES_DIR = Path(__file__).parent / "templates"

AttributeType = Literal[
    "string", "number", "monetaryAmount", "date", "duration", "email", "boolean", "select", "address"
]
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")


class TemplateAttribute(BaseModel):
    """One launch attribute, in Ironclad's workflow-schema vocabulary."""

    type: AttributeType
    display_name: str = Field(alias="displayName")
    required: Literal["always", "never", "conditional"] = "never"
    options: list[str] | None = Field(None, description="Allowed values of a `select` attribute.")
    description: str = ""

    model_config = {"populate_by_name": True}

    @model_validator(mode="after")
    def _select_has_options(self) -> TemplateAttribute:
        if self.type == "select" and not self.options:
            raise ValueError(f"select attribute {self.display_name!r} needs options")
        return self


class ContractTemplate(BaseModel):
    id: str = Field(description="Ironclad template id (24 hex characters, as Ironclad issues them).")
    key: str = Field(description="Our short name: msa, order_form, nda, dpa, ...")
    name: str
    version: int
    attributes: dict[str, TemplateAttribute]
    body: str = Field(description="Contract text with {{attributeId}} placeholders, rendered on signature.")

    @model_validator(mode="after")
    def _placeholders_are_attributes(self) -> ContractTemplate:
        unknown = sorted({m for m in _PLACEHOLDER.findall(self.body)} - set(self.attributes))
        if unknown:
            raise ValueError(f"template {self.key}: body uses undefined attributes {unknown}")
        if not re.fullmatch(r"[0-9a-f]{24}", self.id):
            raise ValueError(f"template {self.key}: id must be 24 lowercase hex characters")
        return self

    def placeholders(self) -> list[str]:
        return _PLACEHOLDER.findall(self.body)


def load_template_file(path: Path) -> ContractTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return ContractTemplate.model_validate(data)
    except Exception as exc:  # surface the file name with the validation error
        raise ValueError(f"invalid template file {path}: {exc}") from exc


@lru_cache(maxsize=4)
def load_templates(directory: Path = TEMPLATES_DIR) -> dict[str, ContractTemplate]:
    """All templates by key; fails loudly on a malformed file or duplicate key/id."""
    templates: dict[str, ContractTemplate] = {}
    seen_ids: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        tpl = load_template_file(path)
        if tpl.key in templates or tpl.id in seen_ids:
            raise ValueError(f"duplicate template key or id in {path}")
        templates[tpl.key] = tpl
        seen_ids.add(tpl.id)
    return templates


def template_by_id(template_id: str, directory: Path = TEMPLATES_DIR) -> ContractTemplate | None:
    return next((t for t in load_templates(directory).values() if t.id == template_id), None)
