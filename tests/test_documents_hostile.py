"""Hostile signed copies are refused with a reason, within the document limits: nothing is read "as far as it goes".

Each file is generated here, small on disk; tests/support/hostile_documents.py says what each would cost a naive
reader. Time and memory to refusal are measured by benchmarks/document_limits_bench.py, not asserted here.
"""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF

from tests.support import hostile_documents as hostile
from tools.documents import (
    DOCX,
    PDF,
    CorruptDocumentError,
    DocumentError,
    DocumentLimits,
    DocumentTimeoutError,
    DocumentTooLargeError,
    EmptyDocumentError,
    TooManyPagesError,
    UnsafeDocumentError,
    WrongTypeError,
    claimed_media_type,
    parse_document,
)

MiB = 1024 * 1024
IN_PROCESS = DocumentLimits(isolate=False)


def _pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Page {number}. This Agreement is governed by the laws of the State of Texas. " * 12)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def flate_bomb() -> bytes:
    return hostile.pdf_flate_bomb(256 * MiB)  # ~1 KB on disk; pypdf alone would inflate up to 75 MB per stream


@pytest.mark.parametrize("limits", [DocumentLimits(), IN_PROCESS], ids=["isolated", "in-process"])
def test_a_zero_byte_file_is_refused_as_empty(limits):
    with pytest.raises(EmptyDocumentError) as caught:
        parse_document(b"", source="signed.pdf", limits=limits)
    assert caught.value.reason == "empty" and "0 bytes" in str(caught.value)


@pytest.mark.parametrize("limits", [DocumentLimits(), IN_PROCESS], ids=["isolated", "in-process"])
def test_a_pdf_flate_bomb_is_refused_at_the_stream_cap(flate_bomb, limits):
    assert len(flate_bomb) < 4096
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(flate_bomb, source="bomb.pdf", limits=limits)
    assert caught.value.reason == "too_large" and "compression bomb" in str(caught.value)


def test_with_the_caps_raised_the_process_limits_still_stop_a_paragraph_flood():
    # Only the child's memory and time budgets are left: it is stopped, and the caller gets a refusal.
    flood = hostile.docx_paragraph_flood(256 * MiB)
    limits = DocumentLimits(max_part_bytes=4096 * MiB, max_unpacked_bytes=4096 * MiB, max_compression_ratio=1e9,
                            max_memory_bytes=512 * MiB, timeout_seconds=5)
    with pytest.raises(DocumentError) as caught:
        parse_document(flood, source="flood.docx", limits=limits)
    assert caught.value.reason in ("timeout", "too_large"), caught.value
    assert "flood.docx" in str(caught.value)


def test_one_parser_call_over_the_time_budget_is_stopped_from_outside():
    # With the caps raised, python-docx spends seconds inside one call where no deadline check of ours runs:
    # the reader's CPU limit (or, failing that, the caller's kill) ends it, and a fresh reader serves the next file.
    flood = hostile.docx_paragraph_flood(24 * MiB)
    limits = DocumentLimits(max_part_bytes=4096 * MiB, max_unpacked_bytes=4096 * MiB, max_compression_ratio=1e9,
                            max_memory_bytes=1536 * MiB, timeout_seconds=0.3)
    with pytest.raises(DocumentTimeoutError) as caught:
        parse_document(flood, source="flood.docx", limits=limits)
    assert "stopped" in str(caught.value)
    assert parse_document(b"The next contract reads normally.").text.startswith("The next contract")


def test_a_document_over_its_time_budget_is_refused():
    with pytest.raises(DocumentTimeoutError) as caught:
        parse_document(_pdf(30), source="long.pdf", limits=DocumentLimits(timeout_seconds=0.001))
    assert "budget" in str(caught.value)


def test_the_memory_budget_stops_a_reader_that_grows():
    limits = DocumentLimits(max_memory_bytes=1)  # nothing on top of the reader's baseline
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(b"This Agreement is governed by Texas law. " * 200_000, source="big.txt", limits=limits)
    assert "memory" in str(caught.value)


@pytest.mark.parametrize("build", [hostile.pdf_huge_page_tree, hostile.pdf_lying_page_tree],
                         ids=["declared", "lying-count"])
