"""Offline extraction throughput: pages/s on PDFs rendered from ~20 CUAD texts (parse + extract), chars/s on raw text,
and what parsing in the isolated, resource-limited child process costs per document.

Run: .venv/bin/python -m benchmarks.extraction_bench [--dataset DIR] [--contracts N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from fpdf import FPDF

from agents.extractor import OfflineExtractor
from evals.extraction.dataset import load_dataset
from evals.shared_data import require_shared
from tools.documents import Document, DocumentLimits, parse_document


def render_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    # The core fonts are Latin-1 only; curly quotes and the like become "?", which is fine for timing.
    pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, default=None,
                        help="default: data/cuad/dev100 in the shared data (../shared or $CONTRACTLOOP_SHARED_DATA)")
    parser.add_argument("--contracts", type=int, default=20)
    args = parser.parse_args()
    dataset = args.dataset or require_shared("data", "cuad", "dev100", marker="labels.jsonl")
    contracts = load_dataset(dataset)[: args.contracts]
    texts = [c.read_text() for c in contracts]
    extractor = OfflineExtractor()

    started = time.perf_counter()
    for text in texts:
        extractor.extract(Document.from_text(text))
    text_seconds = time.perf_counter() - started
    chars = sum(len(t) for t in texts)

    render_started = time.perf_counter()
    pdfs = [render_pdf(t) for t in texts]
    render_seconds = time.perf_counter() - render_started
    started = time.perf_counter()
    parse_document(pdfs[0])  # starts the isolated reader process once; reported apart from the parse figures
    reader_start_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pages = 0
    parse_seconds = 0.0
    for data in pdfs:
        parse_started = time.perf_counter()
        document = parse_document(data)
        parse_seconds += time.perf_counter() - parse_started
        pages += len(document.pages)
        extractor.extract(document)
    pdf_seconds = time.perf_counter() - started

    # The same parse without the child process, to show what isolation (fork, limits, copying) costs.
    started = time.perf_counter()
    for data in pdfs:
        parse_document(data, limits=DocumentLimits(isolate=False))
    in_process_seconds = time.perf_counter() - started

    print(f"raw text : {len(texts)} contracts, {chars:,} chars in {text_seconds:.2f} s "
          f"-> {chars / text_seconds:,.0f} chars/s")
    print(f"PDF      : {pages} pages (rendered in {render_seconds:.1f} s, not counted), parse {parse_seconds:.2f} s, "
          f"parse+extract {pdf_seconds:.2f} s -> {pages / pdf_seconds:,.1f} pages/s")
    print(f"isolation: parse in the limited reader process {parse_seconds:.2f} s vs in this process "
          f"{in_process_seconds:.2f} s ({(parse_seconds - in_process_seconds) / len(pdfs) * 1000:+.0f} ms per "
          f"document); starting the reader once {reader_start_seconds:.2f} s")


if __name__ == "__main__":
    main()
