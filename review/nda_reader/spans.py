"""A document's spans as the reader sees them: passages with the heading above them, then their tokens.

ContractNLI gives each document's spans (sentences and list items); a document from Salesforce or an API
call has none, so it is cut with the clause finder's passage splitter. Either way a span's tokens are the
clause finder's: stemmed word 1-2-grams, its heading's words, where it sits, and its neighbours' words.
"""

from __future__ import annotations

from collections.abc import Sequence

from extraction.clause_finder.features import contract_tokens
from extraction.clause_finder.passages import NUMBERING, Passage, heading_like, split_passages


def given_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[Passage]:
    """Dataset spans as passages, each under the last heading-like span at or above it."""
    passages: list[Passage] = []
    heading = ""
    for start, end in spans:
        piece = text[start:end].strip()
        if heading_like(piece):
            heading = piece[NUMBERING.match(piece).end():].strip(" .:-–—*")  # type: ignore[union-attr]
        passages.append(Passage(start, end, heading))
    return passages


def document_spans(text: str) -> list[Passage]:
    """Spans for a document that came without them."""
    return split_passages(text)


def span_tokens(text: str, passages: Sequence[Passage]) -> list[list[str]]:
    return contract_tokens(text, passages)
