"""OpenAPI 3.0 document of the Flow routes, for registering them as a Salesforce External Service.

Generated from the same pydantic models the routes validate with, then lowered to what External Services
read: OpenAPI 3.0.x (not 3.1), `nullable` instead of null types, and operationIds that are valid Apex
identifiers. Every constraint the routes enforce on a single field (enums such as `decision`, Id patterns,
lengths, unknown keys) stays in the document, so nothing it accepts is then refused by the route.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from api.auth import API_KEY_HEADER
from api.flow_payloads import (
    ApprovalAccepted,
    ApprovalSubmission,
    ContractQuestionRequest,
    DocumentReviewRequest,
    ErrorBody,
    EventAccepted,
    OpportunityEvent,
    RecordAnswer,
    ReviewAccepted,
    RunStatus,
)

OPENAPI_VERSION = "3.0.3"
_REF_TEMPLATE = "#/components/schemas/{model}"
_MODELS: tuple[type[BaseModel], ...] = (
    OpportunityEvent, EventAccepted, ApprovalSubmission, ApprovalAccepted, RunStatus, ErrorBody,
    DocumentReviewRequest, ReviewAccepted, ContractQuestionRequest, RecordAnswer,
)
_DROPPED_KEYS = {"title", "const", "examples"}


def build_openapi(server_url: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in _MODELS:
        schema = model.model_json_schema(ref_template=_REF_TEMPLATE, mode="serialization")
        for name, nested in schema.pop("$defs", {}).items():
            schemas[name] = _lower(nested)
        schemas[model.__name__] = _lower(schema)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "contractloop Flow API",
            "version": "1.0.0",
            "description": "Start contract drafting when an Opportunity reaches Contracting, decide approvals, "
                           "and read the outcome (Ironclad workflow id, link, risk summary).",
        },
        "servers": [{"url": server_url}],
        "security": [{"apiKey": []}],
        "paths": _paths(),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}},
        },
    }


def _paths() -> dict[str, Any]:
    errors = {
        "401": _response("Missing or wrong API key", "ErrorBody"),
        "422": _response("Invalid body; `fields` names each bad field", "ErrorBody"),
    }
    return {
        "/flow/opportunity-events": {"post": {
            "operationId": "submitOpportunityEvent",
            "summary": "Report an Opportunity stage change; Contracting starts a run in the background",
            "requestBody": _body("OpportunityEvent"),
            "responses": {
                "200": _response("Duplicate or ignored event; nothing new was started", "EventAccepted"),
                "202": _response("Run started", "EventAccepted"),
                "502": _response("Salesforce or Ironclad refused the check before the first draft (named in "
                                 "`detail`); nothing was recorded", "ErrorBody"),
                "503": _response("Salesforce or Ironclad is unavailable (the mapping check before the first "
                                 "draft); nothing was recorded: send it again after Retry-After", "ErrorBody"),
                **errors,
            },
        }},
        "/flow/document-reviews": {"post": {
            "operationId": "submitDocumentReview",
            "summary": "Review a counterparty's file on an Opportunity against the playbook, in the background",
            "requestBody": _body("DocumentReviewRequest"),
            "responses": {
                "200": _response("This file's review is running or this request was already received",
                                 "ReviewAccepted"),
                "202": _response("Review started", "ReviewAccepted"),
                **errors,
            },
        }},
        "/flow/contract-questions": {"post": {
            "operationId": "askContractQuestion",
            "summary": "Ask about the executed contract of a record (or one the question names); answered at once, "
                       "cited, from contracts the asking user can read",
            "requestBody": _body("ContractQuestionRequest"),
            "responses": {
                "200": _response("The answer with its citations, or found=false with the reason (outcome)",
                                 "RecordAnswer"),
                "502": _response("The answer run failed", "ErrorBody"),
                **errors,
            },
        }},
        "/flow/approvals": {"post": {
            "operationId": "submitApprovalDecision",
            "summary": "Approve, edit or reject the contract waiting for approval",
            "requestBody": _body("ApprovalSubmission"),
            "responses": {
                "202": _response("Decision accepted; the run resumes in the background", "ApprovalAccepted"),
                "404": _response("No run for that opportunity or thread", "ErrorBody"),
                "409": _response("Nothing is waiting for approval", "ErrorBody"),
                **errors,
            },
        }},
        "/flow/opportunities/{opportunity_id}": {"get": {
            "operationId": "getOpportunityRunStatus",
            "summary": "Status of the latest run for an Opportunity",
            "parameters": [_path_param("opportunity_id", "Opportunity Id (15 or 18 characters)")],
            "responses": {"200": _response("Run status", "RunStatus"),
                          "401": errors["401"], "404": _response("No run yet", "ErrorBody")},
        }},
        "/flow/threads/{thread_id}": {"get": {
            "operationId": "getThreadRunStatus",
            "summary": "Status of a run by its thread id",
            "parameters": [_path_param("thread_id", "Thread id returned when the run started")],
            "responses": {"200": _response("Run status", "RunStatus"),
                          "401": errors["401"], "404": _response("No such thread", "ErrorBody")},
        }},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF_TEMPLATE.format(model=name)}


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _response(description: str, name: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _lower(schema: Any) -> Any:
    """Rewrite JSON Schema 2020-12 (pydantic's output) into the OpenAPI 3.0 subset."""
    if isinstance(schema, list):
        return [_lower(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _lower(v) for k, v in schema.items() if k not in _DROPPED_KEYS}
    if isinstance(schema.get("properties"), dict):  # property names are data, never keywords to drop
        out["properties"] = {name: _lower(v) for name, v in schema["properties"].items()}
    variants = out.get("anyOf")
    if isinstance(variants, list) and {"type": "null"} in variants:
        rest = [v for v in variants if v != {"type": "null"}]
        out.pop("anyOf")
        base = rest[0] if len(rest) == 1 else {"anyOf": rest}
        if "$ref" in base:
            base = {"allOf": [base]}  # siblings of $ref are ignored in 3.0
        out = {**base, **out, "nullable": True}
    if "enum" in out:
        out["type"] = out.get("type", "string")
    if out.get("default", 0) is None:
        out.pop("default")
    return out
