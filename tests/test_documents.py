"""Contract files -> Document: page mapping on rendered PDFs, DOCX, and typed errors for unreadable files."""

from __future__ import annotations

import io

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from tools.documents import (
    CorruptDocumentError,
    DocumentLimits,
    DocumentTooLargeError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NoTextLayerError,
    TooManyPagesError,
    UnsupportedDocumentError,
    load_document,
    parse_document,
)


def _pdf(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for body in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, body)
    return bytes(pdf.output())


def test_pdf_text_maps_every_span_to_its_page(tmp_path):
    path = tmp_path / "msa.pdf"
    path.write_bytes(_pdf(["MASTER SERVICES AGREEMENT between Acme Corp and Beta LLC.",
                           "This Agreement is governed by the laws of the State of Texas.",
                           "Either party may terminate for convenience on 30 days notice."]))
    document = load_document(path)
    assert [p.number for p in document.pages] == [1, 2, 3]
    for phrase, page in [("Acme Corp", 1), ("State of Texas", 2), ("30 days notice", 3)]:
        start = document.text.index(phrase)
        assert document.page_of(start) == page
        assert document.page_of(start + len(phrase) - 1) == page
    assert document.media_type == "application/pdf"


def test_encrypted_pdf_is_refused_with_a_reason():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(["Confidential terms."]))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(EncryptedDocumentError) as caught:
        parse_document(out.getvalue(), source="locked.pdf")
    assert caught.value.reason == "encrypted"
    assert "locked.pdf" in str(caught.value)


def test_image_only_pdf_has_no_text_layer():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a drawing, as a scan would be: no text at all
    with pytest.raises(NoTextLayerError) as caught:
        parse_document(bytes(pdf.output()))
    assert caught.value.reason == "no_text"


def test_corrupt_and_empty_and_binary_inputs_raise_typed_errors():
    with pytest.raises(CorruptDocumentError):
        parse_document(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(EmptyDocumentError):
        parse_document(b"   \n")
    with pytest.raises(CorruptDocumentError):
        parse_document(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnsupportedDocumentError):
        parse_document(b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_limits_on_bytes_and_pages():
    data = _pdf(["one", "two", "three"])
    with pytest.raises(DocumentTooLargeError) as caught:
        parse_document(data, limits=DocumentLimits(max_bytes=100))
    assert caught.value.reason == "too_large"
    with pytest.raises(TooManyPagesError):
        parse_document(data, limits=DocumentLimits(max_pages=2))


def test_docx_paragraphs_and_tables_become_text(tmp_path):
    word = docx.Document()
    word.add_paragraph("SUPPLY AGREEMENT")
    word.add_paragraph("This Agreement is governed by the laws of Ontario.")
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Fee"
    table.cell(0, 1).text = "$12,000"
    path = tmp_path / "supply.docx"
    word.save(path)
    document = load_document(path)
    assert "laws of Ontario" in document.text
    assert "Fee\t$12,000" in document.text
    assert document.page_of(document.text.index("Ontario")) == 1


def test_plain_text_form_feeds_are_page_breaks():
    document = parse_document(b"page one text\fpage two text")
    assert document.page_of(document.text.index("two")) == 2
    assert document.text == "page one text\fpage two text"
