"""Files attached to Salesforce records: a ContentDocument's latest version, read as bytes.

A Salesforce File is a ContentDocument (id prefix 069) with one or more ContentVersions (068); its bytes are the
latest version's VersionData, a blob field Salesforce never inlines in JSON: a record or query gives its URL,
and `GET /services/data/vXX.X/sobjects/ContentVersion/{id}/VersionData` (sObject Blob Get) serves it raw.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CONTENT_DOCUMENT_PREFIX = "069"
_SALESFORCE_ID = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


class MalformedSalesforceId(ValueError):
    """An id that cannot be the kind of Salesforce record asked for; raised before any call is made."""


class SalesforceFile(BaseModel):
    """The latest version of one Salesforce File, with its bytes."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    content_document_id: str
    content_version_id: str
    title: str
    file_extension: str | None = None
    size: int = Field(ge=0, description="Bytes downloaded (len(data)).")
    sha256: str = Field(description="Hex SHA-256 of data.")
    data: bytes = Field(repr=False)


def check_content_document_id(value: str) -> str:
    """`value` if it is a 15- or 18-character ContentDocument id (prefix 069), else MalformedSalesforceId."""
    if not isinstance(value, str) or not _SALESFORCE_ID.match(value):
        raise MalformedSalesforceId(f"not a Salesforce id (15 or 18 letters and digits): {value!r}")
    if not value.startswith(CONTENT_DOCUMENT_PREFIX):
        raise MalformedSalesforceId(
            f"not a ContentDocument id (those start with {CONTENT_DOCUMENT_PREFIX}): {value!r}")
    return value


def latest_version_query(content_document_id: str) -> str:
    """SOQL for the document's latest version (the id must have passed `check_content_document_id`)."""
    return ("SELECT Id, Title, FileExtension, ContentSize FROM ContentVersion "
            f"WHERE ContentDocumentId = '{content_document_id}' AND IsLatest = true")


def version_data_path(content_version_id: str) -> str:
    """The sObject Blob Get path of a version's bytes, relative to the versioned data URL."""
    return f"sobjects/ContentVersion/{content_version_id}/VersionData"


def declared_size(record: dict[str, Any]) -> int | None:
    size = record.get("ContentSize")
    return int(size) if isinstance(size, int | float) else None
