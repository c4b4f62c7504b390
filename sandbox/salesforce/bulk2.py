"""Bulk API 2.0 ingest jobs: create, upload CSV, UploadComplete, poll, and per-row result CSVs.

A job is processed synchronously when its state is set to UploadComplete (rows one by one, each in
its own store transaction), so by the client's first poll it is already JobComplete. Jobs live in
memory for the life of the server, like the short-lived jobs of a real org.
"""

from __future__ import annotations

import csv
import io
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.rest import ApiResponse, parse_json_body
from sandbox.salesforce.schema import ObjectDef, Schema
from sandbox.salesforce.store import OrgStore

OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^", "BACKQUOTE": "`"}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
TERMINAL_STATES = ("JobComplete", "Aborted", "Failed")
CSV_MEDIA_TYPE = "text/csv"
INSERT_CHUNK = 2000
NULL_MARKER = "#N/A"  # Bulk API's way of clearing a field; an empty cell leaves it unchanged


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _error(status: int, code: str, message: str) -> SalesforceError:
    return SalesforceError(status, code, message)


@dataclass
class RowOutcome:
    row: dict[str, str]
    record_id: str = ""
    created: bool = False
    error: str | None = None


@dataclass
class IngestJob:
    id: str
    operation: str
    object: str
    external_id_field: str | None
    delimiter: str
    line_ending: str
    api_version: str
    created_date: str = field(default_factory=_now)
    system_modstamp: str = field(default_factory=_now)
    state: str = "Open"
    uploads: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    unprocessed: list[dict[str, str]] = field(default_factory=list)
    error_message: str | None = None
    processing_ms: int = 0

    def info(self, created_by: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": created_by,
            "createdDate": self.created_date,
            "systemModstamp": self.system_modstamp,
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "jobType": "V2Ingest",
            "lineEnding": next(k for k, v in LINE_ENDINGS.items() if v == self.line_ending),
            "columnDelimiter": next(k for k, v in DELIMITERS.items() if v == self.delimiter),
            "contentUrl": f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches",
            "numberRecordsProcessed": sum(1 for _ in self.outcomes),
            "numberRecordsFailed": sum(1 for o in self.outcomes if o.error),
            "retries": 0,
            "totalProcessingTime": self.processing_ms,
            "apiActiveProcessingTime": self.processing_ms,
            "apexProcessingTime": 0,
        }
        if self.external_id_field:
            body["externalIdFieldName"] = self.external_id_field
        if self.error_message:
            body["errorMessage"] = self.error_message
        return body


class BulkIngest:
    """The `jobs/ingest` resources for one org."""

    def __init__(self, store: OrgStore, schema: Schema, created_by: str) -> None:
        self.store = store
        self.schema = schema
        self.created_by = created_by
        self._jobs: dict[str, IngestJob] = {}
        self._lock = threading.RLock()  # also serialises state changes, so a job is processed once

    def handle(self, method: str, version: str, segments: list[str], raw_body: bytes) -> ApiResponse:
        """Route `jobs/ingest[/{id}[/batches|/successfulResults|/failedResults|/unprocessedrecords]]`."""
        if segments[:1] != ["ingest"]:
            raise _error(404, "NOT_FOUND", "The requested resource does not exist")
        rest = segments[1:]
        if not rest:
            if method == "POST":
                return self._create(version, parse_json_body(raw_body))
            if method == "GET":
                with self._lock:
                    jobs = [job.info(self.created_by) for job in self._jobs.values()]
                return ApiResponse(200, {"done": True, "records": jobs, "nextRecordsUrl": None})
            raise _method_not_allowed(method, "GET, POST")
        job = self._job(rest[0])
        if len(rest) == 1:
            if method == "GET":
                return ApiResponse(200, job.info(self.created_by))
            if method == "PATCH":
                return self._set_state(job, parse_json_body(raw_body))
            if method == "DELETE":
                return self._delete(job)
            raise _method_not_allowed(method, "GET, PATCH, DELETE")
        if len(rest) == 2 and rest[1] == "batches":
            if method != "PUT":
                raise _method_not_allowed(method, "PUT")
            return self._upload(job, raw_body)
        if len(rest) == 2 and method == "GET":
            kind = rest[1].lower()
            if kind == "successfulresults":
                return self._csv(job, ["sf__Id", "sf__Created"], [
                    [o.record_id, "true" if o.created else "false"] for o in job.outcomes if not o.error
                ], [o.row for o in job.outcomes if not o.error])
            if kind == "failedresults":
                return self._csv(job, ["sf__Id", "sf__Error"], [
                    [o.record_id, o.error or ""] for o in job.outcomes if o.error
                ], [o.row for o in job.outcomes if o.error])
            if kind == "unprocessedrecords":
                return self._csv(job, [], [[] for _ in job.unprocessed], job.unprocessed)
        raise _error(404, "NOT_FOUND", "The requested resource does not exist")

    # --- job lifecycle --------------------------------------------------------------------

    def _job(self, job_id: str) -> IngestJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise _error(404, "NOT_FOUND", f"Job {job_id} was not found")
        return job

    def _create(self, version: str, body: Any) -> ApiResponse:
        if not isinstance(body, dict):
            raise _error(400, "JSON_PARSER_ERROR", "The job definition must be a JSON object.")
        operation = body.get("operation")
        if operation not in OPERATIONS:
            raise _error(400, "INVALIDJOB", f"InvalidJob : operation must be one of {', '.join(OPERATIONS)}")
        obj = self.schema.object(str(body.get("object", "")))
        if obj is None:
            raise _error(400, "INVALIDJOB", f"InvalidJob : Invalid object: {body.get('object')!r}")
        if body.get("contentType", "CSV") != "CSV":
            raise _error(400, "INVALIDJOB", "InvalidJob : contentType must be CSV")
        delimiter = DELIMITERS.get(str(body.get("columnDelimiter", "COMMA")))
        line_ending = LINE_ENDINGS.get(str(body.get("lineEnding", "LF")))
        if delimiter is None or line_ending is None:
            raise _error(400, "INVALIDJOB", "InvalidJob : unsupported columnDelimiter or lineEnding")
        external_id = body.get("externalIdFieldName")
        if operation == "upsert":
            ext_def = obj.field(str(external_id or ""))
            if ext_def is None or not (ext_def.external_id or ext_def.name == "Id"):
                raise _error(
                    400, "INVALIDJOB", f"InvalidJob : field name provided, {external_id}, is not an External ID "
                    f"or indexed field for {obj.name}",
                )
            external_id = ext_def.name
        job = IngestJob(
            id="7505g" + secrets.token_hex(5).upper() + "AAA",
            operation=operation,
            object=obj.name,
            external_id_field=external_id if operation == "upsert" else None,
            delimiter=delimiter,
            line_ending=line_ending,
            api_version=version,
        )
        with self._lock:
            self._jobs[job.id] = job
        return ApiResponse(200, job.info(self.created_by))

    def _upload(self, job: IngestJob, raw_body: bytes) -> ApiResponse:
        with self._lock:
            return self._append_upload(job, raw_body)

    def _append_upload(self, job: IngestJob, raw_body: bytes) -> ApiResponse:
        if job.state != "Open":
            raise _error(409, "INVALIDJOBSTATE", f"Job {job.id} is not open for uploads; its state is {job.state}")
        try:
            text = raw_body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _error(400, "INVALIDBATCH", f"InvalidBatch : data is not UTF-8: {exc}") from exc
        if not text.strip():
            raise _error(400, "INVALIDBATCH", "InvalidBatch : the upload is empty")
        job.uploads.append(text)
        job.system_modstamp = _now()
        return ApiResponse(201)

    def _set_state(self, job: IngestJob, body: Any) -> ApiResponse:
        with self._lock:
            return self._change_state(job, body.get("state") if isinstance(body, dict) else None)

    def _change_state(self, job: IngestJob, state: object) -> ApiResponse:
        if state == "UploadComplete" and job.state == "Open":
            job.state = "UploadComplete"
            self._process(job)
        elif state == "Aborted" and job.state in ("Open", "UploadComplete", "InProgress"):
            job.state = "Aborted"
            job.unprocessed = [row for upload in job.uploads for row in self._rows(job, upload)[1]]
        else:
            raise _error(
                409, "INVALIDJOBSTATE", f"Cannot change state of job {job.id} from {job.state} to {state!r}"
            )
        job.system_modstamp = _now()
        return ApiResponse(200, job.info(self.created_by))

    def _delete(self, job: IngestJob) -> ApiResponse:
        if job.state not in (*TERMINAL_STATES, "UploadComplete"):
            raise _error(409, "INVALIDJOBSTATE", f"Job {job.id} must be closed or aborted before it is deleted")
        with self._lock:
            self._jobs.pop(job.id, None)
        return ApiResponse(204)

    # --- processing -----------------------------------------------------------------------

    def _rows(self, job: IngestJob, upload: str) -> tuple[list[str], list[dict[str, str]]]:
        """Parse one upload; its header columns join the job's result CSV columns."""
        reader = csv.reader(io.StringIO(upload, newline=""), delimiter=job.delimiter)
        header = next(reader, [])
        job.columns.extend(name for name in header if name not in job.columns)
        rows = [dict(zip(header, values, strict=False)) for values in reader if any(v != "" for v in values)]
        return header, rows

    def _process(self, job: IngestJob) -> None:
        started = time.monotonic()
        job.state = "InProgress"
        obj = self.schema.object(job.object)
        assert obj is not None  # checked when the job was created
        if not job.uploads:
            job.state, job.error_message = "Failed", "InvalidBatch : no data was uploaded for this job"
            return
        for upload in job.uploads:
            try:
                header, rows = self._rows(job, upload)
            except csv.Error as exc:
                job.state, job.error_message = "Failed", f"InvalidBatch : malformed CSV: {exc}"
                return
            unknown = [name for name in header if obj.field(name) is None]
            if unknown:
                job.state = "Failed"
                job.error_message = f"InvalidBatch : Field name not found : {unknown[0]}"
                return
            if job.operation == "insert":
                job.outcomes.extend(self._insert_rows(obj, rows))
            else:
                job.outcomes.extend(self._apply_row(job, obj, row) for row in rows)
        job.processing_ms = int((time.monotonic() - started) * 1000)
        job.state = "JobComplete"

    def _insert_rows(self, obj: ObjectDef, rows: list[dict[str, str]]) -> list[RowOutcome]:
        """Inserts go through the store's batch path: valid rows land, invalid ones report their error."""
        outcomes: list[RowOutcome] = []
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            try:
                results: list[str | SalesforceError] = self.store.insert_each(
                    obj.name, [_typed_values(obj, row, creating=True) for row in chunk])
            except SalesforceError as exc:  # the whole object refuses inserts
                results = [exc] * len(chunk)
            for row, result in zip(chunk, results, strict=True):
                if isinstance(result, SalesforceError):
                    outcomes.append(RowOutcome(row=row, error=_row_error(result)))
                else:
                    outcomes.append(RowOutcome(row=row, record_id=result, created=True))
        return outcomes

    def _apply_row(self, job: IngestJob, obj: ObjectDef, row: dict[str, str]) -> RowOutcome:
        """One update, upsert or delete row, in its own transaction."""
        outcome = RowOutcome(row=row)
        try:
            with self.store.transaction():
                if job.operation in ("delete", "hardDelete"):
                    outcome.record_id = row.get("Id", "")
                    self.store.delete(obj.name, outcome.record_id)
                    return outcome
                values = _typed_values(obj, row, creating=False)
                if job.operation == "update":
                    outcome.record_id = str(values.pop("Id", "") or "")
                    self.store.update(obj.name, outcome.record_id, values)
                else:
                    ext = job.external_id_field or "Id"
                    key = values.pop(ext, None)
                    if key in (None, ""):
                        raise SalesforceError(400, "MISSING_ARGUMENT", f"{ext} not specified", [ext])
                    outcome.record_id, outcome.created = self.store.upsert(obj.name, ext, str(key), values)
        except SalesforceError as exc:
            outcome.error = _row_error(exc)
        return outcome

    def _csv(self, job: IngestJob, lead: list[str], lead_values: list[list[str]],
             rows: list[dict[str, str]]) -> ApiResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=job.delimiter, lineterminator=job.line_ending, quoting=csv.QUOTE_ALL)
        writer.writerow([*lead, *job.columns])
        for values, row in zip(lead_values, rows, strict=True):
            writer.writerow([*values, *(row.get(name, "") for name in job.columns)])
        return ApiResponse(200, buffer.getvalue(), media_type=CSV_MEDIA_TYPE)


def _row_error(error: SalesforceError) -> str:
    """The `sf__Error` cell: STATUS_CODE:message:fields --"""
    return f"{error.error_code}:{error.message}:{','.join(error.fields)} --"


def _method_not_allowed(method: str, allowed: str) -> SalesforceError:
    return SalesforceError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}")


def _typed_values(obj: ObjectDef, row: dict[str, str], creating: bool) -> dict[str, Any]:
    """CSV cells to field values: empty cells are skipped, `#N/A` clears a field; the store parses the text."""
    values: dict[str, Any] = {}
    for name, raw in row.items():
        field_def = obj.field(name)
        if field_def is None or raw == "":
            continue
        if raw == NULL_MARKER:
            if not creating:
                values[field_def.name] = None
            continue
        values[field_def.name] = raw
    return values
