"""`NdaReader`: per hypothesis, is it entailed, contradicted or not mentioned, and which spans say so.

Three small linear models per hypothesis, all fitted by `train.py`:
1. a span model scores every span as evidence for the hypothesis (either way);
2. a mention model turns the document's best span logits (best, second best, log-sum-exp of the top 3) and
   its length into the probability that the document speaks to the hypothesis at all;
3. a stance model reads the chosen evidence spans together (their TF-IDF rows summed) and says entailed or
   contradicted; a hypothesis with too few contradictions in training has a constant stance instead.
Evidence is every span within `evidence_margin` logits of the best one and above `evidence_floor`
(the best one always), chosen on inner folds for span F1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from extraction.clause_finder.features import Featurizer
from extraction.clause_finder.passages import Passage
from review.nda_reader.spans import span_tokens

ARTIFACTS = Path(__file__).parent / "artifacts"
_FORMAT = 1
MAX_EVIDENCE = 6  # gold evidence is 2 spans on average; more than a handful is never a better quote


class ReaderArtifactsError(RuntimeError):
    pass


@dataclass(frozen=True)
class HypothesisVerdict:
    hypothesis: str            # "nda-7"
    label: str                 # Entailment | Contradiction | NotMentioned
    mentioned: float           # P(the document speaks to the hypothesis)
    stance: float              # P(contradicted | mentioned)
    evidence: list[int]        # indices into the passages read; empty when not mentioned


def _sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


MENTION_FEATURES = 4


def mention_features(logits: np.ndarray) -> np.ndarray:
    """(n_hypotheses, MENTION_FEATURES): best, second best and log-sum-exp of the top three span logits per
    column, and the log of the number of spans (a long document's best span is the best of more tries)."""
    if len(logits) == 0:
        return np.full((logits.shape[1], MENTION_FEATURES), -30.0)
    top = -np.sort(-logits, axis=0)[:3]
    second = top[1] if len(top) > 1 else np.full(logits.shape[1], -30.0)
    peak = top[0]
    lse = peak + np.log(np.exp(top - peak).sum(axis=0))
    return np.stack([peak, second, lse, np.full(logits.shape[1], np.log(len(logits)))], axis=1)


def pick_evidence(column: np.ndarray, margin: float, floor: float) -> list[int]:
    """Spans within `margin` of the best and at least `floor`, best first; the best one always."""
    if len(column) == 0:
        return []
    order = np.argsort(-column, kind="stable")[:MAX_EVIDENCE]
    best = column[order[0]]
    chosen = [int(i) for i in order if column[i] >= best - margin and column[i] >= floor]
    return chosen or [int(order[0])]


def pooled_rows(matrix: sparse.csr_matrix, rows: list[int]) -> sparse.csr_matrix:
    """The summed TF-IDF rows of `rows`, L2-normalised: the evidence read as one text."""
    summed = sparse.csr_matrix(matrix[rows].sum(axis=0))
    norm = float(np.sqrt(summed.multiply(summed).sum()))
    return summed / norm if norm else summed


class NdaReader:
    def __init__(self, hypotheses: dict[str, str], featurizer: Featurizer, span_weights: np.ndarray,
                 span_bias: np.ndarray, mention: np.ndarray, stance_weights: np.ndarray, stance_bias: np.ndarray,
                 evidence: np.ndarray, trained_on: list[str] | None = None):
        n, v = len(hypotheses), len(featurizer.vocabulary)
        if (span_weights.shape != (v, n) or span_bias.shape != (n,) or mention.shape != (n, MENTION_FEATURES + 1)
                or stance_weights.shape != (v, n) or stance_bias.shape != (n,) or evidence.shape != (n, 2)):
            raise ValueError("reader arrays do not match the vocabulary and hypotheses")
        self.hypotheses = dict(hypotheses)
        self.ids = list(hypotheses)
        self.featurizer = featurizer
        self.span_weights = np.asarray(span_weights, dtype=np.float32)
        self.span_bias = np.asarray(span_bias, dtype=np.float32)
        self.mention = np.asarray(mention, dtype=np.float64)        # coefficients + intercept per hypothesis
        self.stance_weights = np.asarray(stance_weights, dtype=np.float32)
        self.stance_bias = np.asarray(stance_bias, dtype=np.float32)  # > 0 leans to Contradiction
        self.evidence = np.asarray(evidence, dtype=np.float64)      # (margin, floor) per hypothesis
        self.trained_on = list(trained_on or [])  # document ids: an eval on them is not a generalisation figure

    def features(self, text: str, passages: list[Passage]) -> sparse.csr_matrix:
        return self.featurizer.transform(span_tokens(text, passages))

    def span_logits(self, matrix: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(matrix @ self.span_weights) + self.span_bias

    def read(self, text: str, passages: list[Passage]) -> list[HypothesisVerdict]:
        """One verdict per hypothesis, in `ids` order; `evidence` indexes `passages`."""
        if not passages:
            return [HypothesisVerdict(h, "NotMentioned", 0.0, 0.0, []) for h in self.ids]
        matrix = self.features(text, passages)
        logits = self.span_logits(matrix)
        mentioned = _sigmoid((mention_features(logits) * self.mention[:, :-1]).sum(axis=1) + self.mention[:, -1])
        verdicts: list[HypothesisVerdict] = []
        for column, hypothesis in enumerate(self.ids):
            evidence = pick_evidence(logits[:, column], *self.evidence[column])
            stance_logit = float((pooled_rows(matrix, evidence) @ self.stance_weights[:, column])[0]
                                 + self.stance_bias[column])
            stance = float(_sigmoid(stance_logit))
            if mentioned[column] < 0.5:
                verdicts.append(HypothesisVerdict(hypothesis, "NotMentioned", float(mentioned[column]), stance, []))
                continue
            label = "Contradiction" if stance >= 0.5 else "Entailment"
            verdicts.append(HypothesisVerdict(hypothesis, label, float(mentioned[column]), stance, evidence))
        return verdicts

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / "weights.npz", span_weights=self.span_weights.astype(np.float16),
                            span_bias=self.span_bias, mention=self.mention,
                            stance_weights=self.stance_weights.astype(np.float16), stance_bias=self.stance_bias,
                            evidence=self.evidence, idf=self.featurizer.idf)
        meta = {"format": _FORMAT, "hypotheses": self.hypotheses, "trained_on": self.trained_on,
                "vocabulary": self.featurizer.vocabulary}
        (directory / "reader.json").write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> NdaReader:
        directory = Path(directory)
        try:
            meta = json.loads((directory / "reader.json").read_text(encoding="utf-8"))
            arrays = np.load(directory / "weights.npz")
        except FileNotFoundError as exc:
            raise ReaderArtifactsError(f"no NDA reader artifacts in {directory} (rebuild them with "
                                       "`contractloop train review`)") from exc
        if meta.get("format") != _FORMAT:
            raise ReaderArtifactsError(f"{directory}: artifact format {meta.get('format')}, expected {_FORMAT}")
        return cls(meta["hypotheses"], Featurizer(meta["vocabulary"], arrays["idf"]),
                   arrays["span_weights"].astype(np.float32), arrays["span_bias"], arrays["mention"],
                   arrays["stance_weights"].astype(np.float32), arrays["stance_bias"], arrays["evidence"],
                   meta.get("trained_on", []))


@lru_cache(maxsize=1)
def load_reader() -> NdaReader:
    """The packaged reader (review/nda_reader/artifacts), loaded once per process."""
    return NdaReader.load(ARTIFACTS)
