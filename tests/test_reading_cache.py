"""The backfill's reading cache: keyed by the document's bytes and the engine that read them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fpdf import FPDF

from backfill.reader import readers
from backfill.reading_cache import ReadingCache, engine_fingerprint

CORRUPT = b"%PDF-1.7\n this is not really a PDF \x00\x01"


def text_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def test_same_bytes_are_read_once_per_engine_and_a_retrained_engine_reads_again(tmp_path: Path) -> None:
    pdf = text_pdf("This Agreement is governed by the laws of the State of Delaware. Payment is due net 30.")
    path = tmp_path / "backfill.sqlite"
    first = ReadingCache(path)
    with readers(1, first) as pool:
        read = pool.submit("rec-1", pdf, None)
        again = pool.submit("rec-2", pdf, None)  # another record, the same file
        other = pool.submit("rec-3", pdf + b"\n", None)  # changed bytes
    assert read.parses and not read.result().from_cache
    assert not again.parses and again.result().from_cache and again.result().record_id == "rec-2"
    assert again.result().terms == read.result().terms
    assert other.parses
    first.close()

    refreshed = ReadingCache(path)
    with readers(1, refreshed, reread=True) as pool:  # --reread: parsed again, whatever the cache holds
        assert pool.submit("rec-1", pdf, None).parses
    with readers(1, refreshed) as pool:
        assert not pool.submit("rec-1", pdf, None).parses
    refreshed.close()

    retrained = ReadingCache(path, engine=engine_fingerprint() + "-retrained")
    with readers(1, retrained) as pool:
        assert pool.submit("rec-1", pdf, None).parses  # another model: the cached terms do not apply
    retrained.close()
    with sqlite3.connect(path) as conn:  # the old engine's readings were dropped, not kept forever
        assert conn.execute("SELECT DISTINCT engine FROM readings").fetchall() == [(retrained.engine,)]


def test_only_refusals_decided_by_the_bytes_are_kept(tmp_path: Path) -> None:
    cache = ReadingCache(tmp_path / "backfill.sqlite")
    with readers(1, cache) as pool:
        broken = pool.submit("rec-1", CORRUPT, None)
        assert broken.result().document_error and broken.result().document_error.startswith("corrupt")
        again = pool.submit("rec-2", CORRUPT, None).result()
        assert again.from_cache and again.document_error == broken.result().document_error.replace("rec-1", "rec-2")
        assert "rec-2" in again.document_error
        missing = pool.submit("rec-3", None, "the signed copy is missing")
        assert not missing.parses and not missing.result().from_cache
    cache.close()
