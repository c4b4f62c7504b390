"""Contract files (PDF, DOCX, plain text) -> one `Document`: full text plus the page each character sits on.

Every extracted value cites a character span into `Document.text`; `Document.page_of` maps that span back to a
page so a reviewer can open the file where the quote is. Files we cannot read honestly (encrypted, scanned
without a text layer, corrupt, empty, too big, not what they claim, hostile) raise a `DocumentError` whose `reason`
a caller can branch on.

A file is untrusted input: `parse_document` checks it cheaply here (size, type), then parses it in a child process
with memory and CPU limits (`tools.document_isolation`), under the caps of `tools.document_limits` (decompressed
bytes, pages, characters, wall clock). So a compression bomb or a parser trap costs a bounded refusal, not a worker.
"""

from __future__ import annotations

import os
from pathlib import Path

from tools.document_errors import (
    CorruptDocumentError,
    DocumentError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    ErrorReason,
    NoTextLayerError,
    TooManyPagesError,
    UnsafeDocumentError,
    UnsupportedDocumentError,
    WrongTypeError,
)
from tools.document_guards import DOCX, PDF, TEXT, MediaType, claimed_media_type
from tools.document_isolation import read_isolated
from tools.document_limits import DocumentLimits
from tools.document_model import PAGE_SEPARATOR, Document, Page
from tools.document_reader import check_input, read_in_process

__all__ = ["DOCX", "PDF", "PAGE_SEPARATOR", "TEXT", "CorruptDocumentError", "Document", "DocumentError",
           "DocumentLimits", "DocumentTimeoutError", "DocumentTooLargeError", "EmptyDocumentError",
           "EncryptedDocumentError", "ErrorReason", "MediaType", "NoTextLayerError", "Page", "TooManyPagesError",
           "UnsafeDocumentError", "UnsupportedDocumentError", "WrongTypeError", "claimed_media_type",
           "load_document", "parse_document", "read_in_process"]

def load_document(path: str | Path, *, limits: DocumentLimits | None = None,
                  claimed: MediaType | None = None) -> Document:
    path = Path(path)
    limits = limits or DocumentLimits()
    size = path.stat().st_size
    if size > limits.max_bytes:  # before reading it into memory
        raise DocumentTooLargeError(f"{size:,} bytes is over the {limits.max_bytes:,}-byte limit", source=str(path))
    return parse_document(path.read_bytes(), source=str(path), limits=limits, claimed=claimed)


def parse_document(data: bytes, *, source: str | None = None, limits: DocumentLimits | None = None,
                   claimed: MediaType | None = None) -> Document:
    """Detect the format from the bytes themselves (names and MIME headers lie) and extract text.

    `claimed` is the type the file says it is (its MIME type or extension, see `claimed_media_type`); bytes of
    another type are refused. With `limits.isolate` (the default) the parse runs in a child process.
    """
    limits = limits or DocumentLimits()
    check_input(data, source, limits, claimed)
    if limits.isolate and os.name == "posix":  # resource limits are POSIX; elsewhere only the caps apply
        return read_isolated(data, source, limits)
    return read_in_process(data, source=source, limits=limits)
