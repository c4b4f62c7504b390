"""The records repository API: list with filters and sorting, create, replace, patch, delete, attachments."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from sandbox.ironclad.attributes import parse_iso_datetime
from sandbox.ironclad.errors import invalid, missing, not_found
from sandbox.ironclad.filters import parse_filter
from sandbox.ironclad.records import check_properties
from sandbox.ironclad.store import Store
from sandbox.ironclad.webhooks import now_iso
from sandbox.ironclad.workflows import page_of

SORT_FIELDS = ("agreementDate", "name", "lastUpdated")


class RecordRepository:
    def __init__(self, store: Store, record_types: set[str]) -> None:
        self.store = store
        self.record_types = record_types

    def get(self, record_id: str) -> dict[str, Any]:
        doc = self.store.get("record", record_id)
        if doc is None and record_id.startswith("IC-"):
            doc = next((r for r in self.store.all("record") if r["ironcladId"] == record_id), None)
        if doc is None:
            raise not_found("record", "recordId")
        return doc

    def list_records(self, page: int, page_size: int, types: str | None, last_updated: str | None, filter_text: str | None,
             sort_field: str, sort_direction: str) -> dict[str, Any]:
        if sort_field not in SORT_FIELDS:
            raise invalid("sortField", f"sortField must be one of {', '.join(SORT_FIELDS)}")
        if sort_direction.upper() not in ("ASC", "DESC"):
            raise invalid("sortDirection", "sortDirection must be ASC or DESC")
        wanted = {t.strip() for t in types.split(",")} if types else None
        since = None
        if last_updated:
            try:
                since = parse_iso_datetime(last_updated)
            except ValueError:
                raise invalid("lastUpdated", "lastUpdated must be an ISO 8601 datetime") from None
        predicate = parse_filter(filter_text) if filter_text else None
        found = []
        for doc in self.store.all("record"):
            if wanted and doc["type"] not in wanted:
                continue
            if since and parse_iso_datetime(doc["lastUpdated"]) < since:
                continue
            if predicate and not predicate(partial(_field, doc)):
                continue
            found.append(doc)
        found.sort(key=lambda d: _sort_key(d, sort_field), reverse=sort_direction.upper() == "DESC")
        return page_of(found, page, page_size)

    def create(self, body: Any) -> dict[str, Any]:
        doc = self._validated(body)
        with self.store.lock:
            doc["id"] = str(uuid.uuid4())
            doc["ironcladId"] = f"IC-{self.store.next_value('ironcladId')}"
            doc.update(lastUpdated=now_iso(), attachments={}, childIds=[], source={"type": "integration"})
            self.store.put("record", doc["id"], doc)
        return doc

    def replace(self, record_id: str, body: Any) -> dict[str, Any]:
        with self.store.lock:
            current = self.get(record_id)
            doc = self._validated(body)
            current.update(type=doc["type"], name=doc["name"], properties=doc["properties"], links=doc["links"],
                           lastUpdated=now_iso())
            self.store.put("record", current["id"], current)
        return current

    def patch(self, record_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid("body", "request body must be a JSON object")
        with self.store.lock:
            doc = self.get(record_id)
            if "type" in body:
                self._check_type(body["type"])
                doc["type"] = body["type"]
            if "name" in body:
                if not isinstance(body["name"], str) or not body["name"].strip():
                    raise invalid("name", "name must be a non-empty string")
                doc["name"] = body["name"]
            doc["properties"].update(check_properties(body.get("addProperties", {}), "addProperties"))
            for key in body.get("removeProperties", []):
                doc["properties"].pop(key, None)
            doc["links"] = [link for link in doc.get("links", [])
                            if link.get("recordId") not in {x.get("recordId") for x in body.get("removeLinks", [])}]
            doc["links"] += body.get("addLinks", [])
            doc["lastUpdated"] = now_iso()
            self.store.put("record", doc["id"], doc)
        return doc

    def delete(self, record_id: str) -> None:
        doc = self.get(record_id)
        self.store.delete("record", doc["id"])
        self.store.delete_files(doc["id"])

    def attachment(self, record_id: str, key: str) -> tuple[str, str, bytes]:
        doc = self.get(record_id)
        row = self.store.get_file(doc["id"], key)
        if row is None:
            raise not_found("attachment", "key")
        return row["filename"], row["content_type"], bytes(row["data"])

    def _check_type(self, record_type: Any) -> None:
        if record_type not in self.record_types:
            raise invalid("type", f"type must be one of {sorted(self.record_types)}")

    def _validated(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid("body", "request body must be a JSON object")
        for required in ("type", "name"):
            if not body.get(required):
                raise missing(required)
        self._check_type(body["type"])
        return {"type": body["type"], "name": str(body["name"]),
                "properties": check_properties(body.get("properties", {})), "links": body.get("links", [])}


def _field(doc: dict[str, Any], name: str) -> Any:
    if name in doc["properties"]:
        return doc["properties"][name]["value"]
    return doc.get(name)


def _sort_key(doc: dict[str, Any], field: str) -> tuple[int, str]:
    if field == "agreementDate":
        value = doc["properties"].get("agreementDate", {}).get("value")
        return (1, parse_iso_datetime(value).isoformat()) if value else (0, "")
    return (1, str(doc.get(field, "")).lower())
