"""`Document`: a contract's full text plus the page each character sits on, whatever file it came from."""

from __future__ import annotations

from bisect import bisect_right

from pydantic import BaseModel, Field

from tools.document_guards import TEXT, MediaType

# Pages are joined as lines are: a sentence runs on across a page break, as the reader reads it. Running
# headers and footers are taken out first (tools.page_furniture), so they do not land inside that sentence.
PAGE_SEPARATOR = "\n"


class Page(BaseModel):
    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(BaseModel):
    text: str
    pages: list[Page]
    media_type: MediaType = TEXT
    source: str | None = None

    @classmethod
    def from_pages(cls, page_texts: list[str], *, media_type: MediaType, source: str | None = None) -> Document:
        pages: list[Page] = []
        parts: list[str] = []
        offset = 0
        for number, page_text in enumerate(page_texts, start=1):
            if parts:
                parts.append(PAGE_SEPARATOR)
                offset += len(PAGE_SEPARATOR)
            pages.append(Page(number=number, start=offset, end=offset + len(page_text)))
            parts.append(page_text)
            offset += len(page_text)
        return cls(text="".join(parts), pages=pages, media_type=media_type, source=source)

    @classmethod
    def from_text(cls, text: str, *, source: str | None = None) -> Document:
        """Plain text: a form feed marks a page break (as `pdftotext` writes it); otherwise one page."""
        if "\f" not in text:
            return cls(text=text, pages=[Page(number=1, start=0, end=len(text))], source=source)
        pages: list[Page] = []
        offset = 0
        for number, chunk in enumerate(text.split("\f"), start=1):
            pages.append(Page(number=number, start=offset, end=offset + len(chunk)))
            offset += len(chunk) + 1
        return cls(text=text, pages=pages, source=source)

    def page_of(self, offset: int) -> int:
        """The page holding character `offset` (a separator between pages belongs to the page before it)."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside document of {len(self.text)} characters")
        starts = [page.start for page in self.pages]
        return self.pages[max(bisect_right(starts, offset) - 1, 0)].number
