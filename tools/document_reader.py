"""Reading a file's bytes into a `Document` in this process, under the caps of `tools.document_limits`.

`tools.documents.parse_document` runs this in a limited child process (`tools.document_isolation`); called
directly it is for that child, or for trusted data.
"""

from __future__ import annotations

import io
import re
from typing import Any

from tools.document_errors import (
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NoTextLayerError,
    TooManyPagesError,
    UnsupportedDocumentError,
    WrongTypeError,
)
from tools.document_guards import (
    DOCX,
    PDF,
    Deadline,
    MediaType,
    check_claim,
    describe,
    inspect_docx,
    sniff,
)
from tools.document_limits import DocumentLimits
from tools.document_model import Document
from tools.page_furniture import strip_running_lines


def check_input(data: bytes, source: str | None, limits: DocumentLimits, claimed: MediaType | None) -> None:
    """The cheap refusals, decided before any parser or process is involved."""
    if not data:
        raise EmptyDocumentError("the file is empty (0 bytes)", source=source)
    if len(data) > limits.max_bytes:
        raise DocumentTooLargeError(f"{len(data):,} bytes is over the {limits.max_bytes:,}-byte limit",
                                    source=source)
    if data.isspace():  # (no copy of the data, unlike strip())
        raise EmptyDocumentError("the file holds only whitespace", source=source)
    check_claim(data, claimed, source)
    if sniff(data) == "binary":
        raise UnsupportedDocumentError(f"{describe(data)}, neither PDF, DOCX nor text", source=source)


def read_in_process(data: bytes, *, source: str | None = None, limits: DocumentLimits | None = None) -> Document:
    """Parse in this process, under the caps but without the memory limit: for the isolated child, or trusted data."""
    limits = limits or DocumentLimits()
    check_input(data, source, limits, None)
    deadline = Deadline(limits.timeout_seconds)
    kind = sniff(data)
    try:
        if kind == "pdf":
            document = _parse_pdf(data, source, limits, deadline)
        elif kind == "zip":
            inspect_docx(data, limits, deadline, source)
            document = _parse_docx(data, source)
        else:
            document = Document.from_text(_decode_text(data, source), source=source)
    except MemoryError as exc:
        raise DocumentTooLargeError("reading it ran out of memory", source=source) from exc
    if len(document.pages) > limits.max_pages:
        raise TooManyPagesError(f"{len(document.pages)} pages is over the {limits.max_pages}-page limit",
                                source=source)
    if len(document.text) > limits.max_characters:
        raise DocumentTooLargeError(f"{len(document.text):,} characters of text is over the "
                                    f"{limits.max_characters:,}-character limit", source=source)
    if not document.text.strip():
        raise EmptyDocumentError("the file holds no text", source=source)
    return document


def _pypdf_caps(limits: DocumentLimits) -> dict[str, Any]:
    """pypdf's own decompression and structure limits, set from ours (its defaults are 75 MB per stream)."""
    part = limits.max_part_bytes
    return {"zlib_maximum_output_length": part, "lzw_maximum_output_length": part,
            "run_length_maximum_output_length": part, "brotli_maximum_output_length": part,
            "jbig2_maximum_output_length": part, "array_based_stream_maximum_output_length": part,
            "image_maximum_buffer_size": part, "stream_decoding_work_maximum_length": 2 * part,
            "page_tree_maximum_entries": 2 * limits.max_pages + 64}


def _parse_pdf(data: bytes, source: str | None, limits: DocumentLimits, deadline: Deadline) -> Document:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    try:
        with apply_configuration(**_pypdf_caps(limits)):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                # An owner-password-only PDF opens with the empty user password; anything else needs a secret.
                try:
                    if not reader.decrypt(""):
                        raise EncryptedDocumentError("the PDF is password-protected", source=source)
                except (FileNotDecryptedError, NotImplementedError) as exc:
                    raise EncryptedDocumentError("the PDF is password-protected", source=source) from exc
            _check_declared_pages(reader, limits, source)
            page_count = len(reader.pages)
            if page_count > limits.max_pages:
                raise TooManyPagesError(f"{page_count} pages is over the {limits.max_pages}-page limit",
                                        source=source)
            if page_count == 0:
                raise EmptyDocumentError("the PDF has no pages", source=source)
            page_texts: list[str] = []
            characters = 0
            for page in reader.pages:
                deadline.check(source)
                page_texts.append(_tidy_pdf_text(page.extract_text() or ""))
                characters += len(page_texts[-1])
                if characters > limits.max_characters:
                    raise DocumentTooLargeError(f"more than {limits.max_characters:,} characters of text",
                                                source=source)
    except DocumentError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedDocumentError("the PDF is password-protected", source=source) from exc
    except LimitReachedError as exc:
        if "page tree" in str(exc).lower():
            raise TooManyPagesError(f"the page tree is over the cap ({exc})", source=source) from exc
        raise DocumentTooLargeError(f"over a decompression or structure cap, a compression bomb? ({exc})",
                                    source=source) from exc
    except MemoryError:
        raise
    except RecursionError as exc:
        raise CorruptDocumentError("unreadable PDF (objects nested too deeply)", source=source) from exc
    except Exception as exc:
        # pypdf surfaces damage through many exception types; to a caller they all mean "corrupt".
        raise CorruptDocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})", source=source) from exc
    if not any(text.strip() for text in page_texts):
        raise NoTextLayerError(f"none of the {page_count} pages has extractable text (scanned?)", source=source)
    return Document.from_pages(strip_running_lines(page_texts), media_type=PDF, source=source)


def _check_declared_pages(reader: Any, limits: DocumentLimits, source: str | None) -> None:
    """The page count the file declares, read before pypdf walks (and copies) the whole page tree."""
    try:
        count = reader.trailer["/Root"].get_object()["/Pages"].get_object().get("/Count")
    except Exception:  # a damaged catalog: the walk below reports it
        return
    if isinstance(count, int) and count > limits.max_pages:
        raise TooManyPagesError(f"the PDF declares {count:,} pages, over the {limits.max_pages}-page limit",
                                source=source)


_SPACE_RUN = re.compile(r"[ \t]{2,}")


def _tidy_pdf_text(text: str) -> str:
    """Justified PDF lines come out with runs of spaces between words; one space is what the page shows.

    Citations index into this tidied text, so every quote still equals text[start:end].
    """
    return _SPACE_RUN.sub(" ", text.replace("\x00", ""))


def _parse_docx(data: bytes, source: str | None) -> Document:
    import docx

    try:
        word = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # python-docx: "file '...' is not a Word file, content type is ..."
        raise WrongTypeError(f"not a Word document ({exc})", source=source) from exc
    except MemoryError:
        raise
    except Exception as exc:  # lxml syntax errors, missing parts: all "corrupt" to a caller
        raise CorruptDocumentError(f"unreadable DOCX ({type(exc).__name__}: {exc})", source=source) from exc
    blocks = [paragraph.text for paragraph in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text for cell in row.cells))
    # Word has no fixed pages; the whole body is page 1.
    return Document.from_pages(["\n".join(blocks)], media_type=DOCX, source=source)


def _decode_text(data: bytes, source: str | None) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-exported contracts are often cp1252; it still rejects bytes that are not text at all.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnsupportedDocumentError("text in an unknown encoding", source=source) from exc
