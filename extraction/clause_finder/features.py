"""Lexical features of a passage: TF-IDF over word 1-2-grams, its heading's words and where it sits.

Numbers become "0" ("30 days" and "60 days" read alike), the heading's words get an "h:" prefix (a sentence
under "Governing Law" is about governing law even when it only says "the laws of Delaware"), and a "pos:k"
token says which tenth of the contract the passage is in (names and dates sit on the first page). The
vocabulary and IDF are fitted on training passages only and shipped with the model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import Stemmer
from scipy import sparse

from extraction.clause_finder.passages import Passage

_TOKEN = re.compile(r"[a-z]+|\d+")
POSITION_BINS = 10
_STEMMER = Stemmer.Stemmer("english")  # "disparage", "disparaging", "disparagement" read alike


def stemmed_words(body: str) -> list[str]:
    return _STEMMER.stemWords(["0" if w[0].isdigit() else w for w in _TOKEN.findall(body.lower())])


def contract_tokens(text: str, passages: Sequence[Passage]) -> list[list[str]]:
    """Every passage's own tokens, then each distinct word of its neighbours (previous and next) as "ctx:"."""
    words = [stemmed_words(text[p.start:p.end]) for p in passages]
    out: list[list[str]] = []
    for i, passage in enumerate(passages):
        tokens = passage_tokens(text, passage, words[i])
        for j in (i - 1, i + 1):
            if 0 <= j < len(passages):
                tokens.extend(f"ctx:{w}" for w in sorted(set(words[j])))  # sorted: reproducible float sums
        out.append(tokens)
    return out


def passage_tokens(text: str, passage: Passage, words: list[str] | None = None) -> list[str]:
    """The passage's own tokens (`words`: its stemmed words, when the caller has them already)."""
    body = text[passage.start:passage.end]
    if words is None:
        words = stemmed_words(body)
    tokens = list(words) + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    tokens += [f"h:{w}" for w in _STEMMER.stemWords(_TOKEN.findall(passage.heading.lower())) if not w[0].isdigit()]
    tokens.append(f"pos:{min(POSITION_BINS - 1, passage.start * POSITION_BINS // max(len(text), 1))}")
    # Shape: titles and party blocks are short and often in capitals.
    tokens.append(f"len:{min(len(body) // 100, 6)}")
    letters = [c for c in body[:200] if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) * 10 > len(letters) * 8:
        tokens.append("shape:upper")
    return tokens


class Featurizer:
    """Sublinear TF x IDF, rows L2-normalised; terms outside the fitted vocabulary are ignored."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray):
        if len(vocabulary) != len(idf):
            raise ValueError("vocabulary and idf differ in length")
        self.vocabulary = list(vocabulary)
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, token_lists: Sequence[Sequence[str]], min_df: int = 3, max_features: int = 60000) -> Featurizer:
        """Keep the `max_features` terms found in the most passages (at least `min_df`); ties by term."""
        document_frequency: Counter[str] = Counter()
        for tokens in token_lists:
            document_frequency.update(set(tokens))
        kept = sorted((t for t, df in document_frequency.items() if df >= min_df),
                      key=lambda t: (-document_frequency[t], t))[:max_features]
        kept.sort()
        n = len(token_lists)
        idf = np.array([np.log((1 + n) / (1 + document_frequency[t])) + 1.0 for t in kept], dtype=np.float32)
        return cls(kept, idf)

    def transform(self, token_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        index = self.index
        for tokens in token_lists:
            counts = Counter(i for i in map(index.get, tokens) if i is not None)
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        matrix = sparse.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                                    np.asarray(indptr, dtype=np.int64)), shape=(len(token_lists), len(self.idf)))
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms).dot(matrix), dtype=np.float32)
