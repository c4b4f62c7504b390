"""How much of one contract file we are willing to read: caps against hostile or broken files.

A signed copy comes from outside (a counterparty, a scanner, an upload), so every resource it can make us spend is
capped: the bytes we accept, what they may decompress to, pages, extracted characters, wall-clock time and memory.
A file over any cap is refused with a `DocumentError` (and flagged for review), never read "as far as it goes".

Each cap is a named default below and can be set from the environment as `CONTRACTLOOP_DOCUMENT_<FIELD>`, e.g.
`CONTRACTLOOP_DOCUMENT_TIMEOUT_SECONDS=120`. The defaults are generous for real commercial contracts (the largest
CUAD contract is ~110 pages and ~0.4 M characters; its DOCX would be ~1 MB unpacked).
"""

from __future__ import annotations

from typing import Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB: Final = 1024 * 1024

MAX_INPUT_BYTES: Final = 50 * MiB        # the file as received (compressed)
MAX_PAGES: Final = 2000
MAX_PART_BYTES: Final = 64 * MiB         # one decompressed part: a PDF stream, a DOCX member such as document.xml
MAX_UNPACKED_BYTES: Final = 256 * MiB    # all members of a DOCX together, decompressed
MAX_COMPRESSION_RATIO: Final = 200       # unpacked/packed for a DOCX member over RATIO_FLOOR_BYTES; XML is ~5-20
RATIO_FLOOR_BYTES: Final = 1 * MiB       # small members may compress arbitrarily well (empty styles, settings)
MAX_ARCHIVE_MEMBERS: Final = 5000
MAX_CHARACTERS: Final = 10_000_000       # extracted text; ~5,000 pages of dense prose
TIMEOUT_SECONDS: Final = 60.0            # wall clock for one document, parse and text extraction
MAX_MEMORY_BYTES: Final = 1024 * MiB     # address space the reading process may add while parsing one document


class DocumentLimits(BaseSettings):
    """Caps for reading one document; the defaults fit any real contract (see the module docstring)."""

    model_config = SettingsConfigDict(env_prefix="CONTRACTLOOP_DOCUMENT_", extra="ignore")

    max_bytes: int = Field(default=MAX_INPUT_BYTES, gt=0, description="Largest file accepted, as received.")
    max_pages: int = Field(default=MAX_PAGES, gt=0)
    max_part_bytes: int = Field(default=MAX_PART_BYTES, gt=0,
                                description="Largest decompressed PDF stream or DOCX member.")
    max_unpacked_bytes: int = Field(default=MAX_UNPACKED_BYTES, gt=0,
                                    description="All DOCX members together, decompressed.")
    max_compression_ratio: float = Field(default=MAX_COMPRESSION_RATIO, gt=1)
    max_archive_members: int = Field(default=MAX_ARCHIVE_MEMBERS, gt=0)
    max_characters: int = Field(default=MAX_CHARACTERS, gt=0)
    timeout_seconds: float = Field(default=TIMEOUT_SECONDS, gt=0, description="Wall clock per document.")
    max_memory_bytes: int = Field(default=MAX_MEMORY_BYTES, gt=0,
                                  description="Memory the isolated reader may add on top of its baseline.")
    isolate: bool = Field(default=True, description="Parse in a child process with memory and CPU limits.")
