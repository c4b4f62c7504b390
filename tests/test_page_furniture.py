"""Running headers and footers are taken out of a PDF's text, so a sentence across a page break reads whole."""

from __future__ import annotations

from fpdf import FPDF

from tools.documents import parse_document
from tools.page_furniture import strip_running_lines

SENTENCE = ("Customer shall provide a true-up report of named users within fifteen (15) days after the end of each "
            "quarter of the Subscription Term, and Provider shall invoice any additional users at the rates in "
            "this Order Form for the rest of the then-current term. ")


class _Paper(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", "", 8)
        self.cell(0, 8, "ACME CONFIDENTIAL - Order Form 2026-114", align="R")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 10, f"Executed via Ironclad workflow IC-7 (abc123)  |  page {self.page_no()}", align="C")


def _pdf(paragraphs: int) -> bytes:
    pdf = _Paper()
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for n in range(1, paragraphs + 1):
        words = SENTENCE.split()  # every paragraph different, as in a real contract
        text = f"{n}.{n * 7 % 13} Within {n + 9} days, " + " ".join(words[: 12 + n % 9] + ["(as amended)"] * (n % 4)
                                                                     + words[12 + n % 9:]) + f" See note {n * n}."
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_headers_and_footers_of_a_multi_page_pdf_are_not_part_of_its_text() -> None:
    document = parse_document(_pdf(paragraphs=40), source="test")
    assert len(document.pages) >= 3
    assert "Executed via Ironclad" not in document.text and "CONFIDENTIAL" not in document.text
    # The contract's own words are all still there, in order.
    flat = " ".join(document.text.split())
    assert all(f"then-current term. See note {n * n}." in flat for n in range(1, 41))
    assert all(f"Within {n + 9} days, Customer shall provide" in flat for n in range(1, 41))


def _page(top: str, bottom: str, n: int) -> str:
    body = "\n".join(f"clause {n * 100 + k} of the contract body" for k in range(1, 30))
    return f"{top}\n{body}\n{bottom}"


def test_headings_that_only_look_alike_stay() -> None:
    pages = [_page(f"Schedule {n}", "Initials: ____", n) for n in (2, 5, 9)]  # numbers that are not a counter
    cleaned = strip_running_lines(pages)
    assert all(f"Schedule {n}" in page for n, page in zip((2, 5, 9), cleaned, strict=True))
    assert all("Initials" not in page for page in cleaned)  # the same text at the foot of every page goes
    assert all(page.count("of the contract body") == 29 for page in cleaned)


def test_bare_page_numbers_and_counted_running_lines_go() -> None:
    pages = [_page("MASTER AGREEMENT (v4)", f"- {n} -", n) for n in (1, 2, 3)]
    pages += [_page("MASTER AGREEMENT (v4)", f"Page {n + 1} of 12", n) for n in (4, 5, 6)]
    cleaned = strip_running_lines(pages)
    assert not any("MASTER AGREEMENT" in page or "- " in page for page in cleaned)
    assert all(page.count("of the contract body") == 29 for page in cleaned)


def test_a_one_page_document_is_left_alone() -> None:
    assert strip_running_lines(["Title\nBody\nFooter | page 1"]) == ["Title\nBody\nFooter | page 1"]
