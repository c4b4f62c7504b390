"""Which contracts a question names: its words and word pairs found in a contract's names and opening text,
each weighted by how rare the word is across whole contracts (IDF), so "Acme" finds "Acme Corp" and a
question's own wording ("agreement", "expire") counts for nothing; plus how much each whole contract speaks of
the question's word pairs (BM25 over the full text), since a contract's own counterparty is named throughout
it, not only where the parties are introduced, and a name introduced past the opening is still found.

Measured by `contractloop eval qa --cv 5` over dev100 + train150 as one corpus: the right contract first for
0.935 of questions; most misses name a party by a defined term ("Party B", "the Sponsor") that many contracts
use, or a counterparty with several contracts.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.contract_store import ContractStore
from qa.name_tokens import name_words, pairs
from qa.question_words import may_name

TEXT_WEIGHT = 1.0   # the full-text phrase score against the names' (chosen on dev100's questions; see README)
MIN_WORD_IDF = 0.5  # words in most contracts cannot pick one out
MIN_COVERAGE = 0.3  # holding under 30 % of the rare weight of the words that may name a party: some other party
TIE_SHARE = 0.9     # candidates scoring within 10 % of the best are told apart by whether they address the question


@dataclass(frozen=True)
class NamedContract:
    doc: str
    score: float
    coverage: float  # share of the question's rare-word weight this contract's names hold


def named_contracts(store: ContractStore, question: str, visible: set[str] | None = None) -> list[NamedContract]:
    """Contracts whose names the question uses, best first (only `visible` ones when given)."""
    words = name_words(question)
    idf = store.idf(words)
    useful = {w for w in words if idf[w] >= MIN_WORD_IDF}
    if not useful:
        return []
    word_pairs = {p for p in pairs(words) if any(w in useful for w in p.split(" "))}
    held = store.docs_with_keys(useful | word_pairs)
    spoken = store.phrase_scores(word_pairs)
    naming = may_name(question) & useful
    scored = []
    for doc in set(held) | {d for by_doc in spoken.values() for d in by_doc}:
        keys = held.get(doc, set())
        in_text = {p: by_doc[doc] for p, by_doc in spoken.items() if doc in by_doc}
        covered = {w for w in useful if w in keys} | {w for p in in_text for w in p.split(" ") if w in useful}
        score = (sum(idf[w] for w in useful if w in keys)
                 + sum(idf[a] + idf[b] for a, b in (p.split(" ") for p in word_pairs if p in keys))
                 + TEXT_WEIGHT * sum(in_text.values()))
        weight = sum(idf[w] for w in naming | covered)  # the words that might name a party, and those held
        scored.append(NamedContract(doc, score, sum(idf[w] for w in covered) / weight if weight else 0.0))
    scored = [c for c in scored if c.coverage >= MIN_COVERAGE]  # kept 98.7 % of right matches (eval qa)
    scored.sort(key=lambda c: (-c.score, c.doc))
    if visible is None:
        return scored
    # Only a visible contract about as well named as the best match of all may answer: a question naming a
    # contract the asker cannot see must not be answered from another that merely shares a word with it.
    best = scored[0].score if scored else 0.0
    return [c for c in scored if c.doc in visible and c.score >= TIE_SHARE * best]


def close_seconds(candidates: list[NamedContract]) -> list[NamedContract]:
    """The best candidate and those nearly as good: one counterparty with several contracts."""
    if not candidates:
        return []
    return [c for c in candidates if c.score >= TIE_SHARE * candidates[0].score]
