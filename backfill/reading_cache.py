"""Terms already read from a signed copy, by the sha256 of its bytes: a backfill rerun over unchanged documents
parses no PDF.

Each entry is also keyed by the engine fingerprint: a hash of the extractor's and the clause finder's code and
packaged artifacts, so a retrained model or a changed rule reads every document again. Kept: the terms read,
and refusals that the bytes alone decide (corrupt, encrypted, no text layer...). Not kept: refusals that depend
on the machine or the configured limits (a CPU budget hit on a busy machine, a size cap), and extractor
failures: those files are tried again next time. The cache is a table in the backfill's checkpoint file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What decides the terms read from given bytes: the extractor, the clause finder (code and model files),
# and the document reader.
ENGINE_SOURCES = ("extraction", "extraction/clause_finder", "tools/documents.py", "tools/page_furniture.py",
                  "tools/document_limits.py")

# DocumentError reasons decided by the file's bytes, whatever the machine and the configured limits.
STABLE_REFUSALS = ("corrupt", "encrypted", "no_text", "empty", "unsupported", "wrong_type")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    document_sha256 TEXT NOT NULL, engine TEXT NOT NULL, reading TEXT NOT NULL,
    PRIMARY KEY (document_sha256, engine)
);
"""


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    digest = hashlib.sha256()
    for source in ENGINE_SOURCES:
        path = ROOT / source
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or not file.exists():
                continue
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def document_sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


class ReadingCache:
    def __init__(self, path: Path, engine: str | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = engine or engine_fingerprint()
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        # Readings by another engine are never used again by this one: drop them so the file stays small.
        self._conn.execute("DELETE FROM readings WHERE engine != ?", (self.engine,))

    def close(self) -> None:
        self._conn.close()

    def get(self, digest: str) -> str | None:
        """The reading (JSON) this engine made of these bytes, if any."""
        row = self._conn.execute("SELECT reading FROM readings WHERE document_sha256 = ? AND engine = ?",
                                 (digest, self.engine)).fetchone()
        return None if row is None else str(row[0])

    def put(self, digest: str, reading_json: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO readings (document_sha256, engine, reading) VALUES (?, ?, ?)",
                           (digest, self.engine, reading_json))


def worth_keeping(terms_read: bool, document_error: str | None) -> bool:
    """Whether the same bytes read by the same engine would certainly end the same way."""
    if terms_read:
        return True
    reason = (document_error or "").split(":", 1)[0]
    return reason in STABLE_REFUSALS
