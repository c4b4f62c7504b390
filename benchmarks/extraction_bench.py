"""Offline extraction throughput with the learned clause finder: pages/s per core on PDFs rendered from ~20 CUAD
texts (parse + extract, one document at a time, so one core is busy), chars/s on raw text, the finder's model
load time, peak RSS, and what parsing in the isolated, resource-limited child process costs per document.

Run: .venv/bin/python -m benchmarks.extraction_bench [--dataset DIR] [--contracts N]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from fpdf import FPDF

from evals.extraction.dataset import load_dataset
from evals.shared_data import require_shared
from extraction import OfflineExtractor
from extraction.clause_finder import load_finder
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
    rss_before = _rss_mib()
    started = time.perf_counter()
    finder = load_finder()  # first call in this process: imports and packaged artifacts read from disk
    load_seconds = time.perf_counter() - started
    finder_rss = _rss_mib() - rss_before
    extractor = OfflineExtractor(finder=finder)

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
    parse_seconds = find_seconds = 0.0
    documents = []
    for data in pdfs:
        parse_started = time.perf_counter()
        document = parse_document(data)
        parse_seconds += time.perf_counter() - parse_started
        pages += len(document.pages)
        extractor.extract(document)
        documents.append(document)
    pdf_seconds = time.perf_counter() - started
    for document in documents:  # the clause finder's share of the extract time, timed on its own
        find_started = time.perf_counter()
        finder.find(document)
        find_seconds += time.perf_counter() - find_started

    # The same parse without the child process, to show what isolation (fork, limits, copying) costs.
    started = time.perf_counter()
    for data in pdfs:
        parse_document(data, limits=DocumentLimits(isolate=False))
    in_process_seconds = time.perf_counter() - started

    print(f"raw text : {len(texts)} contracts, {chars:,} chars in {text_seconds:.2f} s "
          f"-> {chars / text_seconds:,.0f} chars/s")
    print(f"PDF      : {pages} pages (rendered in {render_seconds:.1f} s, not counted), parse {parse_seconds:.2f} s, "
          f"parse+extract {pdf_seconds:.2f} s -> {pages / pdf_seconds:,.1f} pages/s per core "
          f"(one document at a time; target >= 20)")
    print(f"finder   : model loaded in {load_seconds:.2f} s (+{finder_rss:.0f} MiB RSS); clause finding "
          f"{find_seconds / len(documents) * 1000:.0f} ms per contract ({find_seconds / pdf_seconds:.0%} of "
          f"parse+extract), {len(finder.categories)} categories")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"memory   : peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB for this process"
          + (f", {children:.0f} MiB for the largest finished child" if children else ""))
    print(f"isolation: parse in the limited reader process {parse_seconds:.2f} s vs in this process "
          f"{in_process_seconds:.2f} s ({(parse_seconds - in_process_seconds) / len(pdfs) * 1000:+.0f} ms per "
          f"document); starting the reader once {reader_start_seconds:.2f} s")


def _rss_mib() -> float:
    """Resident memory now (Linux /proc), in MiB; 0 where /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    main()
