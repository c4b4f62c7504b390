"""The org's object model, loaded from schema.yaml: drives storage, validation, SOQL and describe."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

FieldType = Literal[
    "id", "string", "textarea", "picklist", "multipicklist", "combobox", "boolean", "currency", "double",
    "percent", "int", "date", "datetime", "reference", "url", "email", "phone", "base64",
]
TEXT_TYPES = frozenset(
    {"id", "string", "textarea", "picklist", "multipicklist", "combobox", "reference", "url", "email", "phone", "base64"}
)
NUMBER_TYPES = frozenset({"currency", "double", "percent", "int"})
SYSTEM_FIELDS = ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")
DEFAULT_SCHEMA_PATH = Path(__file__).with_name("schema.yaml")


class Rollup(BaseModel):
    """Parent field recomputed from child rows: SUM of a child field, or whether any child exists."""

    model_config = ConfigDict(extra="forbid")
    child: str
    via: str
    op: Literal["sum", "exists"]
    field: str | None = None


class FieldDef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    type: FieldType
    label: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    picklist_values: list[str] = Field(default_factory=list)
    restricted_picklist: bool = False
    reference_to: list[str] = Field(default_factory=list)
    relationship_name: str | None = None
    child_relationship_name: str | None = None
    cascade_delete: bool = False
    external_id: bool = False
    unique: bool = False
    default: Any = None
    defaulted: bool = False  # filled in on create when absent (OwnerId)
    auto: bool = False  # set by the emulator (system fields, formulas, auto-numbers, derived values)
    formula: str | None = None  # SQLite expression over the row's columns, stored as a generated column
    auto_number: str | None = None
    rollup: Rollup | None = None

    @property
    def required(self) -> bool:
        """Must be given on create: not nillable, no default, and not filled in by the emulator."""
        return (self.createable and not self.nillable and self.default is None and not self.defaulted
                and self.type != "boolean")

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    def describe(self) -> dict[str, Any]:
        default = self.default if self.type != "boolean" else None
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "length": self.length,
            "precision": self.precision,
            "scale": self.scale,
            "nillable": self.nillable,
            "createable": self.createable,
            "updateable": self.updateable,
            "defaultedOnCreate": self.default is not None or self.auto or self.defaulted or self.type == "boolean",
            "defaultValue": default,
            "defaultValueFormula": None,
            "calculated": self.formula is not None,
            "calculatedFormula": self.formula,
            "autoNumber": self.auto_number is not None,
            "picklistValues": [
                {"value": v, "label": v, "active": True, "defaultValue": v == self.default, "validFor": None}
                for v in self.picklist_values
            ],
            "restrictedPicklist": self.restricted_picklist,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "cascadeDelete": self.cascade_delete,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.name == "Id" or self.external_id or self.name == "Name",
            "filterable": self.type not in ("textarea", "base64"),
            "sortable": self.type not in ("textarea", "base64", "multipicklist"),
            "groupable": self.type not in ("textarea", "base64", "currency", "double", "percent", "datetime"),
            "soapType": _SOAP_TYPES[self.type],
            "custom": self.name.endswith("__c"),
        }


_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "currency": "xsd:double",
    "double": "xsd:double", "percent": "xsd:double", "int": "xsd:int", "date": "xsd:date",
    "datetime": "xsd:dateTime", "base64": "xsd:base64Binary",
}
for _t in TEXT_TYPES - {"id", "reference", "base64"}:
    _SOAP_TYPES[_t] = "xsd:string"


class ChildRelationship(BaseModel):
    child_object: str
    field: str
    relationship_name: str
    cascade_delete: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "childSObject": self.child_object,
            "field": self.field,
            "relationshipName": self.relationship_name,
            "cascadeDelete": self.cascade_delete,
            "deprecatedAndHidden": False,
            "restrictedDelete": False,
        }


class ObjectDef(BaseModel):
    name: str
    label: str
    label_plural: str
    key_prefix: str
    custom: bool
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    fields: list[FieldDef]
    child_relationships: list[ChildRelationship] = Field(default_factory=list)
    _by_name: dict[str, FieldDef] = PrivateAttr(default_factory=dict)
    _by_relationship: dict[str, FieldDef] = PrivateAttr(default_factory=dict)
    _children: dict[str, ChildRelationship] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        self.reindex()

    def reindex(self) -> None:
        self._by_name = {f.name.lower(): f for f in self.fields}
        self._by_relationship = {f.relationship_name.lower(): f for f in self.fields if f.relationship_name}
        self._children = {c.relationship_name.lower(): c for c in self.child_relationships}

    def field(self, name: str) -> FieldDef | None:
        return self._by_name.get(name.lower())

    def parent_relationship(self, name: str) -> FieldDef | None:
        """The reference field behind a parent relationship name (`Account`, `SBQQ__Opportunity2__r`)."""
        return self._by_relationship.get(name.lower())

    def child_relationship(self, name: str) -> ChildRelationship | None:
        return self._children.get(name.lower())

    def describe(self, api_version: str = "59.0") -> dict[str, Any]:
        return {**self.describe_global_entry(api_version),
                "fields": [f.describe() for f in self.fields],
                "childRelationships": [c.describe() for c in self.child_relationships],
                "recordTypeInfos": [{
                    "active": True, "available": True, "defaultRecordTypeMapping": True, "master": True,
                    "name": "Master", "developerName": "Master", "recordTypeId": "012000000000000AAA",
                    "urls": {"layout": f"/services/data/v{api_version}/sobjects/{self.name}/describe/layouts/012000000000000AAA"},
                }],
                "supportedScopes": [{"label": "All " + self.label_plural.lower(), "name": "everything"}]}

    def describe_global_entry(self, api_version: str = "59.0") -> dict[str, Any]:
        base = f"/services/data/v{api_version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": self.custom,
            "createable": self.createable,
            "updateable": self.updateable,
            "deletable": self.deletable,
            "queryable": self.queryable,
            "retrieveable": True,
            "searchable": True,
            "layoutable": True,
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        }


class StageDef(BaseModel):
    name: str
    probability: float
    forecast_category: str
    closed: bool
    won: bool


class Schema:
    """All objects of the org, looked up case-insensitively by name or by id key prefix."""

    def __init__(self, objects: list[ObjectDef], stages: list[StageDef]):
        self._objects = {o.name.lower(): o for o in objects}
        self._by_prefix = {o.key_prefix: o for o in objects}
        self.stages = {s.name: s for s in stages}

    def object(self, name: str) -> ObjectDef | None:
        return self._objects.get(name.lower())

    def objects(self) -> list[ObjectDef]:
        return list(self._objects.values())

    def object_for_prefix(self, prefix: str) -> ObjectDef | None:
        return self._by_prefix.get(prefix)

    def describe_global(self, api_version: str = "59.0") -> dict[str, Any]:
        return {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [o.describe_global_entry(api_version) for o in self._objects.values()],
        }

    def describe(self, name: str, api_version: str = "59.0") -> dict[str, Any]:
        obj = self.object(name)
        if obj is None:
            raise KeyError(name)
        return obj.describe(api_version)


class SchemaError(ValueError):
    """schema.yaml is inconsistent; raised at load time so a bad schema never serves requests."""


def load_schema(path: Path | None = None) -> Schema:
    raw = yaml.safe_load((path or DEFAULT_SCHEMA_PATH).read_text())
    try:
        objects = [_build_object(name, spec) for name, spec in raw["objects"].items()]
        stages = [
            StageDef(name=name, probability=p, forecast_category=fc, closed=closed, won=won)
            for name, (p, fc, closed, won) in raw.get("opportunity_stages", {}).items()
        ]
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise SchemaError(f"invalid schema: {exc}") from exc
    _link_children(objects)
    return Schema(objects, stages)


def _build_object(name: str, spec: dict[str, Any]) -> ObjectDef:
    label = spec.get("label") or _label_from_name(name)
    fields = _system_fields(name, owned=spec.get("owned", False))
    for field_name, field_spec in spec["fields"].items():
        fields.append(_build_field(name, field_name, field_spec or {}))
    seen: set[str] = set()
    for f in fields:
        if f.name.lower() in seen:
            raise SchemaError(f"{name}.{f.name} declared twice")
        seen.add(f.name.lower())
    return ObjectDef(
        name=name,
        label=label,
        label_plural=spec.get("label_plural") or _plural(label),
        key_prefix=str(spec["key_prefix"]),
        custom=name.endswith("__c"),
        createable=spec.get("createable", True),
        updateable=spec.get("updateable", True),
        deletable=spec.get("deletable", True),
        fields=fields,
    )


def _system_fields(obj: str, owned: bool) -> list[FieldDef]:
    def system(name: str, type_: FieldType, **extra: Any) -> FieldDef:
        return FieldDef(name=name, type=type_, label=extra.pop("label", _label_from_name(name)), auto=True,
                        createable=False, updateable=False, nillable=False, **extra)

    fields = [
        system("Id", "id", label="Record ID", length=18),
        system("IsDeleted", "boolean", label="Deleted"),
        system("CreatedDate", "datetime"),
        system("CreatedById", "reference", label="Created By ID", length=18, reference_to=["User"],
               relationship_name="CreatedBy"),
        system("LastModifiedDate", "datetime"),
        system("LastModifiedById", "reference", label="Last Modified By ID", length=18, reference_to=["User"],
               relationship_name="LastModifiedBy"),
        system("SystemModstamp", "datetime", label="System Modstamp"),
    ]
    if owned:
        fields.append(FieldDef(name="OwnerId", type="reference", label="Owner ID", length=18, nillable=False,
                               reference_to=["User"], relationship_name="Owner", defaulted=True))
    return fields


_FIELD_KEYS = {
    "type", "label", "length", "required", "createable", "updateable", "values", "restricted", "to",
    "relationship", "child", "cascade_delete", "external_id", "unique", "default", "formula", "auto_number",
    "auto", "rollup",
}
_DEFAULT_LENGTHS = {"currency": (18, 2), "double": (18, 0), "percent": (3, 0), "int": (9, 0)}


def _build_field(obj: str, name: str, spec: dict[str, Any]) -> FieldDef:
    unknown = set(spec) - _FIELD_KEYS
    if unknown:
        raise SchemaError(f"{obj}.{name}: unknown keys {sorted(unknown)}")
    type_ = spec["type"]
    computed = bool(spec.get("formula") or spec.get("auto_number") or spec.get("auto"))
    rollup = spec.get("rollup")
    # A SUM rollup on a plain field (Opportunity.Amount) stays writable until children exist.
    read_only = computed or (rollup is not None and rollup.get("op") == "exists")
    to = spec.get("to")
    reference_to = [to] if isinstance(to, str) else list(to or [])
    if type_ == "reference" and not reference_to:
        raise SchemaError(f"{obj}.{name}: reference without 'to'")
    precision, scale = _DEFAULT_LENGTHS.get(type_, (0, 0))
    length = spec.get("length", 18 if type_ in ("reference", "id") else 0)
    if type_ in TEXT_TYPES and not length and type_ not in ("picklist", "multipicklist"):
        raise SchemaError(f"{obj}.{name}: text field without length")
    if type_ in ("picklist", "multipicklist") and not length:
        length = 255
    label = spec.get("label") or _field_label(name, type_)
    return FieldDef(
        name=name,
        type=type_,
        label=label,
        length=length,
        precision=precision,
        scale=scale,
        nillable=not spec.get("required", False) and type_ != "boolean",
        createable=spec.get("createable", not read_only),
        updateable=spec.get("updateable", not read_only),
        picklist_values=[str(v) for v in spec.get("values", [])],
        restricted_picklist=spec.get("restricted", False),
        reference_to=reference_to,
        relationship_name=spec.get("relationship") or (_relationship_from_field(name) if reference_to else None),
        child_relationship_name=spec.get("child"),
        cascade_delete=spec.get("cascade_delete", False),
        external_id=spec.get("external_id", False),
        unique=spec.get("unique", False),
        default=spec.get("default"),
        auto=computed,
        formula=spec.get("formula"),
        auto_number=spec.get("auto_number"),
        rollup=Rollup(**rollup) if rollup else None,
    )


def _link_children(objects: list[ObjectDef]) -> None:
    by_name = {o.name: o for o in objects}
    prefixes: set[str] = set()
    for obj in objects:
        if obj.key_prefix in prefixes:
            raise SchemaError(f"{obj.name}: key prefix {obj.key_prefix} used twice")
        prefixes.add(obj.key_prefix)
    for obj in objects:
        for f in obj.fields:
            for target in f.reference_to:
                if target not in by_name:
                    raise SchemaError(f"{obj.name}.{f.name} references unknown object {target}")
                if f.child_relationship_name:
                    parent = by_name[target]
                    if parent.child_relationship(f.child_relationship_name):
                        raise SchemaError(f"{target} has child relationship {f.child_relationship_name} twice")
                    parent.child_relationships.append(ChildRelationship(
                        child_object=obj.name, field=f.name, relationship_name=f.child_relationship_name,
                        cascade_delete=f.cascade_delete))
                    parent.reindex()
            if f.rollup:
                child = by_name.get(f.rollup.child)
                if child is None or child.field(f.rollup.via) is None:
                    raise SchemaError(f"{obj.name}.{f.name}: rollup over unknown child field")
                if f.rollup.op == "sum" and (not f.rollup.field or child.field(f.rollup.field) is None):
                    raise SchemaError(f"{obj.name}.{f.name}: rollup sums an unknown field")


def _relationship_from_field(name: str) -> str:
    if name.endswith("__c"):
        return name[:-3] + "__r"
    return name[:-2] if name.endswith("Id") else name


def _label_from_name(name: str) -> str:
    bare = re.sub(r"^[A-Za-z0-9]+__(?=.+__c$)", "", name).removesuffix("__c")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", bare).replace("_", " ").strip()


def _field_label(name: str, type_: str) -> str:
    if type_ == "reference" and name.endswith("Id"):
        return _label_from_name(name[:-2]) + " ID"
    return _label_from_name(name)


def _plural(label: str) -> str:
    if label.endswith("y") and not label.endswith(("ay", "ey", "oy")):
        return label[:-1] + "ies"
    return label + ("es" if label.endswith(("s", "x", "ch")) else "s")
