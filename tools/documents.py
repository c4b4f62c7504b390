"""Contract files (PDF, DOCX, plain text) -> one `Document`: full text plus the page each character sits on.

Every extracted value cites a character span into `Document.text`; `Document.page_of` maps that span back to a
page so a reviewer can open the file where the quote is. Files we cannot read honestly (encrypted, scanned
without a text layer, corrupt, empty, too big) raise a `DocumentError` whose `reason` a caller can branch on.
"""

from __future__ import annotations

import io
import re
import zipfile
from bisect import bisect_right
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, Field

ErrorReason = Literal["encrypted", "no_text", "corrupt", "empty", "too_large", "too_many_pages", "unsupported"]
MediaType = Literal["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "text/plain"]

PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT: Final = "text/plain"

# Pages are joined with a blank line so a sentence never runs across a page break by accident.
PAGE_SEPARATOR = "\n\n"


class DocumentError(Exception):
    """A file we refuse to read; `reason` is machine-readable, the message is for people."""

    reason: ErrorReason = "corrupt"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(f"{source}: {message}" if source else message)
        self.source = source


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
    reason: ErrorReason = "too_large"


class TooManyPagesError(DocumentError):
    reason: ErrorReason = "too_many_pages"


class UnsupportedDocumentError(DocumentError):
    reason: ErrorReason = "unsupported"


class DocumentLimits(BaseModel):
    """Guards against files that would stall a worker; the defaults fit any real commercial contract."""

    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_pages: int = Field(default=2000, gt=0)


class Page(BaseModel):
    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(BaseModel):
    text: str
    pages: list[Page]
    media_type: MediaType = TEXT
    source: str | None = None

    @classmethod
    def from_pages(cls, page_texts: list[str], *, media_type: MediaType, source: str | None = None) -> Document:
        pages: list[Page] = []
        parts: list[str] = []
        offset = 0
        for number, page_text in enumerate(page_texts, start=1):
            if parts:
                parts.append(PAGE_SEPARATOR)
                offset += len(PAGE_SEPARATOR)
            pages.append(Page(number=number, start=offset, end=offset + len(page_text)))
            parts.append(page_text)
            offset += len(page_text)
        return cls(text="".join(parts), pages=pages, media_type=media_type, source=source)

    @classmethod
    def from_text(cls, text: str, *, source: str | None = None) -> Document:
        """Plain text: a form feed marks a page break (as `pdftotext` writes it); otherwise one page."""
        if "\f" not in text:
            return cls(text=text, pages=[Page(number=1, start=0, end=len(text))], source=source)
        pages: list[Page] = []
        offset = 0
        for number, chunk in enumerate(text.split("\f"), start=1):
            pages.append(Page(number=number, start=offset, end=offset + len(chunk)))
            offset += len(chunk) + 1
        return cls(text=text, pages=pages, source=source)

    def page_of(self, offset: int) -> int:
        """The page holding character `offset` (a separator between pages belongs to the page before it)."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside document of {len(self.text)} characters")
        starts = [page.start for page in self.pages]
        return self.pages[max(bisect_right(starts, offset) - 1, 0)].number


def load_document(path: str | Path, *, limits: DocumentLimits | None = None) -> Document:
    path = Path(path)
    limits = limits or DocumentLimits()
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise DocumentTooLargeError(f"{size} bytes is over the {limits.max_bytes}-byte limit", source=str(path))
    return parse_document(path.read_bytes(), source=str(path), limits=limits)


def parse_document(data: bytes, *, source: str | None = None, limits: DocumentLimits | None = None) -> Document:
    """Detect the format from the bytes themselves (names and MIME headers lie) and extract text."""
    limits = limits or DocumentLimits()
    if not data.strip():
        raise EmptyDocumentError("the file is empty", source=source)
    if len(data) > limits.max_bytes:
        raise DocumentTooLargeError(f"{len(data)} bytes is over the {limits.max_bytes}-byte limit", source=source)
    if data.startswith(b"%PDF"):
        document = _parse_pdf(data, source, limits)
    elif data.startswith(b"PK\x03\x04"):
        document = _parse_docx(data, source)
    else:
        document = Document.from_text(_decode_text(data, source), source=source)
    if len(document.pages) > limits.max_pages:
        raise TooManyPagesError(f"{len(document.pages)} pages is over the {limits.max_pages}-page limit",
                                source=source)
    if not document.text.strip():
        raise EmptyDocumentError("the file holds no text", source=source)
    return document


def _parse_pdf(data: bytes, source: str | None, limits: DocumentLimits) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # An owner-password-only PDF opens with the empty user password; anything else needs a secret.
            try:
                if not reader.decrypt(""):
                    raise EncryptedDocumentError("the PDF is password-protected", source=source)
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise EncryptedDocumentError("the PDF is password-protected", source=source) from exc
        page_count = len(reader.pages)
        if page_count > limits.max_pages:
            raise TooManyPagesError(f"{page_count} pages is over the {limits.max_pages}-page limit", source=source)
        if page_count == 0:
            raise EmptyDocumentError("the PDF has no pages", source=source)
        page_texts = [_tidy_pdf_text(page.extract_text() or "") for page in reader.pages]
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedDocumentError("the PDF is password-protected", source=source) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError) as exc:
        # pypdf surfaces damage through many exception types; to a caller they all mean "corrupt".
        raise CorruptDocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})", source=source) from exc
    if not any(text.strip() for text in page_texts):
        raise NoTextLayerError(f"none of the {page_count} pages has extractable text (scanned?)", source=source)
    return Document.from_pages(page_texts, media_type=PDF, source=source)


_SPACE_RUN = re.compile(r"[ \t]{2,}")


def _tidy_pdf_text(text: str) -> str:
    """Justified PDF lines come out with runs of spaces between words; one space is what the page shows.

    Citations index into this tidied text, so every quote still equals text[start:end].
    """
    return _SPACE_RUN.sub(" ", text.replace("\x00", ""))


def _parse_docx(data: bytes, source: str | None) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        word = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise CorruptDocumentError(f"unreadable DOCX ({type(exc).__name__}: {exc})", source=source) from exc
    blocks = [paragraph.text for paragraph in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text for cell in row.cells))
    # Word has no fixed pages; the whole body is page 1.
    return Document.from_pages(["\n".join(blocks)], media_type=DOCX, source=source)


def _decode_text(data: bytes, source: str | None) -> str:
    if b"\x00" in data[:4096]:
        raise UnsupportedDocumentError("binary data that is neither PDF, DOCX nor text", source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-exported contracts are often cp1252; it still rejects bytes that are not text at all.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnsupportedDocumentError("text in an unknown encoding", source=source) from exc
