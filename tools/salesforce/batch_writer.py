"""Many contracts' write plans as few API calls: sObject Collections (200 records each) inside Composite calls
(25 collections each, one API call), with a result for every record.

Every plan passes the same gate as the one-plan path: the allow-list (`tools.write_plan.check_allowed`, here
before anything is sent) and the correlation stamp on each record (`tools.write_plan.record_body`). A reference to an earlier operation of the same plan
(`@{insight.id}`) becomes a relationship reference by external id (`Contract_Insight__r: {External_Key__c: …}`),
so an obligation finds its insight without a round trip. Collections run in order (referenced objects first),
not all-or-none: one bad record fails only its contract.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from tools.salesforce import SalesforceClient
from tools.salesforce.composite_calls import MAX_SUBREQUESTS, post_composite
from tools.write_plan import AllowList, WriteOp, WritePlan, check_allowed, load_allowlist, record_body

MAX_COLLECTION = 200
_REFERENCE = re.compile(r"^@\{([A-Za-z][A-Za-z0-9_]*)\.id\}$")


class PlannedWrite(BaseModel):
    """The operations of one contract's plan to send (those with changes)."""

    contract: str
    plan: WritePlan
    refs: list[str]


class RecordResult(BaseModel):
    contract: str
    ref: str
    sobject: str
    success: bool
    created: bool | None = None
    id: str | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)

    def described(self) -> str:
        """`ref (sobject) CODE: message; ...`, as a report lists a failed record."""
        said = "; ".join(f"{e.get('statusCode') or e.get('errorCode')}: {e.get('message')}" for e in self.errors)
        return f"{self.ref} ({self.sobject}) {said}"


class WriteReport(BaseModel):
    results: list[RecordResult] = Field(default_factory=list)
    api_calls: int = 0
    records_sent: int = 0


@dataclass
class _Record:
    sobject: str
    action: str
    key: str  # record id (update) or external id (upsert)
    body: dict[str, Any]
    owners: list[tuple[str, str]] = field(default_factory=list)  # (contract, ref) that asked for it
    references: set[str] = field(default_factory=set)  # sobjects this record points at by external id


def relationship_name(reference_field: str) -> str:
    if not reference_field.endswith("__c"):
        raise ValueError(f"{reference_field}: only custom lookups can be set by external id here")
    return reference_field[:-3] + "__r"


def _record(op: WriteOp, plan: WritePlan, allow: AllowList) -> _Record:
    rule = allow.rule(op.sobject)
    body = record_body(op, plan, allow)
    references: set[str] = set()
    for name, value in list(body.items()):
        match = _REFERENCE.match(value) if isinstance(value, str) else None
        if not match:
            continue
        parent = next((p for p in plan.operations if p.ref == match.group(1)), None)
        if parent is None or parent.action != "upsert" or not parent.external_id:
            raise ValueError(f"{op.ref}.{name}: references {match.group(1)!r}, which is not an upsert by external id")
        parent_key = parent.external_id_field or allow.rule(parent.sobject).external_id
        del body[name]
        body[relationship_name(name)] = {parent_key: parent.external_id}
        references.add(parent.sobject)
    if op.action == "upsert":
        key_field = op.external_id_field or rule.external_id
        assert key_field and op.external_id
        body[key_field] = op.external_id
        return _Record(op.sobject, "upsert", op.external_id, body, references=references)
    if op.action == "update":
        assert op.record_id
        return _Record(op.sobject, "update", op.record_id, {"id": op.record_id, **body}, references=references)
    raise ValueError(f"{op.ref}: the batch writer sends updates and upserts only, not {op.action}")


def _collect(writes: list[PlannedWrite], allow: AllowList) -> list[_Record]:
    """One record per (object, key): two contracts updating the same Opportunity send it once."""
    merged: dict[tuple[str, str, str], _Record] = {}
    for write in writes:
        by_ref = {op.ref: op for op in write.plan.operations}
        for ref in write.refs:
            record = _record(by_ref[ref], write.plan, allow)
            slot = (record.sobject, record.action, record.key.lower() if record.action == "upsert" else record.key)
            if slot in merged:
                merged[slot].body.update(record.body)
                merged[slot].references |= record.references
            else:
                merged[slot] = record
            merged[slot].owners.append((write.contract, ref))
    return list(merged.values())


def _ordered_groups(records: list[_Record]) -> list[list[_Record]]:
    """Records grouped by (object, action); objects referenced by others come first."""
    groups: dict[tuple[str, str], list[_Record]] = defaultdict(list)
    for record in records:
        groups[(record.sobject, record.action)].append(record)
    referenced = {name for record in records for name in record.references}
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0] not in referenced, k[0], k[1]))]


def _subrequest(api_version: str, chunk: list[_Record], allow: AllowList, number: int) -> dict[str, Any]:
    first = chunk[0]
    records = [{"attributes": {"type": r.sobject}, **r.body} for r in chunk]
    base = f"/services/data/v{api_version}/composite/sobjects"
    url = f"{base}/{first.sobject}/{allow.rule(first.sobject).external_id}" if first.action == "upsert" else base
    return {"method": "PATCH", "url": url, "referenceId": f"c{number}",
            "body": {"allOrNone": False, "records": records}}


def write_batch(client: SalesforceClient, writes: list[PlannedWrite], collection_size: int = MAX_COLLECTION,
                allow: AllowList | None = None) -> WriteReport:
    """Send every planned operation; returns one result per (contract, op ref)."""
    allow = allow or load_allowlist()
    for write in writes:  # a plan outside the allow-list or the rollout mode stops the batch before any call
        check_allowed(write.plan, allow)
        for op in write.plan.operations:
            client.rollout.check_write(op.sobject, op.fields)
    size = max(1, min(collection_size, MAX_COLLECTION))
    chunks = [group[i:i + size] for group in _ordered_groups(_collect(writes, allow))
              for i in range(0, len(group), size)]
    report = WriteReport(records_sent=sum(len(c) for c in chunks))
    calls_before = client.calls
    for start in range(0, len(chunks), MAX_SUBREQUESTS):
        batch = chunks[start:start + MAX_SUBREQUESTS]
        subrequests = [_subrequest(client.api_version, chunk, allow, start + n) for n, chunk in enumerate(batch)]
        for chunk, answer in zip(batch, post_composite(client, subrequests), strict=True):
            report.results += _results(chunk, answer)
    report.api_calls = client.calls - calls_before
    return report


def _results(chunk: list[_Record], answer: dict[str, Any]) -> list[RecordResult]:
    status, body = int(answer.get("httpStatusCode", 0)), answer.get("body")
    saves: list[Any]
    if 200 <= status < 300 and isinstance(body, list) and len(body) == len(chunk):
        saves = body
    else:  # the collection as a whole was refused: every record in it failed the same way
        errors = body if isinstance(body, list) else [{"message": str(body)}]
        saves = [{"success": False, "errors": errors}] * len(chunk)
    results = []
    for record, save in zip(chunk, saves, strict=True):
        ok = bool(save.get("success"))
        for contract, ref in record.owners:
            results.append(RecordResult(contract=contract, ref=ref, sobject=record.sobject, success=ok,
                                        created=save.get("created"), id=save.get("id"),
                                        errors=[] if ok else list(save.get("errors") or [])))
    return results
