"""Which passages of one contract answer a question: the clause finder's score for the question's category, plus
keyword (BM25) relevance to the question's own words, reranked by sentence-embedding similarity when a dense
index is given.

Weights from `contractloop eval qa --cv 5` (gold categories, finder trained on other folds): the finder alone
puts a gold span in the first three passages for 94.8 % of answerable questions; BM25 and dense add a few
tenths of a point there, and carry the ranking alone for terms the finder has no category for.
"""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer

BM25_WEIGHT = 0.5    # on BM25 scaled to [0, 1] within the contract, beside finder logits
DENSE_WEIGHT = 2.0   # on cosine similarity, beside finder logits
RERANK_DEPTH = 10    # passages the dense score reranks
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class RankedPassage:
    index: int
    score: float


class KeywordIndex:
    """BM25 over one contract's passages, built once and asked many questions."""

    def __init__(self, passages: list[str]) -> None:
        self._size = len(passages)
        corpus = bm25s.tokenize(passages, stopwords="en", stemmer=_STEMMER, show_progress=False) \
            if passages else None
        self._vocab = corpus.vocab if corpus is not None else {}
        self._retriever = bm25s.BM25() if self._vocab else None
        if self._retriever is not None:
            self._retriever.index(corpus, show_progress=False)

    def scores(self, question: str) -> np.ndarray:
        """BM25 of each passage for the question, scaled so the best is 1 (all zero when no word is shared)."""
        scores = np.zeros(self._size)
        if self._retriever is None:
            return scores
        query = bm25s.tokenize([question], stopwords="en", stemmer=_STEMMER, show_progress=False)
        # Query ids are in the query's own vocabulary: map them to the corpus's, dropping unknown words.
        inverse = {i: w for w, i in query.vocab.items()}
        words = [inverse[i] for i in query.ids[0] if inverse[i] in self._vocab]
        if not words:
            return scores
        scores = np.asarray(self._retriever.get_scores(words), dtype=np.float64)
        top = scores.max()
        return scores / top if top > 0 else scores


def rank(prior: np.ndarray | None, keywords: np.ndarray, dense: np.ndarray | None = None) -> list[RankedPassage]:
    """Passages best first. `prior`: finder logits for the category (None for a term without one: keywords
    alone); `dense`: cosine similarities for the passages (NaN where not computed)."""
    score = keywords.astype(np.float64) if prior is None else prior + BM25_WEIGHT * keywords
    if dense is not None:
        score = score + DENSE_WEIGHT * np.nan_to_num(dense, nan=0.0)
    order = np.argsort(-score, kind="stable")
    return [RankedPassage(int(i), float(score[i])) for i in order]


def rerank_candidates(prior: np.ndarray | None, keywords: np.ndarray) -> list[int]:
    """The passages a dense score is worth computing for: the top of the finder-and-keyword ranking."""
    return [p.index for p in rank(prior, keywords)[:RERANK_DEPTH]]
