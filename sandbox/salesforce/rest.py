"""The REST resources under `/services/data/vXX.X/`: sObject records, describe, query and limits.

Handlers are plain functions of an `ApiRequest`, so the Starlette app and the Composite API (which
runs subrequests in-process) share one implementation.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sandbox.salesforce.errors import SalesforceError, json_parser_error, malformed_query
from sandbox.salesforce.field_values import format_datetime, parse_datetime
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.limits import ApiUsage
from sandbox.salesforce.schema import ObjectDef, Schema
from sandbox.salesforce.store import OrgStore

API_VERSIONS: dict[str, str] = {
    "52.0": "Summer '21", "53.0": "Winter '22", "54.0": "Spring '22", "55.0": "Summer '22",
    "56.0": "Winter '23", "57.0": "Spring '23", "58.0": "Summer '23", "59.0": "Winter '24",
    "60.0": "Spring '24", "61.0": "Summer '24", "62.0": "Winter '25",
}
DATA_PREFIX = "/services/data/"
DEFAULT_PAGE_SIZE = 2000
MIN_PAGE_SIZE = 200
BLOB_MEDIA_TYPE = "application/octetstream"  # sic: what real Salesforce sends for a blob field's bytes


@dataclass
class ApiRequest:
    method: str
    version: str
    segments: list[str]  # decoded path segments after /services/data/vXX.X/
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # JSON-serialisable; text or bytes when `media_type` is not JSON; None = empty body
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


def error_response(error: SalesforceError) -> ApiResponse:
    if error.status == 300 and error.matches:
        return ApiResponse(300, list(error.matches))
    return ApiResponse(error.status, error.body())


def parse_api_url(url: str) -> tuple[str, list[str], dict[str, str]] | None:
    """Split `/services/data/v59.0/sobjects/X/1?fields=a` into version, decoded segments and params."""
    parts = urlsplit(url)
    if not parts.path.startswith(DATA_PREFIX):
        return None
    version, _, rest = parts.path[len(DATA_PREFIX):].partition("/")
    if not version.startswith("v"):
        return None
    segments = [unquote(s) for s in rest.split("/")]
    while segments and segments[-1] == "":  # `query/` and `sobjects/X/` carry a trailing slash
        segments.pop()
    return version[1:], segments, dict(parse_qsl(parts.query, keep_blank_values=True))


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body; an empty body is None. Bad JSON is a 400 JSON_PARSER_ERROR."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SalesforceError(400, "JSON_PARSER_ERROR", f"Unexpected character in request body: {exc}") from exc


def record_body(body: Any, type_name: str) -> dict[str, Any]:
    """A JSON object of field values, without the optional `attributes` block."""
    if not isinstance(body, dict):
        raise json_parser_error(type_name, body)
    return {name: value for name, value in body.items() if name != "attributes"}


class QueryCursors:
    """Remembers the rest of large query results so `nextRecordsUrl` can page through them."""

    def __init__(self, max_cursors: int = 64) -> None:
        self._results: OrderedDict[str, tuple[list[dict], int, int]] = OrderedDict()
        self._max = max_cursors
        self._lock = threading.Lock()

    def page(self, version: str, records: list[dict], total: int, start: int, page_size: int,
             locator: str | None = None) -> dict[str, Any]:
        end = start + page_size
        body: dict[str, Any] = {"totalSize": total, "done": end >= len(records), "records": records[start:end]}
        if end < len(records):
            with self._lock:
                if locator is None:
                    locator = "01g5g" + secrets.token_hex(5).upper()
                    self._results[locator] = (records, total, page_size)
                    while len(self._results) > self._max:
                        self._results.popitem(last=False)
                self._results.move_to_end(locator)
            body["nextRecordsUrl"] = f"{DATA_PREFIX}v{version}/query/{locator}-{end}"
        elif locator is not None:
            with self._lock:
                self._results.pop(locator, None)
        return body

    def more(self, version: str, cursor: str) -> dict[str, Any]:
        locator, _, offset = cursor.rpartition("-")
        with self._lock:
            stored = self._results.get(locator)
        if stored is None or not offset.isdigit():
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        records, total, page_size = stored
        return self.page(version, records, total, int(offset), page_size, locator)


def _page_size(headers: Mapping[str, str]) -> int:
    """`Sforce-Query-Options: batchSize=n` (200..2000) picks the page size."""
    for option in headers.get("sforce-query-options", "").split(","):
        name, _, value = option.strip().partition("=")
        if name.strip() == "batchSize" and value.strip().isdigit():
            return min(max(int(value), MIN_PAGE_SIZE), DEFAULT_PAGE_SIZE)
    return DEFAULT_PAGE_SIZE


class RecordResources:
    """sObject, describe, query and limits resources over one `OrgStore`."""

    def __init__(self, store: OrgStore, schema: Schema, usage: ApiUsage) -> None:
        self.store = store
        self.schema = schema
        self.usage = usage
        self.cursors = QueryCursors()

    def object_def(self, name: str) -> ObjectDef:
        obj = self.schema.object(name)
        if obj is None:
            raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        return obj

    # --- org-level resources --------------------------------------------------------------

    def resources(self, req: ApiRequest) -> ApiResponse:
        base = f"{DATA_PREFIX}v{req.version}"
        names = ["sobjects", "query", "queryAll", "limits", "composite", "jobs"]
        return ApiResponse(200, {name: f"{base}/{name}" for name in names})

    def describe_global(self, req: ApiRequest) -> ApiResponse:
        return ApiResponse(200, self.schema.describe_global(req.version))

    def limits(self, req: ApiRequest) -> ApiResponse:
        return ApiResponse(200, self.usage.limits_resource())

    # --- sObject resources ----------------------------------------------------------------

    def object_metadata(self, req: ApiRequest, obj_name: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        return ApiResponse(200, {"objectDescribe": obj.describe_global_entry(req.version), "recentItems": []})

    def describe(self, req: ApiRequest, obj_name: str) -> ApiResponse:
        return ApiResponse(200, self.object_def(obj_name).describe(req.version))

    def create(self, req: ApiRequest, obj_name: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        new_id = self.store.create(obj.name, record_body(req.body, obj.name))
        return ApiResponse(
            201,
            {"id": new_id, "success": True, "errors": []},
            {"Location": f"{DATA_PREFIX}v{req.version}/sobjects/{obj.name}/{new_id}"},
        )

    def get(self, req: ApiRequest, obj_name: str, record_id: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        return ApiResponse(200, self.store.get(obj.name, record_id, _fields_param(req)))

    def update(self, req: ApiRequest, obj_name: str, record_id: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        self.store.update(obj.name, record_id, record_body(req.body, obj.name))
        return ApiResponse(204)

    def delete(self, req: ApiRequest, obj_name: str, record_id: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        self.store.delete(obj.name, record_id)
        return ApiResponse(204)

    def get_by_external_id(self, req: ApiRequest, obj_name: str, field_name: str, value: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        return ApiResponse(200, self.store.get_by_external_id(obj.name, field_name, value, _fields_param(req)))

    def names_record(self, obj_name: str, segment: str) -> bool:
        """Whether `sobjects/{obj}/{segment}/...` addresses a record by id rather than an external id field."""
        obj = self.schema.object(obj_name)
        return obj is not None and obj.field(segment) is None and normalize_id(segment) is not None

    def blob(self, req: ApiRequest, obj_name: str, record_id: str, field_name: str) -> ApiResponse:
        """sObject Blob Get: a base64 field's bytes, raw (`sobjects/ContentVersion/{id}/VersionData`)."""
        obj = self.object_def(obj_name)
        return ApiResponse(200, self.store.get_blob(obj.name, record_id, field_name), media_type=BLOB_MEDIA_TYPE)

    def delete_by_external_id(self, req: ApiRequest, obj_name: str, field_name: str, value: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        record = self.store.get_by_external_id(obj.name, field_name, value, ["Id"])
        self.store.delete(obj.name, record["Id"])
        return ApiResponse(204)

    def upsert(self, req: ApiRequest, obj_name: str, field_name: str, value: str) -> ApiResponse:
        obj = self.object_def(obj_name)
        fields = record_body(req.body, obj.name)
        with self.store.transaction():
            if req.params.get("updateOnly", "").lower() == "true":
                self.store.get_by_external_id(obj.name, field_name, value, ["Id"])  # 404 when absent
            record_id, created = self.store.upsert(obj.name, field_name, value, fields)
        return ApiResponse(
            201 if created else 200,
            {"id": record_id, "success": True, "errors": [], "created": created},
            {"Location": f"{DATA_PREFIX}v{req.version}/sobjects/{obj.name}/{record_id}"},
        )

    def changed(self, req: ApiRequest, obj_name: str, deleted: bool) -> ApiResponse:
        """`sobjects/X/updated/` and `sobjects/X/deleted/` over `?start=&end=` (ISO date-times)."""
        obj = self.object_def(obj_name)
        try:
            start = parse_datetime(req.params["start"])
            end = parse_datetime(req.params["end"])
        except (KeyError, ValueError) as exc:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE", "start and end must be ISO-8601 date-times") from exc
        if end <= start:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE", "end must be after start")
        rows = self.store.modified_between(obj.name, start, end, deleted)
        covered = format_datetime(end)
        if deleted:
            return ApiResponse(200, {
                "deletedRecords": [{"id": record_id, "deletedDate": stamp} for record_id, stamp in rows],
                "earliestDateAvailable": format_datetime(start), "latestDateCovered": covered,
            })
        return ApiResponse(200, {"ids": [record_id for record_id, _ in rows], "latestDateCovered": covered})

    # --- query ----------------------------------------------------------------------------

    def query(self, req: ApiRequest, include_deleted: bool) -> ApiResponse:
        soql = req.params.get("q", "").strip()
        if not soql:
            raise malformed_query("A query string has to be specified")
        result = self.store.query(soql, include_deleted=include_deleted)
        body = self.cursors.page(req.version, result.records, result.total_size, 0, _page_size(req.headers))
        return ApiResponse(200, body)

    def query_more(self, req: ApiRequest, cursor: str) -> ApiResponse:
        return ApiResponse(200, self.cursors.more(req.version, cursor))


def _fields_param(req: ApiRequest) -> list[str] | None:
    raw = req.params.get("fields")
    if raw is None:
        return None
    fields = [name.strip() for name in raw.split(",") if name.strip()]
    return fields or None

