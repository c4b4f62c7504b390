"""Field values in and out: API input (JSON or CSV strings) to SQLite storage, and storage to Salesforce JSON."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from .errors import SalesforceError, bad_picklist, json_parser_error, malformed_id, string_too_long
from .ids import normalize_id
from .schema import FieldDef

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}
_JAVA_TYPES = {"currency": "double", "double": "double", "percent": "double", "int": "int", "boolean": "boolean",
               "date": "date", "datetime": "datetime"}


def format_datetime(moment: datetime) -> str:
    """Salesforce's wire form: 2024-01-31T20:49:32.000+0000 (always UTC, milliseconds)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """Any ISO-8601 date-time (Z, +01:00, +0100, fractional seconds); naive means UTC."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def to_storage(field: FieldDef, value: Any) -> Any:
    """Validate one input value for `field` and return what SQLite stores; raises SalesforceError."""
    # Salesforce stores an empty string as null, and a null checkbox as false.
    if value is None or (isinstance(value, str) and value == ""):
        return 0 if field.type == "boolean" else None
    return _CONVERTERS[field.type](field, value)


def _text(field: FieldDef, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise json_parser_error("String", value)
    text = value if isinstance(value, str) else str(value)
    if field.length and len(text) > field.length:
        raise string_too_long(field.name, text, field.length)
    return text


def _email(field: FieldDef, value: Any) -> str:
    text = _text(field, value)
    if not _EMAIL.match(text):
        raise SalesforceError(400, "INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}",
                              [field.name])
    return text


def _picklist(field: FieldDef, value: Any) -> str:
    text = _text(field, value)
    return _picklist_value(field, text)


def _picklist_value(field: FieldDef, text: str) -> str:
    for allowed in field.picklist_values:
        if allowed.lower() == text.lower():
            return allowed
    if field.restricted_picklist:
        raise bad_picklist(field.name, text)
    return text


def _multipicklist(field: FieldDef, value: Any) -> str:
    text = _text(field, value)
    parts = [p.strip() for p in text.split(";") if p.strip()]
    return ";".join(_picklist_value(field, p) for p in parts)


def _boolean(field: FieldDef, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return int(value.strip().lower() in _TRUE)
    raise json_parser_error("boolean", value)


def _number(field: FieldDef, value: Any) -> float:
    if isinstance(value, bool):
        raise json_parser_error(_JAVA_TYPES[field.type], value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise json_parser_error(_JAVA_TYPES[field.type], value) from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise json_parser_error(_JAVA_TYPES[field.type], value)
    if math.isnan(number) or math.isinf(number):
        raise json_parser_error(_JAVA_TYPES[field.type], value)
    if field.precision and abs(number) >= 10 ** (field.precision - field.scale):
        raise SalesforceError(400, "NUMBER_OUTSIDE_VALID_RANGE",
                              f"{field.label}: value outside of valid range on numeric field: {value}", [field.name])
    return round(number, field.scale) if field.type == "currency" else number


def _integer(field: FieldDef, value: Any) -> int:
    number = _number(field, value)
    if not number.is_integer():
        raise json_parser_error("int", value)
    return int(number)


def _date(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise json_parser_error("date", value)
    text = value.strip()
    try:
        return date.fromisoformat(text[:10]).isoformat() if len(text) == 10 else parse_datetime(text).date().isoformat()
    except ValueError:
        raise json_parser_error("date", value) from None


def _datetime(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise json_parser_error("datetime", value)
    try:
        return format_datetime(parse_datetime(value))
    except ValueError:
        raise json_parser_error("datetime", value) from None


def _reference(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise json_parser_error("String", value)
    normalized = normalize_id(value.strip())
    if normalized is None:
        raise malformed_id(field.label.removesuffix(" ID"), value, field.name)
    return normalized


def _base64(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise json_parser_error("base64", value)
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise json_parser_error("base64", "<binary>") from None
    if field.length and len(value) * 3 // 4 > field.length:
        raise string_too_long(field.name, "<binary>", field.length)
    return value


_CONVERTERS: dict[str, Callable[[FieldDef, Any], Any]] = {
    "id": _reference, "string": _text, "textarea": _text, "combobox": _text, "url": _text, "phone": _text,
    "email": _email, "picklist": _picklist, "multipicklist": _multipicklist, "boolean": _boolean,
    "currency": _number, "double": _number, "percent": _number, "int": _integer, "date": _date,
    "datetime": _datetime, "reference": _reference, "base64": _base64,
}


def output_converter(field: FieldDef) -> Callable[[Any], Any]:
    """Storage value -> Salesforce JSON value for `field`."""
    if field.type == "boolean":
        return _out_bool
    if field.type == "int":
        return _out_int
    if field.type in ("currency", "double", "percent"):
        return _out_float
    return _out_same


def _out_bool(value: Any) -> bool:
    return bool(value)


def _out_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _out_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _out_same(value: Any) -> Any:
    return value
