"""What the model engine reads for each term: the passages the clause finder ranks highest for the term's CUAD
category (a learned scorer of which passages state it), ahead of the BM25 chunks.

The finder is trained on CUAD's clause spans, so it finds a governing-law clause worded without the usual words,
where keyword retrieval finds the sentences that merely repeat them. Payment terms have no CUAD category and
rely on BM25 alone.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

# ModelAnswer field -> the CUAD category whose passages state it.
FIELD_CATEGORIES: dict[str, str] = {
    "parties": "Parties",
    "agreement_date": "Agreement Date",
    "effective_date": "Effective Date",
    "expiration_date": "Expiration Date",
    "initial_term": "Expiration Date",
    "renewal_term": "Renewal Term",
    "automatic_renewal": "Renewal Term",
    "notice_period_to_terminate_renewal": "Notice Period To Terminate Renewal",
    "governing_law": "Governing Law",
    "liability_cap": "Cap On Liability",
    "termination_for_convenience": "Termination For Convenience",
}
PASSAGES_PER_CATEGORY = 2


class PassageScores(Protocol):
    @property
    def passages(self) -> list[tuple[int, int]]: ...

    def column(self, category: str) -> np.ndarray: ...


class PassageScorer(Protocol):
    """The part of `extraction.clause_finder.ClauseFinder` retrieval needs."""

    categories: list[str]

    def score_passages(self, text: str) -> PassageScores: ...


def finder_passages(scorer: PassageScorer, text: str, per_category: int = PASSAGES_PER_CATEGORY
                    ) -> list[tuple[int, int]]:
    """Spans to show the model, best first: each term's top passages in turn (rank 1 of every term, then rank 2)."""
    scored = scorer.score_passages(text)
    if not scored.passages:
        return []
    categories = [c for c in dict.fromkeys(FIELD_CATEGORIES.values()) if c in scorer.categories]
    ranked = [np.argsort(-np.asarray(scored.column(c)), kind="stable")[:per_category] for c in categories]
    spans: list[tuple[int, int]] = []
    for rank in range(per_category):
        for order in ranked:
            if rank < len(order):
                start, end = scored.passages[int(order[rank])]
                spans.append((start, end))
    return list(dict.fromkeys(spans))
