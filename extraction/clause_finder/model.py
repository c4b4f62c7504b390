"""`ClauseFinder`: scores every passage of a contract for each CUAD category and says which clauses it states.

Per category a linear model gives each passage a probability of stating the category. The contract-level
score is a calibrated (Platt) function of the best passage's logit; a category is present at or above its
threshold (both fitted on out-of-fold scores by `train.py`). Quotes are the best passages, verbatim at their
offsets: the best one always when present, and up to `MAX_QUOTES` in all whose logit is within the quote
margin of the best one (a clause often spans a few sentences, and a relative cut follows each contract's own
score scale; an absolute probability cut left 17 % of true positives quoting only a neighbouring sentence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.contract_terms import ClauseFinding
from extraction.citations import cite
from extraction.clause_finder.features import Featurizer, contract_tokens
from extraction.clause_finder.passages import Passage, split_passages
from tools.documents import Document

ARTIFACTS = Path(__file__).parent / "artifacts"
MAX_QUOTES = 3
QUOTE_MARGIN = 3.0  # logits below the best passage's; chosen on inner folds (see train.py)
_FORMAT = 2  # 2: neighbour-context tokens (a format-1 vocabulary has none)


class FinderArtifactsError(RuntimeError):
    pass


@dataclass(frozen=True)
class PassageScores:
    passages: list[tuple[int, int]]
    scores: np.ndarray          # (n_passages, n_categories) probabilities
    categories: list[str]

    def column(self, category: str) -> np.ndarray:
        return self.scores[:, self.categories.index(category)]


@dataclass(frozen=True)
class ContractClause:
    """One category's verdict on a text, before it is cited against a `Document`."""

    category: str
    present: bool
    score: float
    quotes: list[tuple[int, int]]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class ClauseFinder:
    def __init__(self, categories: list[str], featurizer: Featurizer, weights: np.ndarray, bias: np.ndarray,
                 platt: np.ndarray, presence_threshold: np.ndarray, quote_margin: np.ndarray):
        n = len(categories)
        if weights.shape != (len(featurizer.vocabulary), n) or bias.shape != (n,) or platt.shape != (n, 2):
            raise ValueError("finder arrays do not match the vocabulary and categories")
        self.categories = list(categories)
        self.featurizer = featurizer
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.platt = np.asarray(platt, dtype=np.float64)         # (slope, intercept) on the best passage logit
        self.presence_threshold = np.asarray(presence_threshold, dtype=np.float64)
        self.quote_margin = np.asarray(quote_margin, dtype=np.float64)

    def passage_logits(self, text: str, passages: list[Passage]) -> np.ndarray:
        if not passages:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        matrix = self.featurizer.transform(contract_tokens(text, passages))
        return np.asarray(matrix @ self.weights) + self.bias

    def score_passages(self, text: str) -> PassageScores:
        passages = split_passages(text)
        return PassageScores(passages=[(p.start, p.end) for p in passages],
                             scores=_sigmoid(self.passage_logits(text, passages)), categories=self.categories)

    def presence_scores(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probability per category that the contract states it, from its passage logits."""
        best = np.full(len(self.categories), -30.0) if len(logits) == 0 else logits.max(axis=0)
        return _sigmoid(self.platt[:, 0] * best + self.platt[:, 1])

    def clauses(self, text: str) -> list[ContractClause]:
        passages = split_passages(text)
        logits = self.passage_logits(text, passages)
        presence = self.presence_scores(logits)
        verdicts: list[ContractClause] = []
        for column, category in enumerate(self.categories):
            present = bool(presence[column] >= self.presence_threshold[column]) and len(passages) > 0
            quotes: list[tuple[int, int]] = []
            if present:
                order = np.argsort(-logits[:, column], kind="stable")[:MAX_QUOTES]
                floor = logits[order[0], column] - self.quote_margin[column]
                quotes = [(passages[i].start, passages[i].end) for i in order if logits[i, column] >= floor]
            verdicts.append(ContractClause(category, present, float(presence[column]), quotes))
        return verdicts

    def find(self, document: Document) -> list[ClauseFinding]:
        """One finding per category, in `categories` order; a present one cites its best passages."""
        return [ClauseFinding(category=c.category, present=c.present, score=round(c.score, 6),
                              citations=[cite(document, start, end) for start, end in c.quotes])
                for c in self.clauses(document.text)]

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / "weights.npz", weights=self.weights.astype(np.float16),
                            bias=self.bias, idf=self.featurizer.idf, platt=self.platt,
                            presence_threshold=self.presence_threshold, quote_margin=self.quote_margin)
        meta = {"format": _FORMAT, "categories": self.categories, "vocabulary": self.featurizer.vocabulary}
        (directory / "finder.json").write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> ClauseFinder:
        directory = Path(directory)
        try:
            meta = json.loads((directory / "finder.json").read_text(encoding="utf-8"))
            arrays = np.load(directory / "weights.npz")
        except FileNotFoundError as exc:
            raise FinderArtifactsError(f"no clause-finder artifacts in {directory} (rebuild them with "
                                       "`contractloop train clauses`)") from exc
        if meta.get("format") != _FORMAT:
            raise FinderArtifactsError(f"{directory}: artifact format {meta.get('format')}, expected {_FORMAT}")
        return cls(meta["categories"], Featurizer(meta["vocabulary"], arrays["idf"]),
                   arrays["weights"].astype(np.float32), arrays["bias"], arrays["platt"],
                   arrays["presence_threshold"],
                   arrays["quote_margin"] if "quote_margin" in arrays else np.full(len(meta["categories"]),
                                                                                    QUOTE_MARGIN))


@lru_cache(maxsize=1)
def load_finder() -> ClauseFinder:
    """The packaged finder (extraction/clause_finder/artifacts), loaded once per process."""
    return ClauseFinder.load(ARTIFACTS)
