"""The Composite API (`/composite`) and sObject Collections (`/composite/sobjects`).

Composite runs up to 25 subrequests in order through the same in-process router as plain REST calls,
substituting `@{ref.field}` / `@{ref.records[0].Id}` references from earlier results. With
`allOrNone` every subrequest shares one store transaction: the first failure rolls all of them back
and the others report PROCESSING_HALTED. The top-level answer is always HTTP 200.

Collections apply up to 200 records per call with per-record results (`statusCode` errors); under
`allOrNone` one invalid record rolls back all, and the valid ones say ALL_OR_NONE_OPERATION_ROLLED_BACK.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.rest import ApiRequest, ApiResponse, parse_api_url
from sandbox.salesforce.schema import Schema
from sandbox.salesforce.store import OrgStore

MAX_SUBREQUESTS = 25
MAX_QUERY_SUBREQUESTS = 5
MAX_COLLECTION_RECORDS = 200
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9_]+$")
_PATH_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
_FORBIDDEN_SUBREQUEST_HEADERS = {"accept", "authorization", "content-type"}
_SUBREQUEST_TARGETS = {"sobjects", "query", "queryAll", "composite"}

HALTED_MESSAGE = "The transaction was rolled back since another operation in the same transaction failed."
ROLLED_BACK_RESULT = {
    "success": False,
    "errors": [
        {
            "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
            "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
            "fields": [],
        }
    ],
}

Dispatch = Callable[[ApiRequest], ApiResponse]


class _RollBack(Exception):
    """Raised inside a store transaction to undo an all-or-none unit of work."""


def _bad_request(code: str, message: str) -> ApiResponse:
    return ApiResponse(400, [{"message": message, "errorCode": code}])


def _halted(message: str = HALTED_MESSAGE) -> dict[str, Any]:
    return {"body": [{"errorCode": "PROCESSING_HALTED", "message": message}], "httpHeaders": {}, "httpStatusCode": 400}


class _UnresolvedReference(Exception):
    def __init__(self, expression: str, reference_id: str) -> None:
        super().__init__(
            f"Invalid reference specified. No value for {expression} found in {reference_id}. "
            "Provided referenceId ensure the reference is correct and the reference's response is valid."
        )


class _References:
    """Results of earlier subrequests, addressable as `@{refId.path}`."""

    def __init__(self) -> None:
        self._bodies: dict[str, Any] = {}

    def record(self, reference_id: str, response: ApiResponse) -> None:
        if response.status < 300:
            self._bodies[reference_id] = response.body

    def _value(self, match: re.Match[str]) -> Any:
        reference_id, path = match.group(1), match.group(2)
        expression = reference_id + path
        if reference_id not in self._bodies:
            raise _UnresolvedReference(expression, reference_id)
        value = self._bodies[reference_id]
        for step in _PATH_STEP.finditer(path):
            key, index = step.group(1), step.group(2)
            if key is not None and isinstance(value, dict) and key in value:
                value = value[key]
            elif index is not None and isinstance(value, list) and int(index) < len(value):
                value = value[int(index)]
            else:
                raise _UnresolvedReference(expression, reference_id)
        if value is None or isinstance(value, dict | list):
            raise _UnresolvedReference(expression, reference_id)
        return value

    def substitute(self, value: Any) -> Any:
        """Replace references in strings; a string that is exactly one reference takes the value's type."""
        if isinstance(value, str):
            whole = _REFERENCE.fullmatch(value)
            if whole:
                return self._value(whole)
            return _REFERENCE.sub(lambda m: _as_text(self._value(m)), value)
        if isinstance(value, dict):
            return {key: self.substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.substitute(item) for item in value]
        return value


