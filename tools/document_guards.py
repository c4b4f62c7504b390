"""Checks that run before a parser sees a file: what the bytes really are, and whether a DOCX is a zip bomb.

They read structure only (magic bytes, a zip's directory, each member streamed in chunks with running totals),
so a hostile file is refused after at most the caps' worth of work, however big it claims or tries to be.
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from typing import Final, Literal

from tools.document_errors import (
    CorruptDocumentError,
    DocumentTimeoutError,
    DocumentTooLargeError,
    EncryptedDocumentError,
    UnsafeDocumentError,
    WrongTypeError,
)
from tools.document_limits import RATIO_FLOOR_BYTES, DocumentLimits

Kind = Literal["pdf", "zip", "text", "binary"]
MediaType = Literal["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "text/plain"]

PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT: Final = "text/plain"

_BY_MIME: Final[dict[str, MediaType]] = {PDF: PDF, DOCX: DOCX, TEXT: TEXT}
_BY_SUFFIX: Final[dict[str, MediaType]] = {".pdf": PDF, ".docx": DOCX, ".txt": TEXT}
_KIND_OF: Final[dict[str, Kind]] = {PDF: "pdf", DOCX: "zip", TEXT: "text"}
_MAGIC: Final = [(b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                 (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
                 (b"\xd0\xcf\x11\xe0", "an OLE2 compound file (a legacy .doc or a password-protected Office file)"),
                 (b"{\\rtf", "an RTF document"), (b"MZ", "a Windows executable"), (b"\x7fELF", "an executable")]
_CHUNK: Final = 1024 * 1024
_XML_DECLARATIONS: Final = (b"<!DOCTYPE", b"<!ENTITY")
_WORD_MAIN_PART: Final = b"wordprocessingml.document.main+xml"


def sniff(data: bytes) -> Kind:
    """What the bytes are, from the bytes alone (names and MIME headers lie)."""
    if b"%PDF-" in data[:1024]:  # the header may follow up to 1 KB of junk, as readers allow
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if any(data.startswith(magic) for magic, _ in _MAGIC) or b"\x00" in data[:4096]:
        return "binary"
    return "text"


def describe(data: bytes) -> str:
    """A person's name for what the bytes are, for refusal messages."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    return {"pdf": "a PDF", "zip": "a ZIP archive", "text": "plain text", "binary": "binary data"}[sniff(data)]


def claimed_media_type(filename: str | None, content_type: str | None) -> MediaType | None:
    """The type a file claims by its MIME type, else by its extension; None when it claims nothing we read."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _BY_MIME:
        return _BY_MIME[mime]
    name = (filename or "").lower()
    return next((media_type for suffix, media_type in _BY_SUFFIX.items() if name.endswith(suffix)), None)


def check_claim(data: bytes, claimed: MediaType | None, source: str | None) -> None:
    """A file that says it is a PDF must be one: an HTML error page saved as `signed.pdf` is not a contract."""
    if claimed is not None and sniff(data) != _KIND_OF[claimed]:
        raise WrongTypeError(f"claims to be {claimed} but the bytes are {describe(data)}", source=source)


class Deadline:
    """A wall-clock budget, checked between units of work (pages, zip chunks)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def check(self, source: str | None) -> None:
        if time.monotonic() > self._ends:
            raise DocumentTimeoutError(f"reading took longer than the {self.seconds:g} s budget", source=source)


def inspect_docx(data: bytes, limits: DocumentLimits, deadline: Deadline, source: str | None) -> None:
    """Refuse a DOCX that is a zip bomb, not a Word document, or declares XML entities; else return.

    Sizes are checked as declared in the zip directory (cheap), then while streaming every member with running
    totals: `zipfile` never yields more than a member's declared size and checks its CRC, so a member that lies
    about its size fails here instead of inside the parser.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise CorruptDocumentError(f"unreadable DOCX ({type(exc).__name__}: {exc})", source=source) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > limits.max_archive_members:
            raise DocumentTooLargeError(f"the archive holds {len(members)} members, over the "
                                        f"{limits.max_archive_members} cap", source=source)
        declared = 0
        for member in members:
            _check_declared(member, limits, source)
            declared += member.file_size
        if declared > limits.max_unpacked_bytes:
            raise DocumentTooLargeError(f"the members unpack to {declared:,} bytes, over the "
                                        f"{limits.max_unpacked_bytes:,}-byte cap (a zip bomb?)", source=source)
        if "[Content_Types].xml" not in archive.namelist():
            raise WrongTypeError("a ZIP archive, not a Word document (no [Content_Types].xml)", source=source)
        unpacked = 0
        for member in members:
            unpacked += _stream_member(archive, member, limits, deadline, source)
            if unpacked > limits.max_unpacked_bytes:
                raise DocumentTooLargeError(f"the members unpack to more than {limits.max_unpacked_bytes:,} bytes "
                                            "(a zip bomb?)", source=source)
        if _WORD_MAIN_PART not in archive.read("[Content_Types].xml"):
            raise WrongTypeError("an Office archive that is not a Word document", source=source)


def _check_declared(member: zipfile.ZipInfo, limits: DocumentLimits, source: str | None) -> None:
    if member.file_size > limits.max_part_bytes:
        raise DocumentTooLargeError(f"{member.filename} unpacks to {member.file_size:,} bytes, over the "
                                    f"{limits.max_part_bytes:,}-byte cap (a zip bomb?)", source=source)
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
        raise DocumentTooLargeError(f"{member.filename} is compressed {ratio:,.0f}:1, over the "
                                    f"{limits.max_compression_ratio:g}:1 cap (a zip bomb?)", source=source)


def _stream_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: DocumentLimits, deadline: Deadline,
                   source: str | None) -> int:
    """Unpack one member chunk by chunk, counting; XML members are scanned for DTD and entity declarations
    (no OOXML part has them; lxml's entity handling is then never reached)."""
    is_xml = member.filename.endswith((".xml", ".rels"))
    size, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_part_bytes:
                    raise DocumentTooLargeError(f"{member.filename} unpacks to more than {limits.max_part_bytes:,} "
                                                "bytes (a zip bomb?)", source=source)
                if is_xml and any(marker in tail + chunk for marker in _XML_DECLARATIONS):
                    raise UnsafeDocumentError(f"{member.filename} declares a DTD or XML entities, which no Word "
                                              "document needs (entity expansion attack?)", source=source)
                tail = chunk[-16:]
                deadline.check(source)
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
        raise EncryptedDocumentError(f"{member.filename} is password-protected", source=source) from exc
    except zipfile.BadZipFile as exc:  # zipfile stops at the declared size, then the CRC disagrees
        raise CorruptDocumentError(f"{member.filename} does not match its declared size or checksum (a tampered "
                                   f"or truncated archive: {exc})", source=source) from exc
    except (zlib.error, EOFError, NotImplementedError, ValueError, OSError) as exc:
        raise CorruptDocumentError(f"unreadable DOCX member {member.filename} ({type(exc).__name__}: {exc})",
                                   source=source) from exc
    return size
