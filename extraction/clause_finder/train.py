"""`train_finder(examples, seed)`: fit the passage models, their presence calibration and thresholds.

1. Every contract is cut into passages; a passage is positive for a category when it overlaps one of its gold
   segments by at least `MIN_OVERLAP` characters (or half of a shorter segment).
2. Per category, an L2 logistic regression over the TF-IDF features, on all positive passages and a seeded
   sample of negatives (most passages state nothing; the sample keeps training to seconds).
3. Presence: inner folds (grouped by contract) give each training contract out-of-fold passage logits; a Platt
   fit maps the best passage logit to a probability, and the presence threshold maximises F1 on those
   out-of-fold probabilities. Nothing is judged on the contracts it was fitted on.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from extraction.clause_finder.features import Featurizer, contract_tokens
from extraction.clause_finder.model import QUOTE_MARGIN, ClauseFinder
from extraction.clause_finder.passages import Passage, split_passages
from extraction.clause_finder.training_data import LabelledText

MIN_OVERLAP = 20
INNER_FOLDS = 3
NEGATIVES_PER_POSITIVE = 12
MIN_NEGATIVES = 4000
REGULARISATION_C = 25.0  # of 5 / 12 / 25: best inner-fold mean AP in every outer fold, with the ctx tokens
AVERAGE_INNER_MODELS = 1  # ship the mean of the inner-fold models, the ones the calibration was fitted on
HARD_NEGATIVES_PER_POSITIVE = 3  # second round: add the negatives the first model scores highest


@dataclass
class _Corpus:
    """All passages of the training contracts, stacked: features, labels, and which contract each is from."""

    features: sparse.csr_matrix
    labels: np.ndarray          # (n_passages, n_categories) bool
    contract: np.ndarray        # (n_passages,) index into the examples
    present: np.ndarray         # (n_contracts, n_categories) bool
    ids: list[str]              # contract ids, by index

    def subset(self, contracts: np.ndarray) -> _Corpus:
        """The passages of `contracts` (indices), renumbered 0..len(contracts)-1 in that order."""
        renumber = np.full(len(self.ids), -1)
        renumber[contracts] = np.arange(len(contracts))
        rows = np.flatnonzero(renumber[self.contract] >= 0)
        return _Corpus(self.features[rows], self.labels[rows], renumber[self.contract[rows]],
                       self.present[contracts], [self.ids[i] for i in contracts])


def fold_of(contract_id: str, folds: int, seed: int = 0) -> int:
    """A contract's fold, from a hash of its id: the same contract always lands in the same fold."""
    digest = hashlib.sha256(f"clause-finder-fold:{seed}:{contract_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


def passage_labels(passages: Sequence[Passage], segments: Sequence[tuple[int, int]]) -> np.ndarray:
    """Which passages overlap one of `segments` enough to count as stating it."""
    labels = np.zeros(len(passages), dtype=bool)
    starts = [p.start for p in passages]
    for seg_start, seg_end in segments:
        need = min(MIN_OVERLAP, max(1, (seg_end - seg_start) // 2))
        i = max(0, bisect_left(starts, seg_start) - 1)
        while i < len(passages) and passages[i].start < seg_end:
            overlap = min(passages[i].end, seg_end) - max(passages[i].start, seg_start)
            if overlap >= need:
                labels[i] = True
            i += 1
    return labels


def _corpus(examples: Sequence[LabelledText], categories: list[str]) -> tuple[_Corpus, list[list[str]]]:
    token_lists: list[list[str]] = []
    label_blocks: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for number, example in enumerate(examples):
        passages = split_passages(example.text)
        token_lists.extend(contract_tokens(example.text, passages))
        label_blocks.append(np.stack([passage_labels(passages, example.segments.get(c, [])) for c in categories],
                                     axis=1) if passages else np.zeros((0, len(categories)), dtype=bool))
        owners.append(np.full(len(passages), number))
    present = np.array([[example.present.get(c, False) for c in categories] for example in examples], dtype=bool)
    return _Corpus(sparse.csr_matrix((0, 0)), np.concatenate(label_blocks), np.concatenate(owners), present,
                   [e.id for e in examples]), token_lists


def _fit_column(features: sparse.csr_matrix, labels: np.ndarray, rows: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """One category's passage model on `rows`: all positives and a sample of negatives."""
    positives = rows[labels[rows]]
    negatives = rows[~labels[rows]]
    if len(positives) == 0:
        return np.zeros(features.shape[1], dtype=np.float32), -10.0
    keep = min(len(negatives), max(MIN_NEGATIVES, NEGATIVES_PER_POSITIVE * len(positives)))
    sampled = np.sort(rng.choice(negatives, size=keep, replace=False)) if keep < len(negatives) else negatives
    chosen = np.concatenate([positives, sampled])
    model = LogisticRegression(C=REGULARISATION_C, solver="liblinear", max_iter=200)
    model.fit(features[chosen], labels[chosen])
    hard = HARD_NEGATIVES_PER_POSITIVE * len(positives)
    if hard and keep < len(negatives):
        # The contract-level decision is a max over passages: the negatives that look most like the clause matter.
        unseen = np.setdiff1d(negatives, sampled, assume_unique=True)
        margins = np.asarray(features[unseen] @ model.coef_.ravel()).ravel()
        hardest = unseen[np.argsort(-margins, kind="stable")[:hard]]
        chosen = np.concatenate([positives, np.sort(np.concatenate([sampled, hardest]))])
        model.fit(features[chosen], labels[chosen])
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _fit_passage_models(corpus: _Corpus, rows: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    n_categories = corpus.labels.shape[1]
    weights = np.zeros((corpus.features.shape[1], n_categories), dtype=np.float32)
    bias = np.zeros(n_categories, dtype=np.float32)
    for column in range(n_categories):
        rng = np.random.default_rng([seed, column])
        weights[:, column], bias[column] = _fit_column(corpus.features, corpus.labels[:, column], rows, rng)
    return weights, bias


def _best_logits(logits: np.ndarray, contract: np.ndarray, n_contracts: int) -> np.ndarray:
    best = np.full((n_contracts, logits.shape[1]), -30.0)
    np.maximum.at(best, contract, logits)
    return best


def _platt(scores: np.ndarray, present: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) mapping a best-passage logit to P(present); constant when one class is missing."""
    if present.all() or not present.any():
        rate = (present.sum() + 0.5) / (len(present) + 1.0)
        return 0.0, float(np.log(rate / (1 - rate)))
    model = LogisticRegression(C=100.0, solver="lbfgs")
    model.fit(scores.reshape(-1, 1), present)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def best_f1_threshold(probabilities: np.ndarray, present: np.ndarray) -> float:
    """The cut that maximises F1 of `probabilities >= cut` against `present` (midway between neighbours)."""
    if not present.any():
        return 1.0
    order = np.argsort(-probabilities, kind="stable")
    ranked = probabilities[order]
    hits = np.cumsum(present[order])
    predicted = np.arange(1, len(ranked) + 1)
    f1 = 2 * hits / (predicted + present.sum())
    # Only cut between distinct values: equal scores are one decision.
    distinct = np.append(ranked[1:] < ranked[:-1], True)
    best = int(np.argmax(np.where(distinct, f1, -1.0)))
    below = ranked[best + 1] if best + 1 < len(ranked) else 0.0
    return float((ranked[best] + below) / 2)


def train_finder(examples: Sequence[LabelledText], seed: int = 0,
                 categories: Sequence[str] | None = None) -> ClauseFinder:
    """A finder trained on `examples` (in memory; seconds for a few hundred contracts). Deterministic for a seed."""
    if not examples:
        raise ValueError("train_finder needs at least one labelled contract")
    names = list(categories) if categories is not None else list(examples[0].present)
    corpus, token_lists = _corpus(examples, names)
    featurizer = Featurizer.fit(token_lists)
    corpus.features = featurizer.transform(token_lists)
    return fit_corpus(corpus, featurizer, names, seed)


def fit_corpus(corpus: _Corpus, featurizer: Featurizer, names: list[str], seed: int) -> ClauseFinder:
    """The models, calibration and thresholds on an already featurised corpus."""
    n_contracts = len(corpus.ids)
    inner = np.array([fold_of(i, INNER_FOLDS, seed) for i in corpus.ids])
    out_of_fold = np.zeros(corpus.labels.shape, dtype=np.float32)
    inner_models: list[tuple[np.ndarray, np.ndarray]] = []
    for fold in range(INNER_FOLDS):
        held_out = inner[corpus.contract] == fold
        if not held_out.any() or held_out.all():
            continue
        weights, bias = _fit_passage_models(corpus, np.flatnonzero(~held_out), seed + 1 + fold)
        out_of_fold[held_out] = np.asarray(corpus.features[held_out] @ weights) + bias
        inner_models.append((weights, bias))
    best = _best_logits(out_of_fold, corpus.contract, n_contracts)

    platt = np.zeros((len(names), 2))
    thresholds = np.zeros(len(names))
    for column in range(len(names)):
        platt[column] = _platt(best[:, column], corpus.present[:, column])
        calibrated = 1.0 / (1.0 + np.exp(-(platt[column, 0] * best[:, column] + platt[column, 1])))
        thresholds[column] = best_f1_threshold(calibrated, corpus.present[:, column])

    if AVERAGE_INNER_MODELS and inner_models:
        # A model fitted on all contracts scores higher than the ones the thresholds were chosen on; the mean
        # of the inner-fold models is still one linear model, and its scores match the calibration.
        weights = np.mean([w for w, _ in inner_models], axis=0)
        bias = np.mean([b for _, b in inner_models], axis=0)
    else:
        weights, bias = _fit_passage_models(corpus, np.arange(len(corpus.labels)), seed)
    return ClauseFinder(names, featurizer, weights, bias, platt, thresholds,
                        np.full(len(names), QUOTE_MARGIN))
