"""Hostile signed copies: time to refusal and peak memory of the reader, per case, through the production path.

Each file is generated first (not timed), then read with the default limits: the cheap checks in this process,
then the parse in the reader worker (tools/document_isolation.py) under RLIMIT_AS / RLIMIT_CPU and the wall-clock
budget. Peak RSS is the worker's while it read that file (VmHWM, reset per document), its ~70 MiB baseline of
imported parsers included; the two normal documents at the top show that baseline. The last two rows raise the
caps so that only the process limits are left. "(not started)" cases are refused before any parser runs.

Run: .venv/bin/python -m benchmarks.document_limits_bench
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import docx
from fpdf import FPDF

from tests.support import hostile_documents as hostile
from tools.document_isolation import ReaderStats, read_isolated_with_stats
from tools.documents import PDF, DocumentError, DocumentLimits, parse_document

MiB = 1024 * 1024
RAISED = DocumentLimits(max_part_bytes=4096 * MiB, max_unpacked_bytes=4096 * MiB, max_compression_ratio=1e9)


def _normal_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for number in range(1, 41):
        pdf.add_page()
        pdf.multi_cell(0, 5, f"Section {number}. This Agreement is governed by the laws of the State of Texas. " * 30)
    return bytes(pdf.output())


def _normal_docx() -> bytes:
    word = docx.Document()
    for number in range(1, 400):
        word.add_paragraph(f"{number}. The Supplier shall deliver the Goods within thirty (30) days of each order.")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


CASES: list[tuple[str, Callable[[], bytes], DocumentLimits, str | None]] = [
    ("normal PDF, 40 pages", _normal_pdf, DocumentLimits(), None),
    ("normal DOCX, 400 paragraphs", _normal_docx, DocumentLimits(), None),
    ("zero-byte file", lambda: b"", DocumentLimits(), PDF),
    ("PDF Flate bomb -> 1 GiB", hostile.pdf_flate_bomb, DocumentLimits(), None),
    ("PDF page tree of 1,000,000 pages", hostile.pdf_huge_page_tree, DocumentLimits(), None),
    ("PDF page tree, /Count lies", hostile.pdf_lying_page_tree, DocumentLimits(), None),
    ("PDF array nested 200,000 deep", hostile.pdf_deeply_nested, DocumentLimits(), None),
    ("DOCX zip bomb -> 1 GiB", hostile.docx_zip_bomb, DocumentLimits(), None),
    ("DOCX zip bomb, sizes lie", hostile.docx_lying_sizes, DocumentLimits(), None),
    ("DOCX billion laughs", hostile.docx_billion_laughs, DocumentLimits(), None),
    ("HTML page named signed.pdf", hostile.html_claiming_pdf, DocumentLimits(), PDF),
    ("PDF Flate bomb, caps raised", hostile.pdf_flate_bomb, RAISED, None),
    ("DOCX paragraph flood, caps raised", lambda: hostile.docx_paragraph_flood(512 * MiB), RAISED, None),
]


def main() -> None:
    parse_document(_normal_pdf())  # start the reader worker outside the figures
    print(f"{'case':36} {'file':>10} {'refused in':>11} {'reader peak RSS':>15}  outcome")
    for name, build, limits, claimed in CASES:
        data = build()
        started = time.perf_counter()
        stats: ReaderStats | None = None
        try:
            if claimed is not None or not data:
                parse_document(data, limits=limits, claimed=claimed)  # refused before any process is involved
                outcome = "read"
            else:
                document, stats = read_isolated_with_stats(data, None, limits)
                outcome = f"read: {len(document.pages)} pages, {len(document.text):,} characters"
        except DocumentError as exc:
            stats = exc.stats if isinstance(exc.stats, ReaderStats) else None
            outcome = f"{exc.reason}: {exc}"[:90]
        seconds = time.perf_counter() - started
        peak = f"{stats.peak_rss_bytes / MiB:,.0f} MiB" if stats else "(not started)"
        print(f"{name:36} {len(data) / 1024:>7,.0f} KB {seconds:>9.3f} s {peak:>15}  {outcome}")


if __name__ == "__main__":
    main()
