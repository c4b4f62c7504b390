"""Reading a downloaded file's bytes under a size cap: refused by its declared length, else cut off mid-stream.

Both clients that fetch untrusted documents (Ironclad's signed copy, a Salesforce File) read through this, so a
hostile or broken file is refused with DocumentTooLargeError before it fills memory.
"""

from __future__ import annotations

from collections.abc import Iterable

from tools.document_errors import DocumentTooLargeError


def read_capped(declared_length: str | None, chunks: Iterable[bytes], cap: int, source: str) -> bytes:
    """All of `chunks`, unless `declared_length` (a Content-Length header) or the bytes themselves exceed `cap`.
    A zero-byte file is still a file: the document reader refuses it, with a reason."""
    if declared_length and declared_length.isdigit() and int(declared_length) > cap:
        raise DocumentTooLargeError(f"{int(declared_length):,} bytes, over the {cap:,}-byte limit", source=source)
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise DocumentTooLargeError(f"over the {cap:,}-byte limit", source=source)
        parts.append(chunk)
    return b"".join(parts)
