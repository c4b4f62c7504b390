"""The one path for every Salesforce write: a typed plan, checked against an allow-list, shown as a diff,
applied as ONE atomic Composite call.

A plan is a list of operations (update by id, upsert by external id, create where no natural key exists).
Later operations may reference earlier ones with `@{ref.id}`. Every record is stamped with the run's
correlation id, so any value in Salesforce can be traced back to the run that wrote it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from core.salesforce_ids import record_key
from core.state_model import StateModel
from tools.neutralise import neutralise_value

ALLOWLIST_FILE = Path(__file__).with_name("write_allowlist.yaml")


class WriteNotAllowed(ValueError):
    """A write plan touches an object, field or action outside contractloop's allow-list."""
COMPOSITE_LIMIT = 25
_REF = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_REFERENCE_USE = re.compile(r"@\{([A-Za-z][A-Za-z0-9_]*)\.")


class WriteOp(StateModel):
    ref: str = Field(description="Reference id, unique within the plan; later ops may use @{ref.id}.")
    action: Literal["create", "update", "upsert"]
    sobject: str
    record_id: str | None = Field(None, description="For update.")
    external_id_field: str | None = Field(None, description="For upsert; defaults to the allow-list's key.")
    external_id: str | None = Field(None, description="For upsert: the key value.")
    fields: dict[str, Any] = Field(default_factory=dict)
    citations: dict[str, str] = Field(default_factory=dict, description="Field -> where its value came from.")

    @field_validator("ref")
    @classmethod
    def _ref_shape(cls, value: str) -> str:
        if not _REF.match(value):
            raise ValueError("ref must start with a letter and hold only letters, digits and _ (max 80)")
        return value

    @field_validator("fields")
    @classmethod
    def _salesforce_values(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Held as Salesforce will receive them (a Decimal as a number, a date as ISO text): the plan is then
        # the same before and after a checkpoint round trip, which stores state JSON-native. Text is neutralised
        # here, on the one path every write takes, so the diff compares what will really be stored.
        return {name: neutralise_value(to_salesforce_value(v)) for name, v in value.items()}

    @model_validator(mode="after")
    def _keys_present(self) -> WriteOp:
        if self.action == "update" and not self.record_id:
            raise ValueError(f"{self.ref}: update needs record_id")
        if self.action == "upsert" and not self.external_id:
            raise ValueError(f"{self.ref}: upsert needs external_id")
        return self


class WritePlan(StateModel):
    correlation_id: str = Field(min_length=8)
    operations: list[WriteOp]
    summary: str = ""

    @model_validator(mode="after")
    def _refs_unique_and_backward(self) -> WritePlan:
        seen: set[str] = set()
        for op in self.operations:
            if op.ref in seen:
                raise ValueError(f"duplicate ref {op.ref!r}")
            for used in _REFERENCE_USE.findall(_flatten(op.fields)):
                if used not in seen:
                    raise ValueError(f"{op.ref} references {used!r}, which is not an earlier operation")
            seen.add(op.ref)
        return self


Action = Literal["create", "update", "upsert"]


class ObjectRule(BaseModel):
    """What may be written to one object. `fields` holds for every action unless `fields_by_action` names the
    action, whose list then replaces it (an Opportunity is updated with sync fields but upserted as a renewal).
    `create_only` fields are taken when a record is created and refused when it is updated (Salesforce's
    non-reparentable parents: CampaignMember.CampaignId, a quote line's quote); see `for_existing`."""

    actions: list[Action]
    fields: list[str] = Field(default_factory=list)
    fields_by_action: dict[Action, list[str]] = Field(default_factory=dict)
    create_only: list[str] = Field(default_factory=list)
    external_id: str | None = None
    correlation_field: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ObjectRule:
        stray = sorted(set(self.fields_by_action) - set(self.actions))
        if stray:
            raise ValueError(f"fields_by_action names actions the rule does not allow: {stray}")
        if "upsert" in self.actions and not self.external_id:
            raise ValueError("an upsert rule needs external_id")
        unknown = sorted(set(self.create_only) - {f for action in self.actions for f in self.fields_for(action)})
        if unknown:
            raise ValueError(f"create_only fields {unknown} are not allowed fields")
        return self

    def fields_for(self, action: Action) -> list[str]:
        return self.fields_by_action.get(action, self.fields)


class AllowList(BaseModel):
    objects: dict[str, ObjectRule]

    def rule(self, sobject: str) -> ObjectRule:
        rule = self.objects.get(sobject)
        if rule is None:
            raise WriteNotAllowed(f"contractloop may not write {sobject} (not in the allow-list)")
        return rule


@lru_cache(maxsize=2)
def load_allowlist(path: Path = ALLOWLIST_FILE) -> AllowList:
    return AllowList.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class OpResult(StateModel):
    ref: str
    sobject: str
    action: str
    status: int
    id: str | None = None
    created: bool | None = None
    success: bool
    errors: list[dict[str, Any]] = Field(default_factory=list)


def check_allowed(plan: WritePlan, allow: AllowList | None = None) -> None:
    """Refuse the whole plan if any operation leaves the allow-list."""
    allow = allow or load_allowlist()
    for op in plan.operations:
        rule = allow.rule(op.sobject)
        if op.action not in rule.actions:
            raise WriteNotAllowed(f"{op.ref}: {op.action} on {op.sobject} is not allowed (allowed: {rule.actions})")
        if op.action == "upsert":
            key = op.external_id_field or rule.external_id
            if key != rule.external_id:
                raise WriteNotAllowed(f"{op.ref}: {op.sobject} upserts only by {rule.external_id}")
        extra = sorted(set(op.fields) - set(rule.fields_for(op.action)))
        if extra:
            raise WriteNotAllowed(f"{op.ref}: fields {extra} of {op.sobject} are not in the allow-list"
                                  f" for {op.action}")


def for_existing(plan: WritePlan, current: dict[str, dict[str, Any] | None],
                 allow: AllowList | None = None) -> WritePlan:
    """The plan as it must be sent when some upserts will update: their `create_only` fields left out.

    `current` is what Salesforce holds per op ref (None = not there yet), as read for the diff. Salesforce
    refuses a create-only field on update even when its value is unchanged, so a re-run must not send it; a
    different value would mean moving the record to another parent, which Salesforce cannot do, so that is
    refused here. A value naming a record of this plan (`@{ref.id}`) is checked against what `current` holds
    for that ref: a parent about to be created, or one with another Id, is a move too.
    """
    allow = allow or load_allowlist()
    operations = []
    for op in plan.operations:
        held = current.get(op.ref)
        rule = allow.rule(op.sobject)
        dropped = [name for name in rule.create_only if name in op.fields]
        if op.action != "upsert" or not held or not dropped:
            operations.append(op)
            continue
        for name in dropped:
            value, asked = op.fields[name], op.fields[name]
            reference = _REFERENCE_USE.match(value) if isinstance(value, str) else None
            if reference:
                parent = current.get(reference.group(1))
                if parent is not None and "Id" not in parent:
                    continue  # the parent is held but was read without its Id: nothing to compare
                value = parent["Id"] if parent is not None else None
                asked = value or f"the record {reference.group(1)} creates"
            if held.get(name) is not None and (value is None or not _same_id(held[name], value)):
                raise WriteNotAllowed(f"{op.ref}: {op.sobject}.{name} is set on create only; the record holds "
                                      f"{held[name]}, the plan asks for {asked}")
        fields = {k: v for k, v in op.fields.items() if k not in dropped}
        operations.append(op.model_copy(update={"fields": fields}))
    return plan.model_copy(update={"operations": operations})


def _same_id(held: Any, new: Any) -> bool:
    """A 15- and an 18-character Id name the same record."""
    return record_key(str(held)) == record_key(str(new))


def to_salesforce_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000") if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_body(op: WriteOp, plan: WritePlan, allow: AllowList) -> dict[str, Any]:
    rule = allow.rule(op.sobject)
    body = {name: to_salesforce_value(v) for name, v in op.fields.items()}
    if rule.correlation_field:
        body[rule.correlation_field] = plan.correlation_id
    return body


def compile_composite(plan: WritePlan, api_version: str, allow: AllowList | None = None) -> dict[str, Any]:
    """The plan as one `/composite` request body, all-or-none."""
    allow = allow or load_allowlist()
    check_allowed(plan, allow)
    if len(plan.operations) > COMPOSITE_LIMIT:
        raise WriteNotAllowed(
            f"plan has {len(plan.operations)} operations; one Composite call takes at most {COMPOSITE_LIMIT}"
            " (split it, or use the batch writer for backfills)"
        )
    base = f"/services/data/v{api_version}/sobjects"
    subrequests = []
    for op in plan.operations:
        body = record_body(op, plan, allow)
        if op.action == "update":
            method, url = "PATCH", f"{base}/{op.sobject}/{op.record_id}"
        elif op.action == "upsert":
            key = op.external_id_field or allow.rule(op.sobject).external_id
            method, url = "PATCH", f"{base}/{op.sobject}/{key}/{quote(op.external_id or '', safe='')}"
        else:
            method, url = "POST", f"{base}/{op.sobject}"
        subrequests.append({"method": method, "url": url, "referenceId": op.ref, "body": body})
    return {"allOrNone": True, "compositeRequest": subrequests}


def parse_composite_results(plan: WritePlan, response: dict[str, Any]) -> list[OpResult]:
    by_ref = {item.get("referenceId"): item for item in response.get("compositeResponse", [])}
    results = []
    for op in plan.operations:
        item = by_ref.get(op.ref, {})
        status = int(item.get("httpStatusCode", 0))
        body = item.get("body")
        ok = 200 <= status < 300
        record_id = op.record_id
        created: bool | None = None
        if isinstance(body, dict):
            record_id = body.get("id", record_id)
            created = body.get("created", True if op.action == "create" and ok else None)
        results.append(OpResult(
            ref=op.ref, sobject=op.sobject, action=op.action, status=status, id=record_id, created=created,
            success=ok, errors=body if isinstance(body, list) and not ok else [],
        ))
    return results


class FieldChange(StateModel):
    """One line of the dry-run diff a reviewer sees before anything is written."""

    ref: str
    sobject: str
    record: str = Field(description="Record id, or the external key for an upsert.")
    field: str
    old: Any = None
    new: Any = None
    citation: str | None = None


def diff(plan: WritePlan, current: dict[str, dict[str, Any] | None]) -> list[FieldChange]:
    """Field-level changes the plan would make, given each op's current record (None = does not exist yet).

    Values equal to what Salesforce already holds are left out, so re-applying a plan shows no change.
    """
    changes: list[FieldChange] = []
    for op in plan.operations:
        existing = current.get(op.ref) or {}
        for name, value in op.fields.items():
            new = to_salesforce_value(value)
            old = existing.get(name)
            if _same(old, new):
                continue
            changes.append(FieldChange(
                ref=op.ref, sobject=op.sobject, record=op.record_id or op.external_id or op.ref,
                field=name, old=old, new=new, citation=op.citations.get(name),
            ))
    return changes


def _same(old: Any, new: Any) -> bool:
    """Equal as Salesforce stores them (numbers come back as floats); a reference to a record the plan
    creates (`@{ref.id}`) is never equal to what is held."""
    if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
        return abs(float(old) - float(new)) < 1e-9
    return bool(old == new)


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_flatten(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_flatten(v) for v in value)
    return str(value)