def _has_failed_records(body: Any) -> bool:
    """A collection subrequest answers 200 even when its (forced all-or-none) records failed."""
    return isinstance(body, list) and any(isinstance(r, dict) and r.get("success") is False for r in body)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CompositeResources:
    def __init__(self, store: OrgStore, schema: Schema, dispatch: Dispatch) -> None:
        self.store = store
        self.schema = schema
        self.dispatch = dispatch

    # --- /composite -----------------------------------------------------------------------

    def composite(self, req: ApiRequest) -> ApiResponse:
        body = req.body
        if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
            return _bad_request("JSON_PARSER_ERROR", "The request body must be an object with a compositeRequest array.")
        subrequests: list[Any] = body["compositeRequest"]
        all_or_none = bool(body.get("allOrNone", False))
        problem = self._validate_subrequests(subrequests)
        if problem is not None:
            return problem

        results: list[dict[str, Any]] = []
        if not all_or_none:
            references = _References()
            for sub in subrequests:
                results.append(self._run_subrequest(sub, references, req, force_all_or_none=False))
            return ApiResponse(200, {"compositeResponse": results})

        try:
            with self.store.transaction():
                references = _References()
                for sub in subrequests:
                    result = self._run_subrequest(sub, references, req, force_all_or_none=True)
                    results.append(result)
                    if result["httpStatusCode"] >= 400 or _has_failed_records(result["body"]):
                        raise _RollBack
        except _RollBack:
            failed = len(results) - 1
            halted = []
            for position, sub in enumerate(subrequests):
                entry = results[failed] if position == failed else _halted()
                halted.append({**entry, "referenceId": sub["referenceId"]})
            return ApiResponse(200, {"compositeResponse": halted})
        return ApiResponse(200, {"compositeResponse": results})

    def _validate_subrequests(self, subrequests: list[Any]) -> ApiResponse | None:
        if not subrequests:
            return _bad_request("JSON_PARSER_ERROR", "compositeRequest must contain at least one subrequest.")
        if len(subrequests) > MAX_SUBREQUESTS:
            return _bad_request(
                "LIMIT_EXCEEDED", f"Maximum number of subrequests is {MAX_SUBREQUESTS}, got {len(subrequests)}."
            )
        seen: set[str] = set()
        queries = 0
        for position, sub in enumerate(subrequests):
            if not isinstance(sub, dict):
                return _bad_request("JSON_PARSER_ERROR", f"Subrequest {position} is not an object.")
            method, url, reference_id = sub.get("method"), sub.get("url"), sub.get("referenceId")
            if not isinstance(method, str) or method.upper() not in {"GET", "POST", "PATCH", "PUT", "DELETE"}:
                return _bad_request("INVALID_API_INPUT", f"Subrequest {position}: unsupported method {method!r}.")
            if not isinstance(reference_id, str) or not _REFERENCE_ID.match(reference_id):
                return _bad_request(
                    "INVALID_API_INPUT",
                    f"Subrequest {position}: referenceId must contain only letters, numbers and underscores.",
                )
            if reference_id in seen:
                return _bad_request("INVALID_API_INPUT", f"Duplicate referenceId provided: {reference_id}.")
            seen.add(reference_id)
            parsed = parse_api_url(url) if isinstance(url, str) else None
            if parsed is None or not parsed[1] or parsed[1][0] not in _SUBREQUEST_TARGETS or (
                parsed[1][0] == "composite" and parsed[1][1:2] != ["sobjects"]
            ):
                return _bad_request(
                    "INVALID_API_INPUT",
                    f"Subrequest {reference_id}: url must be /services/data/vXX.X/ followed by sobjects, query, "
                    "queryAll or composite/sobjects.",
                )
            if parsed[1][0] in ("query", "queryAll"):
                queries += 1
            headers = sub.get("httpHeaders") or {}
            if not isinstance(headers, dict) or _FORBIDDEN_SUBREQUEST_HEADERS & {str(h).lower() for h in headers}:
                return _bad_request(
                    "INVALID_API_INPUT",
                    f"Subrequest {reference_id}: httpHeaders may not set Accept, Authorization or Content-Type.",
                )
        if queries > MAX_QUERY_SUBREQUESTS:
            return _bad_request(
                "LIMIT_EXCEEDED", f"Maximum number of query subrequests is {MAX_QUERY_SUBREQUESTS}, got {queries}."
            )
        return None

    def _run_subrequest(
        self, sub: dict[str, Any], references: _References, outer: ApiRequest, force_all_or_none: bool
    ) -> dict[str, Any]:
        reference_id = sub["referenceId"]
        try:
            url = references.substitute(sub["url"])
            body = references.substitute(sub.get("body"))
        except _UnresolvedReference as exc:
            return {**_halted(str(exc)), "referenceId": reference_id}
        version, segments, params = parse_api_url(str(url)) or (outer.version, [], {})
        if force_all_or_none and segments[:2] == ["composite", "sobjects"] and isinstance(body, dict):
            body = {**body, "allOrNone": True}  # an outer allOrNone overrides the collection's own flag
        headers = {**outer.headers, **{str(k).lower(): str(v) for k, v in (sub.get("httpHeaders") or {}).items()}}
        response = self.dispatch(
            ApiRequest(method=sub["method"].upper(), version=version, segments=segments, params=params,
                       body=body, headers=headers)
        )
        if isinstance(response.body, bytes):  # sObject Blob Get answers binary, which Composite cannot carry
            response = _bad_request("INVALID_API_INPUT", "Blob fields can't be retrieved in a Composite request; "
                                    "make an individual sObject Blob Get request.")
        references.record(reference_id, response)
        return {
            "body": response.body,
            "httpHeaders": dict(response.headers),
            "httpStatusCode": response.status,
            "referenceId": reference_id,
        }

    # --- /composite/sobjects --------------------------------------------------------------

    def _attempt(self, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            with self.store.transaction():
                return operation()
        except SalesforceError as exc:
            return {
                "success": False,
                "errors": [{"statusCode": exc.error_code, "message": exc.message, "fields": exc.fields}],
            }

    def _apply(self, all_or_none: bool, operations: list[Callable[[], dict[str, Any]]]) -> ApiResponse:
        results: list[dict[str, Any]] = []
        try:
            with self.store.transaction():
                results = [self._attempt(operation) for operation in operations]
                if all_or_none and not all(result["success"] for result in results):
                    raise _RollBack
        except _RollBack:
            results = [result if not result["success"] else ROLLED_BACK_RESULT for result in results]
        return ApiResponse(200, results)

    def _records(self, body: Any) -> tuple[bool, list[dict[str, Any]]] | ApiResponse:
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            return _bad_request("JSON_PARSER_ERROR", "The request body must be an object with a records array.")
        records = body["records"]
        if len(records) > MAX_COLLECTION_RECORDS:
            return _bad_request(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {MAX_COLLECTION_RECORDS} records into this call",
            )
        for position, record in enumerate(records):
            attributes = record.get("attributes") if isinstance(record, dict) else None
            if not isinstance(attributes, dict) or not isinstance(attributes.get("type"), str):
                return _bad_request(
                    "INVALID_TYPE", f"Record {position}: every record needs attributes.type naming its sObject."
                )
        return bool(body.get("allOrNone", False)), records

    def _object_name(self, name: str) -> str:
        obj = self.schema.object(name)
        if obj is None:
            raise SalesforceError(400, "INVALID_TYPE", f"sObject type '{name}' is not supported.")
        return obj.name

    def create_records(self, req: ApiRequest) -> ApiResponse:
        parsed = self._records(req.body)
        if isinstance(parsed, ApiResponse):
            return parsed
        all_or_none, records = parsed

        def create(record: dict[str, Any]) -> Callable[[], dict[str, Any]]:
            def run() -> dict[str, Any]:
                if "Id" in record or "id" in record:
                    raise SalesforceError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
                obj = self._object_name(record["attributes"]["type"])
                fields = {k: v for k, v in record.items() if k != "attributes"}
                return {"id": self.store.create(obj, fields), "success": True, "errors": []}

            return run

        return self._apply(all_or_none, [create(record) for record in records])

    def update_records(self, req: ApiRequest) -> ApiResponse:
        parsed = self._records(req.body)
        if isinstance(parsed, ApiResponse):
            return parsed
        all_or_none, records = parsed

        def update(record: dict[str, Any]) -> Callable[[], dict[str, Any]]:
            def run() -> dict[str, Any]:
                record_id = record.get("id") or record.get("Id")
                if not isinstance(record_id, str):
                    raise SalesforceError(400, "MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
                obj = self._object_name(record["attributes"]["type"])
                fields = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
                self.store.update(obj, record_id, fields)
                return {"id": record_id, "success": True, "errors": []}

            return run

        return self._apply(all_or_none, [update(record) for record in records])

    def upsert_records(self, req: ApiRequest, obj_name: str, ext_field: str) -> ApiResponse:
        parsed = self._records(req.body)
        if isinstance(parsed, ApiResponse):
            return parsed
        all_or_none, records = parsed
        obj = self._object_name(obj_name)

        def upsert(record: dict[str, Any]) -> Callable[[], dict[str, Any]]:
            def run() -> dict[str, Any]:
                if self._object_name(record["attributes"]["type"]) != obj:
                    raise SalesforceError(400, "INVALID_TYPE", f"Every record must be of type {obj}.")
                value = record.get(ext_field)
                if value is None or value == "":
                    raise SalesforceError(400, "MISSING_ARGUMENT", f"{ext_field} not specified", [ext_field])
                fields = {k: v for k, v in record.items() if k not in ("attributes", ext_field)}
                record_id, created = self.store.upsert(obj, ext_field, str(value), fields)
                return {"id": record_id, "success": True, "errors": [], "created": created}

            return run

        return self._apply(all_or_none, [upsert(record) for record in records])

    def delete_records(self, req: ApiRequest) -> ApiResponse:
        ids = [value for value in req.params.get("ids", "").split(",") if value]
        if not ids:
            return _bad_request("MISSING_ARGUMENT", "ids parameter is required")
        if len(ids) > MAX_COLLECTION_RECORDS:
            return _bad_request(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {MAX_COLLECTION_RECORDS} records into this call",
            )
        all_or_none = req.params.get("allOrNone", "false").lower() == "true"

        def delete(record_id: str) -> Callable[[], dict[str, Any]]:
            def run() -> dict[str, Any]:
                obj = self._object_for_id(record_id)
                self.store.delete(obj, record_id)
                return {"id": record_id, "success": True, "errors": []}

            return run

        return self._apply(all_or_none, [delete(record_id) for record_id in ids])

    def _object_for_id(self, record_id: str) -> str:
        obj = self.schema.object_for_prefix(record_id[:3])
        if obj is None:
            raise SalesforceError(400, "MALFORMED_ID", f"malformed id {record_id}", ["Id"])
        return obj.name

    def retrieve_records(self, req: ApiRequest, obj_name: str) -> ApiResponse:
        if req.method == "POST":
            body = req.body if isinstance(req.body, dict) else {}
            ids, fields = body.get("ids"), body.get("fields")
        else:
            ids = [v for v in req.params.get("ids", "").split(",") if v]
            fields = [v for v in req.params.get("fields", "").split(",") if v]
        if not isinstance(ids, list) or not ids or not isinstance(fields, list) or not fields:
            return _bad_request("MISSING_ARGUMENT", "Both ids and fields are required.")
        if len(ids) > 2000:
            return _bad_request("EXCEEDED_ID_LIMIT", "record limit reached. cannot retrieve more than 2000 records")
        obj = self._object_name(obj_name)
        records: list[dict[str, Any] | None] = []
        for record_id in ids:
            try:
                records.append(self.store.get(obj, str(record_id), [str(f) for f in fields]))
            except SalesforceError as exc:
                if exc.status != 404:
                    raise
                records.append(None)
        return ApiResponse(200, records)

