"""Why a contract file was refused: one exception type per reason, each with a machine-readable `reason`.

Every refusal is flagged for a person to read the file by hand (see agents/extractor), so a reason must say
plainly what was wrong with the file, and never depend on how far a hostile file got before it was stopped.
"""

from __future__ import annotations

from typing import Literal

ErrorReason = Literal["encrypted", "no_text", "corrupt", "empty", "too_large", "too_many_pages", "unsupported",
                      "wrong_type", "unsafe", "timeout"]


class DocumentError(Exception):
    """A file we refuse to read; `reason` is machine-readable, the message is for people."""

    reason: ErrorReason = "corrupt"
    stats: object = None  # set by the isolated reader: what the refusal cost (tools.document_isolation.ReaderStats)

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source
        self.detail = message


class EncryptedDocumentError(DocumentError):
    reason: ErrorReason = "encrypted"


class NoTextLayerError(DocumentError):
    """A scanned or image-only file: there is nothing to cite, so nothing can be extracted."""

    reason: ErrorReason = "no_text"


class CorruptDocumentError(DocumentError):
    reason: ErrorReason = "corrupt"


class EmptyDocumentError(DocumentError):
    reason: ErrorReason = "empty"


class DocumentTooLargeError(DocumentError):
    """Over a size cap: the file itself, what it decompresses to, its text, or the memory reading it takes."""

    reason: ErrorReason = "too_large"


class TooManyPagesError(DocumentError):
    reason: ErrorReason = "too_many_pages"


class UnsupportedDocumentError(DocumentError):
    reason: ErrorReason = "unsupported"


class WrongTypeError(DocumentError):
    """The bytes are not what the file claims to be (a `.pdf` that is an HTML page, a DOCX that is a workbook)."""

    reason: ErrorReason = "wrong_type"


class UnsafeDocumentError(DocumentError):
    """Constructs no contract needs and parsers can be attacked through, such as XML entity declarations."""

    reason: ErrorReason = "unsafe"


class DocumentTimeoutError(DocumentError):
    reason: ErrorReason = "timeout"


ERRORS_BY_REASON: dict[str, type[DocumentError]] = {
    cls.reason: cls for cls in (EncryptedDocumentError, NoTextLayerError, CorruptDocumentError, EmptyDocumentError,
                                DocumentTooLargeError, TooManyPagesError, UnsupportedDocumentError, WrongTypeError,
                                UnsafeDocumentError, DocumentTimeoutError)}
