"""Contract templates of the approved playbook.

One YAML file per template under `playbook_store/templates/`. The same files are served by the Ironclad
sandbox as workflow schemas and read by the drafter for attribute mapping, so the two can never drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

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


class DerivedPhrase(BaseModel):
    """Contract wording picked by the value of another attribute.

    Keeps bodies grammatical whatever the value: "the laws of the State of New York" but "the laws of England and
    Wales"; an auto-renewal sentence only when `autoRenewal` is true. Phrase texts may use `{{attributeId}}` of plain
    attributes; `ContractTemplate.derive_phrases` fills those in.
    """

    source: str = Field(description="Attribute whose value selects the phrase (a select or boolean).")
    values: dict[str, str] = Field(description="Phrase by source value; booleans use 'true' / 'false'.")


class ContractTemplate(BaseModel):
    id: str = Field(description="Ironclad template id (24 hex characters, as Ironclad issues them).")
    key: str = Field(description="Our short name: msa, order_form, nda, dpa, ...")
    name: str
    version: int
    attributes: dict[str, TemplateAttribute]
    body: str = Field(description="Contract text with {{attributeId}} placeholders, rendered on signature.")
    phrases: dict[str, DerivedPhrase] = Field(
        default_factory=dict, description="Attributes whose text is derived from another attribute's value."
    )

    @model_validator(mode="after")
    def _placeholders_are_attributes(self) -> ContractTemplate:
        unknown = sorted({m for m in _PLACEHOLDER.findall(self.body)} - set(self.attributes))
        if unknown:
            raise ValueError(f"template {self.key}: body uses undefined attributes {unknown}")
        if not re.fullmatch(r"[0-9a-f]{24}", self.id):
            raise ValueError(f"template {self.key}: id must be 24 lowercase hex characters")
        for phrase_id, phrase in self.phrases.items():
            self._check_phrase(phrase_id, phrase)
        return self

    def _check_phrase(self, phrase_id: str, phrase: DerivedPhrase) -> None:
        where = f"template {self.key}: phrase {phrase_id}"
        target = self.attributes.get(phrase_id)
        if target is None or target.type != "string":
            raise ValueError(f"{where} must also be declared as a string attribute")
        source = self.attributes.get(phrase.source)
        if source is None or source.type not in ("select", "boolean"):
            raise ValueError(f"{where}: source {phrase.source!r} must be a select or boolean attribute")
        expected = set(source.options or []) if source.type == "select" else {"true", "false"}
        if set(phrase.values) != expected:
            raise ValueError(f"{where}: values must cover exactly {sorted(expected)}")
        for text in phrase.values.values():
            nested = set(_PLACEHOLDER.findall(text))
            bad = sorted(n for n in nested if n not in self.attributes or n in self.phrases)
            if bad:
                raise ValueError(f"{where}: uses unknown or derived attributes {bad}")

    def placeholders(self) -> list[str]:
        return _PLACEHOLDER.findall(self.body)

    def derive_phrases(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Phrase attribute values for a launch; merge them into the attributes sent to Ironclad.

        Raises ValueError when a source value is missing or not one the template knows.
        """
        derived: dict[str, str] = {}
        for phrase_id, phrase in self.phrases.items():
            raw = values.get(phrase.source)
            key = ("true" if raw else "false") if isinstance(raw, bool) else raw
            if key not in phrase.values:
                raise ValueError(f"template {self.key}: no {phrase_id} wording for {phrase.source}={raw!r}")
            derived[phrase_id] = _PLACEHOLDER.sub(
                lambda m: _plain(values.get(m.group(1)), m.group(1)), phrase.values[key]
            )
        return derived


def _plain(value: Any, attribute_id: str) -> str:
    """Numbers and strings as a contract prints them inside a phrase (12, not 12.0)."""
    if value is None:
        raise ValueError(f"phrase needs a value for {attribute_id}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
