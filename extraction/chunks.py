"""Chunks of a contract and the ones most likely to state each term (the clause finder's passages first when
there is one, then BM25 over the document's own chunks).

A model reads a few thousand words well, not a 300-page exhibit. The document is cut on paragraph boundaries
into chunks that keep their character offsets, so a quote found in a chunk maps back to `Document.text`. The
preamble (parties, dates) and the signature block (signing dates) are always kept; the rest is chosen per term
by keyword retrieval, within a character budget, and returned in document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import bm25s
import Stemmer

from extraction.contract_dates import signature_block_start

CHUNK_CHARS = 1500
# What each term is usually written with; one retrieval per term.
TERM_QUERIES: dict[str, str] = {
    "term": "term of this agreement shall commence continue remain in effect expire years initial term",
    "renewal": "automatically renew renewal term successive additional periods non-renewal notice prior to expiration",
    "governing_law": "governed by construed in accordance with the laws of the state governing law jurisdiction",
    "liability": "in no event liable liability shall not exceed aggregate consequential damages limitation of liability",
    "effective_date": "effective date commencement date dated as of entered into made this day of",
    "payment": "payment invoice net days fees due within",
    "termination": "terminate for convenience without cause upon written notice",
}


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    text: str


def chunk_document(text: str, size: int = CHUNK_CHARS) -> list[Chunk]:
    """Consecutive chunks of about `size` characters, cut after a blank line or line end when one is near."""
    chunks: list[Chunk] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            window = text[start + size // 2:end]
            cut = max(window.rfind("\n\n"), window.rfind("\n"))
            if cut >= 0:
                end = start + size // 2 + cut + 1
        if text[start:end].strip():
            chunks.append(Chunk(start, end, text[start:end]))
        start = end
    return chunks


_STEMMER = Stemmer.Stemmer("english")


def _tokens(texts: list[str]) -> bm25s.tokenization.Tokenized:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)


def select_chunks(text: str, budget: int = 24000, per_term: int = 2, size: int = CHUNK_CHARS,
                  queries: dict[str, str] | None = None,
                  passages: list[tuple[int, int]] | None = None) -> list[Chunk]:
    """The preamble, the signature block, the chunks holding `passages` (spans a clause finder ranked, best
    first) and the best BM25 chunks per term, in document order, within `budget`."""
    chunks = chunk_document(text, size)
    if not chunks:
        return []
    chosen: list[int] = [0]
    signatures = signature_block_start(text)
    if signatures is not None:
        chosen.append(next((i for i, c in enumerate(chunks) if c.start <= signatures < c.end), len(chunks) - 1))
    for start, end in passages or []:
        chosen.extend(i for i, c in enumerate(chunks) if c.start < max(end, start + 1) and start < c.end)
    if len(chunks) > 2:
        retriever = bm25s.BM25()
        retriever.index(_tokens([c.text for c in chunks]), show_progress=False)
        for query in (queries or TERM_QUERIES).values():
            docs, scores = retriever.retrieve(_tokens([query]), k=min(per_term, len(chunks)), show_progress=False)
            chosen.extend(int(i) for i, s in zip(docs[0], scores[0], strict=True) if s > 0)
    else:
        chosen.extend(range(len(chunks)))
    picked: list[int] = []
    used = 0
    for index in dict.fromkeys(chosen):  # first-chosen first, duplicates dropped
        if used + len(chunks[index].text) > budget:
            continue
        picked.append(index)
        used += len(chunks[index].text)
    return [chunks[i] for i in sorted(picked)]


def search_chunks(text: str, query: str, k: int = 3, size: int = CHUNK_CHARS) -> list[Chunk]:
    """The `k` chunks that BM25 ranks best for `query`, best first; none when no chunk shares a word with it."""
    chunks = chunk_document(text, size)
    if not chunks or not query.strip():
        return []
    retriever = bm25s.BM25()
    retriever.index(_tokens([c.text for c in chunks]), show_progress=False)
    docs, scores = retriever.retrieve(_tokens([query]), k=min(k, len(chunks)), show_progress=False)
    return [chunks[int(i)] for i, s in zip(docs[0], scores[0], strict=True) if s > 0]


_WORD = re.compile(r"\S+")


def locate_quote(text: str, quote: str, near: list[Chunk] | None = None) -> tuple[int, int] | None:
    """Where `quote` occurs in `text`: verbatim, else with any run of whitespace standing for any other (models
    re-flow line breaks). Preference goes to an occurrence inside the chunks the model was shown."""
    words = _WORD.findall(quote)
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    hits = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not hits:
        return None
    if near:
        shown = [h for h in hits if any(c.start <= h[0] < c.end for c in near)]
        if shown:
            return shown[0]
    return hits[0]
