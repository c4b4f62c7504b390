"""Salesforce API errors as one exception type carrying the status, errorCode and message the REST API returns."""

from __future__ import annotations


class SalesforceError(Exception):
    """An error the emulator answers with `status` and the body `[{"message", "errorCode", "fields"}]`."""

    def __init__(self, status: int, error_code: str, message: str, fields: list[str] | None = None):
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields: list[str] = list(fields or [])
        # Only set for 300 MULTIPLE_CHOICES: record URLs matching an ambiguous external id.
        self.matches: list[str] = []

    def body(self) -> list[dict]:
        return [{"message": self.message, "errorCode": self.error_code, "fields": self.fields}]


def not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")


def entity_is_deleted() -> SalesforceError:
    return SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted")


def unknown_object_rest(obj: str) -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", f"The requested resource does not exist: sObject type '{obj}'")


def invalid_type(obj: str) -> SalesforceError:
    return SalesforceError(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")


def invalid_field(obj: str, field: str) -> SalesforceError:
    return SalesforceError(400, "INVALID_FIELD", f"No such column '{field}' on sobject of type {obj}", [field])


def invalid_field_for_insert_update(fields: list[str]) -> SalesforceError:
    return SalesforceError(
        400,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(fields)}. Please check the security settings of this field "
        "and verify that it is read/write for your profile or permission set.",
        fields,
    )


def required_field_missing(fields: list[str]) -> SalesforceError:
    return SalesforceError(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(fields)}]", fields
    )


def invalid_cross_reference(field: str, value: str, reason: str = "invalid cross reference id") -> SalesforceError:
    return SalesforceError(400, "INVALID_CROSS_REFERENCE_KEY", f"{field}: {reason}: {value}", [field])


def malformed_id(label: str, value: str, field: str | None = None) -> SalesforceError:
    return SalesforceError(
        400, "MALFORMED_ID", f"{label} ID: id value of incorrect type: {value}", [field] if field else []
    )


def bad_picklist(field: str, value: str) -> SalesforceError:
    return SalesforceError(
        400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f"{field}: bad value for restricted picklist field: {value}", [field]
    )


def json_parser_error(type_name: str, value: object) -> SalesforceError:
    kind = "VALUE_STRING" if isinstance(value, str) else f"VALUE_{type(value).__name__.upper()}"
    return SalesforceError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {type_name} from {kind} value {value} "
        "or request may be missing a required field",
    )


def string_too_long(field: str, value: str, max_length: int) -> SalesforceError:
    return SalesforceError(
        400,
        "STRING_TOO_LONG",
        f"{field}: data value too large: {value[:50]}{'...' if len(value) > 50 else ''} (max length={max_length})",
        [field],
    )


def duplicate_value(field: str, existing_id: str | None) -> SalesforceError:
    suffix = f" duplicates value on record with id: {existing_id}" if existing_id else ""
    return SalesforceError(400, "DUPLICATE_VALUE", f"duplicate value found: {field}{suffix}", [field])


def multiple_choices(matches: list[str]) -> SalesforceError:
    error = SalesforceError(300, "MULTIPLE_CHOICES", f"More than one record found for external id: {len(matches)} matches")
    error.matches = matches
    return error


def malformed_query(message: str) -> SalesforceError:
    return SalesforceError(400, "MALFORMED_QUERY", message)