def test_a_million_page_tree_is_refused_before_it_is_walked(build):
    data = build()
    assert len(data) < 10_000
    with pytest.raises(TooManyPagesError) as caught:
        parse_document(data, source="pages.pdf")
    assert caught.value.reason == "too_many_pages"


def test_a_deeply_nested_pdf_is_refused_not_crashed():
    with pytest.raises(DocumentError) as caught:
        parse_document(hostile.pdf_deeply_nested(), source="nested.pdf")
    assert caught.value.reason in ("corrupt", "no_text")


@pytest.mark.parametrize("limits", [DocumentLimits(), IN_PROCESS], ids=["isolated", "in-process"])
def test_a_docx_zip_bomb_is_refused_from_its_declared_sizes(limits):
    bomb = hostile.docx_zip_bomb(128 * MiB)
    assert len(bomb) < 1 * MiB
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(bomb, source="bomb.docx", limits=limits)
    assert "word/document.xml" in str(caught.value) and "zip bomb" in str(caught.value)


def test_a_docx_whose_directory_lies_about_sizes_is_refused_while_streaming():
    with pytest.raises(CorruptDocumentError) as caught:
        parse_document(hostile.docx_lying_sizes(64 * MiB), source="liar.docx", limits=IN_PROCESS)
    assert "word/document.xml" in str(caught.value)


def test_a_docx_member_over_the_ratio_cap_is_refused_even_under_the_size_cap():
    bomb = hostile.docx_zip_bomb(32 * MiB)  # under the 64 MiB member cap, but compressed ~1000:1
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(bomb, limits=IN_PROCESS)
    assert ":1" in str(caught.value)


@pytest.mark.parametrize("limits", [DocumentLimits(), IN_PROCESS], ids=["isolated", "in-process"])
def test_a_docx_with_xml_entity_expansion_is_refused(limits):
    with pytest.raises(UnsafeDocumentError) as caught:
        parse_document(hostile.docx_billion_laughs(), source="laughs.docx", limits=limits)
    assert caught.value.reason == "unsafe" and "entities" in str(caught.value)


@pytest.mark.parametrize(("data", "claimed", "what"), [
    (hostile.html_claiming_pdf(), PDF, "an HTML page"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, PDF, "a PNG image"),
    (hostile.workbook_claiming_docx(), DOCX, "not a Word document"),
    (b"%PDF-1.4 not a docx", DOCX, "a PDF"),
])
def test_a_file_that_is_not_what_it_claims_is_refused(data, claimed, what):
    with pytest.raises(WrongTypeError) as caught:
        parse_document(data, source="signed copy", claimed=claimed)
    assert caught.value.reason == "wrong_type" and what in str(caught.value)


def test_claims_come_from_the_mime_type_then_the_extension():
    assert claimed_media_type("Signed MSA.pdf", None) == PDF
    assert claimed_media_type("x.bin", "application/pdf; charset=binary") == PDF
    assert claimed_media_type("terms.DOCX", "application/octet-stream") == DOCX
    assert claimed_media_type("scan.tiff", "image/tiff") is None


def test_the_character_cap_refuses_a_flood_of_text():
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(b"lorem ipsum " * 1000, limits=DocumentLimits(max_characters=5000))
    assert "characters" in str(caught.value)


def test_limits_can_be_set_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONTRACTLOOP_DOCUMENT_MAX_PAGES", "2")
    with pytest.raises(TooManyPagesError):
        parse_document(_pdf(3))


def test_a_normal_pdf_reads_the_same_isolated_and_in_process():
    data = _pdf(4)
    isolated, direct = parse_document(data, source="msa.pdf"), parse_document(data, source="msa.pdf",
                                                                              limits=IN_PROCESS)
    assert isolated == direct and len(isolated.pages) == 4 and isolated.source == "msa.pdf"


def test_a_normal_docx_reads_the_same_isolated_and_in_process():
    import docx

    word = docx.Document()
    word.add_paragraph("This Agreement is governed by the laws of Ontario.")
    out = io.BytesIO()
    word.save(out)
    assert parse_document(out.getvalue()) == parse_document(out.getvalue(), limits=IN_PROCESS)
